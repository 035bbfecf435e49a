import type { CheckState, Instance, Service } from '../../core/model.js';
import { type Db, openDatabase } from '../../core/sqlite.js';
import type {
  InstanceFilter,
  SessionOptions,
  StatusChange,
  Store,
  StoreEvent,
  StoreSession,
  SyncResult,
  TtlRecord,
} from '../store.js';
import { ChangeSignal } from './change-signal.js';
import {
  type CheckStateRow,
  type InstanceRow,
  instanceParams,
  sameInstance,
  toCheckState,
  toInstance,
} from './rows.js';
import { catalogMigrations } from './schema.js';

const keepChanges = 50_000;
const defaultProject = 'default';
const keepHistoryMs = 30 * 86_400_000;
/** Every SqliteStore on one handle (the opener and its inProject views) shares one signal. */
const signals = new WeakMap<Db, ChangeSignal>();
/** A project's instances as of a change index, per handle (shared by that project's views). */
interface InstanceCache {
  index: number;
  byId: Map<string, Instance>;
  list: Instance[];
}
const instanceCaches = new WeakMap<Db, Map<string, InstanceCache>>();
/** Past this many changed instances, reading the whole table again is cheaper than patching. */
const patchLimit = 500;

export interface SqliteStoreOptions {
  path: string;
  /** The project namespace every read and write is scoped to (default: "default"). */
  project?: string;
  /**
   * How often watchers look for other processes' writes when no file event reported them (a
   * safety net: in-process writes wake watchers at once, other processes' through inotify).
   */
  pollMs?: number;
  now?: () => number;
}

/**
 * The embedded catalog: one SQLite file in WAL mode, so the CLI and a running agent read and
 * write concurrently; every write happens in one transaction with its change-log row, so the
 * change index and the data never disagree.
 */
export class SqliteStore implements Store {
  readonly project: string;
  private readonly db: Db;
  private readonly now: () => number;
  private readonly pollMs: number;
  private readonly changes: ChangeSignal;
  /** Views made by inProject share the handle; only the store that opened it closes it. */
  private readonly owner: boolean;
  private writes = 0;

  constructor(options: SqliteStoreOptions, shared?: Db) {
    this.db = shared ?? openDatabase(options.path, catalogMigrations);
    this.owner = shared === undefined;
    this.project = options.project ?? defaultProject;
    this.now = options.now ?? Date.now;
    this.pollMs = options.pollMs ?? 1000;
    let changes = signals.get(this.db);
    if (!changes) {
      changes = new ChangeSignal(this.db, { safetyPollMs: this.pollMs });
      signals.set(this.db, changes);
    }
    this.changes = changes;
  }

  inProject(project: string): Store {
    return new SqliteStore({ path: '', project, now: this.now, pollMs: this.pollMs }, this.db);
  }

  async listProjects(): Promise<string[]> {
    return (
      this.db.prepare('SELECT DISTINCT project FROM instances ORDER BY project').all() as Array<{
        project: string;
      }>
    ).map((r) => r.project);
  }

  async index(): Promise<number> {
    return this.currentIndex();
  }

  async syncSource(source: string, instances: Instance[]): Promise<SyncResult> {
    return this.write(() => {
      const existing = new Map(
        (
          this.db
            .prepare('SELECT * FROM instances WHERE project = ? AND source = ?')
            .all(this.project, source) as InstanceRow[]
        ).map((r) => [r.id, toInstance(r)]),
      );
      const result: SyncResult = { added: [], removed: [], changed: [], index: 0 };
      const wanted = new Map(instances.map((i) => [i.id, { ...i, source }]));
      for (const [id] of existing) {
        if (!wanted.has(id)) {
          this.deleteInstance(id);
          result.removed.push(id);
        }
      }
      for (const [id, instance] of wanted) {
        const before = existing.get(id);
        if (before && sameInstance(before, instance)) continue;
        this.upsertInstance(instance);
        (before ? result.changed : result.added).push(id);
      }
      result.index = this.currentIndex();
      return result;
    });
  }

  async register(instance: Instance): Promise<void> {
    this.write(() => this.upsertInstance(instance));
  }

  async deregister(id: string): Promise<boolean> {
    return this.write(() => {
      const exists =
        this.db.prepare('SELECT 1 FROM instances WHERE project = ? AND id = ?').get(this.project, id) !==
        undefined;
      if (exists) this.deleteInstance(id);
      return exists;
    });
  }

