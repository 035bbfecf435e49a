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

/** What an agent asks for when it joins the catalog as one host. */
export interface SessionOptions {
  /** This host's name in the catalog (instances it writes carry meta `portico.host`). */
  host: string;
  /** Lease TTL in seconds; default: the store's (etcd `lease=`, portico.yaml `store.lease`). */
  ttlSeconds?: number;
  /** The lease was lost (etcd unreachable for longer than the TTL); the session re-grants it. */
  onLost?: (error: Error) => void;
  /** A new lease was granted after a loss and this host's instances were written again. */
  onRestored?: () => void;
}

/**
 * One host's membership in the catalog. Instances, check states and TTL reports written through
 * `store` (and its `inProject` views) live as long as the session: on etcd they are attached to
 * a lease kept alive by this process, so when the host or its agent dies they leave the catalog
 * within the TTL; `syncSource` through it only replaces this host's instances of that source.
 * Writes through the plain store stay until deregistered (`discovery register`).
 */
export interface StoreSession {
  readonly store: Store;
  readonly host: string;
  /** false for stores without leases (SQLite: one host, entries stay until removed). */
  readonly leased: boolean;
  readonly ttlSeconds: number;
  /** Revoke the lease (this host's instances leave at once) and stop keeping it alive. */
  close(): Promise<void>;
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
  /**
   * `history(id, since)` of every instance that has one, by instance id, in one read: a
   * dashboard drawing thousands of instances would otherwise make thousands of reads.
   */
  histories(since: number): Promise<Map<string, StatusChange[]>>;

  reportTtl(record: TtlRecord): Promise<void>;
  ttlReports(): Promise<TtlRecord[]>;

  /**
   * Join as one host (see StoreSession). SQLite has no leases: its session's store is this
   * store, and entries stay until removed, as before.
   */
  openSession(options: SessionOptions): Promise<StoreSession>;

  /** Events with an index above `fromIndex`, until the signal aborts. */
  watch(fromIndex: number, signal: AbortSignal): AsyncIterable<StoreEvent>;
  close(): Promise<void>;
}
