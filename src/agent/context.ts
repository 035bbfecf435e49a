import type { SecretPolicy } from '../checks/trust.js';
import type { CheckState } from '../core/model.js';
import type { Store, TtlRecord } from '../store/index.js';
import type { AccessPolicy } from './access.js';
import type { Alerter } from './alerts/alerter.js';
import { CatalogSnapshot, type InstanceView } from './catalog-snapshot.js';
import type { ChangeFeed } from './feed.js';
import type { EventHub } from './http/sse.js';
import type { AgentMetrics } from './metrics.js';

export type { InstanceView } from './catalog-snapshot.js';

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

/** One store's catalog, read once per version: what every reader of the agent shares. */
interface CachedCatalog {
  /** The store index `snapshot` was loaded after. */
  index?: number;
  /** Dropped when something the index does not count changed (a check's output, a lease expiry). */
  snapshot?: Promise<CatalogSnapshot>;
}

const cached = new WeakMap<Store, CachedCatalog>();

function cacheOf(store: Store): CachedCatalog {
  let entry = cached.get(store);
  if (!entry) {
    entry = {};
    cached.set(store, entry);
  }
  return entry;
}

/**
 * Something changed that the loaded version may not show — a check result whose status stayed
 * the same (new output, new time), an instance removed by an expired etcd lease — so the next
 * read must go to the store. With the `index` of a store event, a version loaded after that index
 * was read already holds the change and is kept (the watch reports writes the agent has usually
 * read already: without this every change would be loaded twice).
 */
export function invalidateCatalog(store: Store, index?: number): void {
  const entry = cacheOf(store);
  if (index !== undefined && entry.snapshot && entry.index !== undefined && index <= entry.index) return;
  entry.snapshot = undefined;
}

/**
 * The catalog version every reader shares: loaded once per change and never older than the store.
 * Each read asks the store for its change index (SQLite: one `MAX(idx)` on the primary key, tens
 * of microseconds at most; etcd: one range read) and reuses the loaded version when it was loaded
 * after that index was read and nothing has dropped it since. A write through the store
 * (register, deregister, a status change, a TTL report) — by this agent or by another process on
 * the same catalog — moves the index before its caller hears back, so a read that starts after a
 * write was acknowledged sees it. The change feed's index is not enough for that: the watch
 * reports another process's write only at its next poll.
 */
export async function readSnapshot(store: Store): Promise<CatalogSnapshot> {
  const entry = cacheOf(store);
  const index = await store.index();
  // A version loaded after a later index read (concurrent reads of an etcd store can return out
  // of order) holds everything this one asks for.
  if (!entry.snapshot || entry.index === undefined || entry.index < index) {
    const snapshot = loadCatalog(store).then((views) => new CatalogSnapshot(index, views));
    entry.index = index;
    entry.snapshot = snapshot;
    // A failed read is not kept: the next reader tries the store again.
    snapshot.catch(() => {
      if (entry.snapshot === snapshot) entry.snapshot = undefined;
    });
  }
  return await entry.snapshot;
}

/**
 * Every instance of the project with its check states (of one service when given), sorted by
 * service and id, from the shared version (`readSnapshot`). A copy of the list: readers may sort
 * and filter it; the views themselves are shared and must not be changed.
 */
export async function readCatalog(store: Store, service?: string): Promise<InstanceView[]> {
  const snapshot = await readSnapshot(store);
  return service === undefined ? snapshot.views.slice() : snapshot.service(service).slice();
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