  async listServices(): Promise<Service[]> {
    const rows = this.db
      .prepare('SELECT service, tags FROM instances WHERE project = ? ORDER BY service')
      .all(this.project) as Array<{
      service: string;
      tags: string;
    }>;
    const services = new Map<string, Set<string>>();
    for (const r of rows) {
      const tags = services.get(r.service) ?? new Set<string>();
      for (const t of JSON.parse(r.tags) as string[]) tags.add(t);
      services.set(r.service, tags);
    }
    return [...services].map(([name, tags]) => ({ name, tags: [...tags].sort(), meta: {} }));
  }

  async listInstances(filter: InstanceFilter = {}): Promise<Instance[]> {
    if (!filter.service && !filter.source) return this.allInstances();
    const where: string[] = ['project = ?'];
    const params: unknown[] = [this.project];
    if (filter.service) {
      where.push('service = ?');
      params.push(filter.service);
    }
    if (filter.source) {
      where.push('source = ?');
      params.push(filter.source);
    }
    const sql = `SELECT * FROM instances WHERE ${where.join(' AND ')} ORDER BY service, id`;
    return (this.db.prepare(sql).all(...params) as InstanceRow[]).map(toInstance);
  }

  async getInstance(id: string): Promise<Instance | undefined> {
    const row = this.db
      .prepare('SELECT * FROM instances WHERE project = ? AND id = ?')
      .get(this.project, id) as InstanceRow | undefined;
    return row ? toInstance(row) : undefined;
  }

  async putCheckState(state: CheckState): Promise<void> {
    this.write(() => {
      const previous = this.db
        .prepare('SELECT status FROM check_states WHERE project = ? AND instance_id = ? AND check_id = ?')
        .get(this.project, state.instanceId, state.checkId) as { status: string } | undefined;
      this.db
        .prepare(
          `INSERT INTO check_states (project, instance_id, check_id, status, output, reason, since, last_result)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (project, instance_id, check_id) DO UPDATE SET
             status = excluded.status, output = excluded.output, reason = excluded.reason,
             since = excluded.since, last_result = excluded.last_result`,
        )
        .run(
          this.project,
          state.instanceId,
          state.checkId,
          state.status,
          state.output,
          state.reason ?? null,
          state.since,
          state.lastResult ? JSON.stringify(state.lastResult) : null,
        );
      if (previous?.status !== state.status) {
        this.db
          .prepare('INSERT INTO history (project, instance_id, check_id, status, at) VALUES (?, ?, ?, ?, ?)')
          .run(this.project, state.instanceId, state.checkId, state.status, state.since);
        this.logChange('check-state', state.instanceId, state.checkId);
      }
    });
  }

  async checkStates(instanceId?: string): Promise<CheckState[]> {
    const rows = (
      instanceId
        ? this.db
            .prepare('SELECT * FROM check_states WHERE project = ? AND instance_id = ? ORDER BY check_id')
            .all(this.project, instanceId)
        : this.db
            .prepare('SELECT * FROM check_states WHERE project = ? ORDER BY instance_id, check_id')
            .all(this.project)
    ) as CheckStateRow[];
    return rows.map(toCheckState);
  }

  async history(instanceId: string, since: number): Promise<StatusChange[]> {
    // Include the last change before `since`: it is the status at the start of the window.
    const before = this.db
      // SQLite returns the other columns from the row holding MAX(at).
      .prepare(
        'SELECT instance_id, check_id, status, MAX(at) AS at FROM history WHERE project = ? AND instance_id = ? AND at < ? GROUP BY check_id',
      )
      .all(this.project, instanceId, since) as Array<{
      instance_id: string;
      check_id: string;
      status: string;
      at: number;
    }>;
    const rows = this.db
      .prepare(
        'SELECT instance_id, check_id, status, at FROM history WHERE project = ? AND instance_id = ? AND at >= ? ORDER BY at, rowid',
      )
      .all(this.project, instanceId, since) as typeof before;
    return [...before, ...rows].map((r) => ({
      instanceId: r.instance_id,
      checkId: r.check_id,
      status: r.status as StatusChange['status'],
      at: r.at,
    }));
  }

