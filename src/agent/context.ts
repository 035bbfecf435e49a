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

/** One store's catalog, read once per change: what every reader of the agent shares. */
interface CachedCatalog {
  /** Bumped by what the store's index does not count (a check's output, a lease expiry). */
  generation: number;
  key?: string;
  views?: Promise<InstanceView[]>;
}

const cached = new WeakMap<Store, CachedCatalog>();

function cacheOf(store: Store): CachedCatalog {
  let entry = cached.get(store);
  if (!entry) {
    entry = { generation: 0 };
    cached.set(store, entry);
  }
  return entry;
}

/**
 * Something changed that the store's change index does not show — a check result whose status
 * stayed the same (new output, new time), an instance removed by an expired etcd lease — so the
 * next read must go to the store.
 */
export function invalidateCatalog(store: Store): void {
  const entry = cacheOf(store);
  entry.generation++;
  entry.views = undefined;
}

/**
 * Every instance of the project with its check states, sorted by service and id. Reads share one
 * load of the catalog until the store's change index moves or the agent invalidates it: with
 * thousands of instances a full read costs tens of milliseconds, and every API request, blocking
 * query and dashboard view needs it. Never older than the index: a write through the store
 * (register, deregister, a status change, a TTL report) moves the index before its caller hears
 * back, so the next read sees it.
 */
export async function readCatalog(store: Store, service?: string): Promise<InstanceView[]> {
  const entry = cacheOf(store);
  const key = `${await store.index()}:${entry.generation}`;
  if (entry.key !== key || !entry.views) {
    const views = loadCatalog(store);
    entry.key = key;
    entry.views = views;
    // A failed read is not kept: the next reader tries the store again.
    views.catch(() => {
      if (entry.views === views) entry.views = undefined;
    });
  }
  const views = await entry.views;
  // Copies: readers sort and filter what they get, the cached list stays as loaded.
  return service === undefined ? views.slice() : views.filter((v) => v.instance.service === service);
}

async function loadCatalog(store: Store): Promise<InstanceView[]> {
  const [instances, states] = await Promise.all([store.listInstances(), store.checkStates()]);
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
