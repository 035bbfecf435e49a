import type { SecretPolicy } from '../checks/trust.js';
import type { CheckState, Instance } from '../core/model.js';
import type { Store, TtlRecord } from '../store/index.js';
import type { AccessPolicy } from './access.js';
import type { Alerter } from './alerts/alerter.js';
import type { ChangeFeed } from './feed.js';
import type { EventHub } from './http/sse.js';
import type { AgentMetrics } from './metrics.js';

/** What the API handlers read: the live catalog view of the agent's project and its policies. */
export interface AgentContext {
  /** The catalog scoped to the agent's project (replaced on reload). */
  store(): Store;
  project(): string;
  /** portico.yaml `secrets.allowEnv`: what checks arriving over HTTP may name as passwordEnv. */
  secrets(): SecretPolicy;
  access: AccessPolicy;
  feed: ChangeFeed;
  events: EventHub;
  metrics: AgentMetrics;
  /** Alert rules, receivers (names only) and what fires now. */
  alerts(): ReturnType<Alerter['view']>;
  /** GET /api/v1/agent. */
  describe(): unknown;
  /** Record a TTL report and settle the check now (not at its next slot). */
  reportTtl(record: TtlRecord): Promise<void>;
  /** This host in the cluster: serving last-known state (etcd unreachable), elected leader. */
  cluster?: () => { stale: boolean; isLeader: boolean };
  /** Where the agent listens, as host:port. */
  address(): string;
  startedAt: number;
  /** Aborted when the agent stops: blocking queries and event streams end. */
  signal: AbortSignal;
}

export interface InstanceView {
  instance: Instance;
  states: CheckState[];
}

/** Every instance of the project with its check states, read once. */
export async function readCatalog(store: Store, service?: string): Promise<InstanceView[]> {
  const [instances, states] = await Promise.all([
    store.listInstances(service !== undefined ? { service } : undefined),
    store.checkStates(),
  ]);
  const byInstance = new Map<string, CheckState[]>();
  for (const s of states) {
    const list = byInstance.get(s.instanceId) ?? [];
    list.push(s);
    byInstance.set(s.instanceId, list);
  }
  return instances
    .sort((a, b) => a.service.localeCompare(b.service) || a.id.localeCompare(b.id))
    .map((instance) => ({ instance, states: byInstance.get(instance.id) ?? [] }));
}