  async histories(since: number): Promise<Map<string, StatusChange[]>> {
    type Row = { instance_id: string; check_id: string; status: string; at: number };
    const before = this.db
      .prepare(
        'SELECT instance_id, check_id, status, MAX(at) AS at FROM history WHERE project = ? AND at < ? GROUP BY instance_id, check_id',
      )
      .all(this.project, since) as Row[];
    const rows = this.db
      .prepare(
        'SELECT instance_id, check_id, status, at FROM history WHERE project = ? AND at >= ? ORDER BY at, rowid',
      )
      .all(this.project, since) as Row[];
    const out = new Map<string, StatusChange[]>();
    for (const r of [...before, ...rows]) {
      let list = out.get(r.instance_id);
      if (list === undefined) {
        list = [];
        out.set(r.instance_id, list);
      }
      list.push({
        instanceId: r.instance_id,
        checkId: r.check_id,
        status: r.status as StatusChange['status'],
        at: r.at,
      });
    }
    return out;
  }

  async reportTtl(record: TtlRecord): Promise<void> {
    this.write(() => {
      this.db
        .prepare(
          `INSERT INTO ttl_reports (project, instance_id, check_id, status, output, at) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (project, instance_id, check_id) DO UPDATE SET status = excluded.status, output = excluded.output, at = excluded.at`,
        )
        .run(this.project, record.instanceId, record.checkId, record.status, record.output, record.at);
      this.logChange('ttl-report', record.instanceId, record.checkId);
    });
  }

  async ttlReports(): Promise<TtlRecord[]> {
    return (
      this.db.prepare('SELECT * FROM ttl_reports WHERE project = ?').all(this.project) as Array<{
        instance_id: string;
        check_id: string;
        status: string;
        output: string;
        at: number;
      }>
    ).map((r) => ({
      instanceId: r.instance_id,
      checkId: r.check_id,
      status: r.status as TtlRecord['status'],
      output: r.output,
      at: r.at,
    }));
  }

  async *watch(fromIndex: number, signal: AbortSignal): AsyncIterable<StoreEvent> {
    let last = fromIndex;
    const query = this.db.prepare(
      'SELECT idx, kind, instance_id, check_id, at FROM changes WHERE idx > ? AND project = ? ORDER BY idx LIMIT 1000',
    );
    // Subscribed before the first read: a commit after that read always wakes this loop.
    const waiter = this.changes.subscribe();
    try {
      // A store closed under the watch ends it (its handle can no longer be read).
      while (!signal.aborted && this.db.open) {
        waiter.arm();
        const rows = query.all(last, this.project) as Array<{
          idx: number;
          kind: StoreEvent['kind'];
          instance_id: string;
          check_id: string | null;
          at: number;
        }>;
        for (const r of rows) {
          last = r.idx;
          yield {
            index: r.idx,
            kind: r.kind,
            instanceId: r.instance_id,
            ...(r.check_id ? { checkId: r.check_id } : {}),
            at: r.at,
          };
        }
        if (rows.length === 0) await waiter.next(signal);
      }
    } finally {
      waiter.close();
    }
  }

  /**
   * SQLite is one host's catalog: there is no lease to tie entries to, so the session's store
   * is this store and the agent's instances stay until a sync or deregister removes them.
   */
  async openSession(options: SessionOptions): Promise<StoreSession> {
    return { store: this, host: options.host, leased: false, ttlSeconds: 0, close: async () => {} };
  }

  async close(): Promise<void> {
    if (!this.owner) return;
    this.changes.close();
    signals.delete(this.db);
    this.db.close();
  }

