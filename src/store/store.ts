import type { CheckState, HealthStatus, Instance, Service } from '../core/model.js';

/** What changed in the catalog; `index` is the store-wide monotonic change index. */
export interface StoreEvent {
  index: number;
  kind: 'instance-upsert' | 'instance-delete' | 'check-state' | 'ttl-report';
  /** Instance id (and check id for check events). */
  instanceId: string;
  checkId?: string;
  at: number;
}

export interface SyncResult {
  added: string[];
  removed: string[];
  changed: string[];
  index: number;
}

export interface InstanceFilter {
  service?: string;
  source?: string;
}

/** A status change of one check, kept for availability figures. */
export interface StatusChange {
  instanceId: string;
  checkId: string;
  status: HealthStatus;
  at: number;
}

export interface TtlRecord {
  instanceId: string;
  checkId: string;
  status: HealthStatus;
  output: string;
  at: number;
}

/**
 * The catalog: services → instances → checks → status. Every method is async so a networked
 * backend (etcd) fits behind the same interface; the embedded SQLite backend answers at once.
 * Writes bump one monotonic change index; `watch` streams events after an index, across
 * processes, so the CLI and a running agent see each other's changes.
 */
export interface Store {
  /** The project namespace this view reads and writes (see inProject). */
  readonly project: string;
  /**
   * The same catalog scoped to another project: instances, check states, history, TTL reports
   * and watch events of one project never mix with another's. Closing a view leaves the
   * underlying store open.
   */
  inProject(project: string): Store;
  /** Every project that has at least one instance. */
  listProjects(): Promise<string[]>;

  /** The current change index (0 for an empty store), shared by all projects. */
  index(): Promise<number>;

  /**
   * Make `source`'s instances exactly `instances` in one transaction: new ones added, missing
   * ones removed, changed ones updated. A source that failed should not call this (keep the
   * last good state).
   */
  syncSource(source: string, instances: Instance[]): Promise<SyncResult>;
  register(instance: Instance): Promise<void>;
  deregister(id: string): Promise<boolean>;

  listServices(): Promise<Service[]>;
  listInstances(filter?: InstanceFilter): Promise<Instance[]>;
  getInstance(id: string): Promise<Instance | undefined>;

  /** Record a check's settled state; status changes are appended to the history. */
  putCheckState(state: CheckState): Promise<void>;
  checkStates(instanceId?: string): Promise<CheckState[]>;
  /** Status changes since `since` (epoch ms), oldest first. */
  history(instanceId: string, since: number): Promise<StatusChange[]>;

  reportTtl(record: TtlRecord): Promise<void>;
  ttlReports(): Promise<TtlRecord[]>;

  /** Events with an index above `fromIndex`, until the signal aborts. */
  watch(fromIndex: number, signal: AbortSignal): AsyncIterable<StoreEvent>;
  close(): Promise<void>;
}