  /**
   * The project's whole catalog, which the agent, the monitor and the balancers read on every
   * change: kept parsed per handle and patched from the change log (only the instances named by
   * the changes since the cached index are read again), in one read transaction so the rows and
   * the index agree. Other processes' writes are in the change log too. A fresh array each call;
   * the Instance objects are shared between callers, who never modify them.
   */
  private allInstances(): Instance[] {
    return this.db.transaction(() => {
      let caches = instanceCaches.get(this.db);
      if (!caches) {
        caches = new Map();
        instanceCaches.set(this.db, caches);
      }
      const index = this.currentIndex();
      let cache = caches.get(this.project);
      if (cache?.index === index) return cache.list.slice();
      const changed = cache ? this.instancesChangedSince(cache.index) : undefined;
      if (!cache || !changed || changed.length > patchLimit) {
        const rows = this.db
          .prepare('SELECT * FROM instances WHERE project = ? ORDER BY service, id')
          .all(this.project) as InstanceRow[];
        const list = rows.map(toInstance);
        cache = { index, byId: new Map(list.map((i) => [i.id, i])), list };
        caches.set(this.project, cache);
        return list.slice();
      }
      const read = this.db.prepare('SELECT * FROM instances WHERE project = ? AND id = ?');
      for (const id of changed) {
        const row = read.get(this.project, id) as InstanceRow | undefined;
        if (row) cache.byId.set(id, toInstance(row));
        else cache.byId.delete(id);
      }
      if (changed.length > 0) cache.list = [...cache.byId.values()].sort(byServiceThenId);
      cache.index = index;
      return cache.list.slice();
    })();
  }

  /** Ids of this project's instances written after `index`; undefined if the log no longer reaches back. */
  private instancesChangedSince(index: number): string[] | undefined {
    const oldest = (this.db.prepare('SELECT MIN(idx) AS idx FROM changes').get() as { idx: number | null })
      .idx;
    if (oldest !== null && oldest > index + 1) return undefined;
    return (
      this.db
        .prepare(
          `SELECT DISTINCT instance_id FROM changes WHERE idx > ? AND project = ? AND kind IN ('instance-upsert', 'instance-delete')`,
        )
        .all(index, this.project) as Array<{ instance_id: string }>
    ).map((r) => r.instance_id);
  }

  private currentIndex(): number {
    return (this.db.prepare('SELECT COALESCE(MAX(idx), 0) AS idx FROM changes').get() as { idx: number }).idx;
  }

  private write<T>(fn: () => T): T {
    const result = this.db.transaction(fn).immediate();
    if (++this.writes % 1000 === 0) this.prune();
    // Committed: this process's watchers read it now (other processes see it in the WAL).
    this.changes.notify();
    return result;
  }

  private upsertInstance(instance: Instance): void {
    const index = this.logChange('instance-upsert', instance.id);
    this.db
      .prepare(
        `INSERT INTO instances (project, id, service, address, port, protocol, tags, meta, source, checks, modify_index)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (project, id) DO UPDATE SET service = excluded.service, address = excluded.address, port = excluded.port,
           protocol = excluded.protocol, tags = excluded.tags, meta = excluded.meta, source = excluded.source,
           checks = excluded.checks, modify_index = excluded.modify_index`,
      )
      .run(this.project, ...instanceParams(instance, index));
    // Checks that no longer exist lose their state (history stays for availability figures).
    const ids = instance.checks.map((c) => c.id);
    this.db
      .prepare(
        `DELETE FROM check_states WHERE project = ? AND instance_id = ? AND check_id NOT IN (${ids.map(() => '?').join(',') || "''"})`,
      )
      .run(this.project, instance.id, ...ids);
  }

  private deleteInstance(id: string): void {
    for (const table of ['instances', 'check_states', 'ttl_reports'])
      this.db
        .prepare(
          `DELETE FROM ${table} WHERE project = ? AND ${table === 'instances' ? 'id' : 'instance_id'} = ?`,
        )
        .run(this.project, id);
    this.logChange('instance-delete', id);
  }

  private logChange(kind: StoreEvent['kind'], instanceId: string, checkId?: string): number {
    return Number(
      this.db
        .prepare('INSERT INTO changes (project, kind, instance_id, check_id, at) VALUES (?, ?, ?, ?, ?)')
        .run(this.project, kind, instanceId, checkId ?? null, this.now()).lastInsertRowid,
    );
  }

  /** Bound the change log and history; the index stays monotonic (AUTOINCREMENT never reuses). */
  private prune(): void {
    const max = this.currentIndex();
    this.db.prepare('DELETE FROM changes WHERE idx <= ?').run(max - keepChanges);
    this.db.prepare('DELETE FROM history WHERE at < ?').run(this.now() - keepHistoryMs);
  }
}

/** SQLite's ORDER BY service, id (binary collation) for the cached list. */
function byServiceThenId(a: Instance, b: Instance): number {
  if (a.service !== b.service) return a.service < b.service ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
