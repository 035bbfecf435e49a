import { setTimeout as sleep } from 'node:timers/promises';
import { Etcd3, type IKeyValue, type IOperation } from 'etcd3';
import { PorticoError } from '../../core/errors.js';
import type { CheckState, Instance, Service } from '../../core/model.js';
import { sameInstance } from '../sqlite/rows.js';
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
import { storeUnavailable } from './errors.js';
import { EtcdKeys } from './keys.js';
import { clientOptions, type EtcdLocation } from './options.js';
import { EtcdSession, hostMetaKey, type SessionLink } from './session.js';
import { watchChanges } from './watch.js';

const defaultProject = 'default';
/**
 * Status changes kept per check; the oldest go when a new one is appended. Changes are rare
 * (only transitions are recorded), so this covers weeks of a flapping check.
 */
const keepHistoryPerCheck = 500;
/** etcd refuses a transaction with more than 128 operations (--max-txn-ops); stay below. */
const maxOpsPerTxn = 100;
/** Optimistic transactions retry when another writer got there first; bounded. */
const maxAttempts = 50;

type ChangeEvent = Omit<StoreEvent, 'index' | 'at'>;

/** The value of `<project>/changes`: what one transaction changed. */
export interface ChangeRecord {
  at: number;
  events: ChangeEvent[];
}

interface Guard {
  key: string;
  /** Expected mod revision (0: the key must not exist). */
  mod: number;
}

export interface EtcdStoreOptions {
  location: EtcdLocation;
  project?: string;
  now?: () => number;
  /** Status changes kept per check (default 500). */
  keepHistoryPerCheck?: number;
}

interface Shared {
  client: Etcd3;
  location: EtcdLocation;
  now: () => number;
  keepHistoryPerCheck: number;
  /** The revision of the latest lease expiry this client's watches saw (0: none). */
  expiredAt: number;
}

function rev(value: string | number | undefined): number {
  return value === undefined ? 0 : Number(value);
}

/** An instance as stored, with what a compare-and-swap and a session need of its key. */
interface InstanceRecord {
  instance: Instance;
  mod: number;
  lease: string | undefined;
}

/** Catalogs smaller than this are read whole: one round trip, and little to parse. */
const incrementalFrom = 500;

/**
 * One instance's history entries as `history` answers: the last change before `since` per check
 * (the status when the window opens), then every change since, by time then sequence.
 */
function historyWindow(kvs: IKeyValue[], since: number): StatusChange[] {
  // Keys sort by check, then time, then sequence.
  const entries = kvs.map((kv) => ({
    key: kv.key.toString(),
    change: JSON.parse(kv.value.toString()) as StatusChange,
  }));
  const before = new Map<string, StatusChange>();
  const window: Array<{ key: string; change: StatusChange }> = [];
  for (const e of entries) {
    if (e.change.at < since) before.set(e.change.checkId, e.change);
    else window.push(e);
  }
  const tail = (key: string) => key.slice(key.lastIndexOf('/') + 1);
  window.sort((a, b) => a.change.at - b.change.at || compare(tail(a.key), tail(b.key)));
  return [...before.values(), ...window.map((w) => w.change)];
}

function instanceRecord(kv: IKeyValue): InstanceRecord {
  const instance = JSON.parse(kv.value.toString()) as Instance;
  const lease = kv.lease && kv.lease !== '0' ? String(kv.lease) : undefined;
  return { instance, mod: rev(kv.mod_revision), lease };
}

/**
 * The catalog in etcd, for several hosts sharing one catalog. The change index is etcd's
 * revision of the last Portico write (the mod revision of `<root>/_index`, which every write
 * transaction touches); watches are etcd watches on the project's `changes` key from a revision.
 * Writes that read before they write compare mod revisions in the same transaction
 * (compare-and-swap) and retry, so concurrent writers never lose or duplicate an update.
 */
export class EtcdStore implements Store {
  readonly project: string;
  private readonly shared: Shared;
  private readonly keys: EtcdKeys;
  private readonly owner: boolean;
  /** The project's instances as last read, for `readInstances` to update. */
  private instanceCache:
    | { rev: number; byKey: Map<string, InstanceRecord>; byId: Map<string, InstanceRecord> }
    | undefined;

  constructor(
    options: EtcdStoreOptions,
    shared?: Shared,
    /** Set on a session's views: instance writes go under the host's lease. */
    private readonly link?: SessionLink,
  ) {
    this.shared = shared ?? {
      client: new Etcd3(clientOptions(options.location)),
      location: options.location,
      now: options.now ?? Date.now,
      keepHistoryPerCheck: options.keepHistoryPerCheck ?? keepHistoryPerCheck,
      expiredAt: 0,
    };
    this.owner = shared === undefined;
    this.project = options.project ?? defaultProject;
    this.keys = new EtcdKeys(`${this.shared.location.prefix}/v1`, this.project);
  }

  /** Open and check that etcd answers, so a one-shot command fails fast with a clear error. */
  static async open(options: EtcdStoreOptions): Promise<EtcdStore> {
    const store = new EtcdStore(options);
    try {
      // One call's deadline, not the client's retries: an unreachable cluster fails in seconds.
      await store.call(
        async () => await store.client.get(store.keys.index).exec(),
        options.location.timeoutMs,
      );
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  }

  /** The etcd client and key root, for cluster features beside the catalog (src/cluster/). */
  get client(): Etcd3 {
    return this.shared.client;
  }

  get location(): EtcdLocation {
    return this.shared.location;
  }

  get root(): string {
    return this.keys.root;
  }

  inProject(project: string): Store {
    return new EtcdStore({ location: this.shared.location, project }, this.shared, this.link);
  }

  async openSession(options: SessionOptions): Promise<StoreSession> {
    const ttlSeconds = options.ttlSeconds ?? this.shared.location.leaseTtlSeconds;
    const session: EtcdSession = new EtcdSession(
      this.client,
      this.shared.location,
      { ...options, ttlSeconds },
      (project) => new EtcdStore({ location: this.shared.location, project }, this.shared, session),
    );
    await this.call(async () => await session.start());
    session.store = new EtcdStore(
      { location: this.shared.location, project: this.project },
      this.shared,
      session,
    );
    return session;
  }

  /** The instance as this session's host writes it: tagged with the host. */
  private owned(instance: Instance): Instance {
    return this.link ? { ...instance, meta: { ...instance.meta, [hostMetaKey]: this.link.host } } : instance;
  }

  /** The lease a session view writes under; a lost lease fails the write (the session replays it). */
  private leaseOf(): string | undefined {
    if (!this.link) return undefined;
    const id = this.link.leaseId();
    if (id === undefined) {
      throw new PorticoError('E_STORE_UNAVAILABLE', `the etcd lease of host ${this.link.host} is lost`, {
        hint: 'etcd was unreachable for longer than the lease TTL; the agent writes its instances again when etcd answers.',
      });
    }
    return id;
  }

  async listProjects(): Promise<string[]> {
    return this.call(async () => {
      const keys = await this.client.getAll().prefix(`${this.keys.root}/`).keys();
      const projects = new Set(
        keys.map((k) => this.keys.projectOfInstanceKey(k)).filter((p) => p !== undefined),
      );
      return [...projects].sort();
    });
  }

  /**
   * The revision of the last Portico write, or of a later lease expiry one of this client's
   * watches has seen: etcd deletes an expired host's instances without touching `_index`, and
   * readers keyed on the index (the agent's shared catalog read, Consul's X-Consul-Index) must
   * see them gone. A process that watches nothing sees expiries only through the instances.
   */
  async index(): Promise<number> {
    return this.call(async () => {
      const res = await this.client.get(this.keys.index).exec();
      return Math.max(rev(res.kvs[0]?.mod_revision), this.shared.expiredAt);
    });
  }

  async syncSource(source: string, instances: Instance[]): Promise<SyncResult> {
    // A large sync is several transactions: allow one more timeout per 50 instances.
    const boundMs = this.shared.location.timeoutMs * (3 + Math.ceil(instances.length / 50));
    return this.call(async () => {
      const result: SyncResult = { added: [], removed: [], changed: [], index: 0 };
      const wanted = new Map(instances.map((i) => [i.id, this.owned({ ...i, source })]));
      this.link?.wantSource(this.project, source, instances);
      for (let attempt = 0; attempt < maxAttempts; attempt++) {
        const lease = this.leaseOf();
        const current = await this.readInstances();
        const checkKeys = await this.client.getAll().prefix(this.keys.checks).keys();
        const plan: Array<{
          guard: Guard;
          ops: IOperation[];
          event: ChangeEvent;
          list: string[];
          id: string;
        }> = [];
        for (const [id, { instance, mod }] of current) {
          if (instance.source !== source || wanted.has(id)) continue;
          // Through a session, a source is this host's part of it: other hosts' stay.
          if (this.link && instance.meta[hostMetaKey] !== this.link.host) continue;
          plan.push({
            guard: { key: this.keys.instance(id), mod },
            ops: this.deleteInstanceOps(id),
            event: { kind: 'instance-delete', instanceId: id },
            list: result.removed,
            id,
          });
        }
        for (const [id, instance] of wanted) {
          const before = current.get(id);
          if (before && sameInstance(before.instance, instance) && before.lease === lease) continue;
          plan.push({
            guard: { key: this.keys.instance(id), mod: before?.mod ?? 0 },
            ops: this.upsertOps(instance, checkKeys, lease),
            event: { kind: 'instance-upsert', instanceId: id },
            list: before ? result.changed : result.added,
            id,
          });
        }
        if (plan.length === 0) {
          result.index = await this.index();
          return result;
        }
        // One transaction when it fits (atomic); otherwise consecutive guarded chunks. A chunk
        // that loses a race makes us read again and plan only what is still missing.
        let lost = false;
        for (const chunk of chunks(plan, (p) => p.ops.length)) {
          const committed = await this.commit(
            chunk.map((p) => p.guard),
            chunk.flatMap((p) => p.ops),
            chunk.map((p) => p.event),
          );
          if (committed === undefined) {
            lost = true;
            break;
          }
          for (const p of chunk) p.list.push(p.id);
          result.index = committed;
        }
        if (!lost) return result;
        await backoff(attempt);
      }
      throw this.contended('sync');
    }, boundMs);
  }

  async register(given: Instance): Promise<void> {
    const instance = this.owned(given);
    this.link?.wantInstance(this.project, given);
    await this.call(async () => {
      for (let attempt = 0; attempt < maxAttempts; attempt++) {
        const lease = this.leaseOf();
        const key = this.keys.instance(instance.id);
        const [existing, checkKeys] = await Promise.all([
          this.client.get(key).exec(),
          this.client.getAll().prefix(this.keys.checksOf(instance.id)).keys(),
        ]);
        const committed = await this.commit(
          [{ key, mod: rev(existing.kvs[0]?.mod_revision) }],
          this.upsertOps(instance, checkKeys, lease),
          [{ kind: 'instance-upsert', instanceId: instance.id }],
        );
        if (committed !== undefined) return;
        await backoff(attempt);
      }
      throw this.contended('register');
    });
  }

  async deregister(id: string): Promise<boolean> {
    this.link?.forgetInstance(this.project, id);
    return this.call(async () => {
      const res = await this.client
        .if(this.keys.instance(id), 'Create', '>', 0)
        .then(...this.deleteInstanceOps(id), ...this.changeOps([{ kind: 'instance-delete', instanceId: id }]))
        .commit();
      return res.succeeded;
    });
  }

  async listServices(): Promise<Service[]> {
    const services = new Map<string, Set<string>>();
    for (const i of await this.listInstances()) {
      const tags = services.get(i.service) ?? new Set<string>();
      for (const t of i.tags) tags.add(t);
      services.set(i.service, tags);
    }
    return [...services]
      .sort(([a], [b]) => compare(a, b))
      .map(([name, tags]) => ({ name, tags: [...tags].sort(), meta: {} }));
  }

  async listInstances(filter: InstanceFilter = {}): Promise<Instance[]> {
    return this.call(async () =>
      [...(await this.readInstances()).values()]
        .map((r) => r.instance)
        .filter(
          (i) =>
            (!filter.service || i.service === filter.service) &&
            (!filter.source || i.source === filter.source),
        )
        .sort((a, b) => compare(a.service, b.service) || compare(a.id, b.id)),
    );
  }

  async getInstance(id: string): Promise<Instance | undefined> {
    return this.call(async () => {
      const value = await this.client.get(this.keys.instance(id)).string();
      return value === null ? undefined : (JSON.parse(value) as Instance);
    });
  }

  async putCheckState(state: CheckState): Promise<void> {
    await this.call(async () => {
      const key = this.keys.check(state.instanceId, state.checkId);
      for (let attempt = 0; attempt < maxAttempts; attempt++) {
        const res = await this.client.get(key).exec();
        const kv = res.kvs[0];
        const previous = kv ? (JSON.parse(kv.value.toString()) as CheckState) : undefined;
        const mod = rev(kv?.mod_revision);
        const ops: IOperation[] = [this.leased(this.client.put(key).value(JSON.stringify(state)))];
        let events: ChangeEvent[] = [];
        if (previous?.status !== state.status) {
          const change: StatusChange = {
            instanceId: state.instanceId,
            checkId: state.checkId,
            status: state.status,
            at: state.since,
          };
          // The check key's revision is unique per check and only grows: a stable tie-breaker.
          ops.push(
            this.client
              .put(this.keys.historyEntry(state.instanceId, state.checkId, state.since, mod))
              .value(JSON.stringify(change)),
            ...(await this.pruneHistoryOps(state.instanceId, state.checkId)),
          );
          events = [{ kind: 'check-state', instanceId: state.instanceId, checkId: state.checkId }];
        }
        if ((await this.commit([{ key, mod }], ops, events)) !== undefined) return;
        await backoff(attempt);
      }
      throw this.contended('check state');
    });
  }

  async checkStates(instanceId?: string): Promise<CheckState[]> {
    return this.call(async () => {
      const prefix = instanceId === undefined ? this.keys.checks : this.keys.checksOf(instanceId);
      const values = Object.values(await this.client.getAll().prefix(prefix).strings());
      return values
        .map((v) => JSON.parse(v) as CheckState)
        .sort((a, b) => compare(a.instanceId, b.instanceId) || compare(a.checkId, b.checkId));
    });
  }

  async history(instanceId: string, since: number): Promise<StatusChange[]> {
    return this.call(async () => {
      const res = await this.client.getAll().prefix(this.keys.historyOf(instanceId)).exec();
      return historyWindow(res.kvs, since);
    });
  }

  async histories(since: number): Promise<Map<string, StatusChange[]>> {
    return this.call(async () => {
      const res = await this.client.getAll().prefix(this.keys.histories).exec();
      // Keys sort by instance, then check, time and sequence: one run of keys per instance.
      const byInstance = new Map<string, IKeyValue[]>();
      for (const kv of res.kvs) {
        const key = kv.key.toString();
        const instance = key.slice(this.keys.histories.length, key.indexOf('/', this.keys.histories.length));
        let list = byInstance.get(instance);
        if (list === undefined) {
          list = [];
          byInstance.set(instance, list);
        }
        list.push(kv);
      }
      const out = new Map<string, StatusChange[]>();
      for (const [segment, kvs] of byInstance)
        out.set(decodeURIComponent(segment), historyWindow(kvs, since));
      return out;
    });
  }

  async reportTtl(record: TtlRecord): Promise<void> {
    await this.call(async () => {
      const committed = await this.commit(
        [],
        [
          this.leased(
            this.client.put(this.keys.ttl(record.instanceId, record.checkId)).value(JSON.stringify(record)),
          ),
        ],
        [{ kind: 'ttl-report', instanceId: record.instanceId, checkId: record.checkId }],
      );
      if (committed === undefined) throw this.contended('ttl report');
    });
  }

  async ttlReports(): Promise<TtlRecord[]> {
    return this.call(async () =>
      Object.values(await this.client.getAll().prefix(this.keys.ttls).strings()).map(
        (v) => JSON.parse(v) as TtlRecord,
      ),
    );
  }

  watch(fromIndex: number, signal: AbortSignal): AsyncIterable<StoreEvent> {
    return watchChanges(
      this.client,
      { changes: this.keys.changes, instances: this.keys.instances },
      fromIndex,
      signal,
      {
        onExpired: (revision) => {
          this.shared.expiredAt = Math.max(this.shared.expiredAt, revision);
        },
      },
    );
  }

  async close(): Promise<void> {
    if (this.owner) this.client.close();
  }

  /**
   * Every instance of the project, by id, with its key's mod revision and lease. A large catalog is kept between calls and brought up
   * to date with small reads instead of one large one: the instance keys written since the
   * cached revision (the only values read and parsed), and how many instance keys exist at that
   * same revision, which shows whether any were deleted — by Portico, or by etcd itself when a
   * host's lease expires. Only then are the keys listed (keys only) to see which. At 10,000
   * instances a full read costs ~40 ms of etcd's time plus parsing every value, each time the
   * catalog is read (a blocking query woken by any change did so). Any failure of these reads,
   * or a key they cannot account for, falls back to a full read.
   */
  private async readInstances(): Promise<ReadonlyMap<string, InstanceRecord>> {
    const cache = this.instanceCache;
    if (cache === undefined || cache.byKey.size < incrementalFrom) return await this.readAllInstances();
    try {
      const prefix = this.keys.instances;
      const changed = await this.client
        .getAll()
        .prefix(prefix)
        .minModRevision(cache.rev + 1)
        .exec();
      const at = Number(changed.header.revision);
      if (at === cache.rev) return cache.byId;
      const updates = new Map(changed.kvs.map((kv) => [kv.key.toString(), instanceRecord(kv)]));
      let created = 0;
      for (const key of updates.keys()) if (!cache.byKey.has(key)) created++;
      const count = await this.client.getAll().prefix(prefix).revision(at).count();
      const byKey = new Map<string, InstanceRecord>();
      const byId = new Map<string, InstanceRecord>();
      if (count === cache.byKey.size + created) {
        // Nothing deleted: the kept catalog plus what was written.
        if (updates.size === 0) {
          this.instanceCache = { ...cache, rev: at };
          return cache.byId;
        }
        for (const [key, r] of cache.byKey) byKey.set(key, updates.get(key) ?? r);
        for (const [key, r] of updates) byKey.set(key, r);
      } else {
        for (const key of await this.client.getAll().prefix(prefix).revision(at).keys()) {
          const r = updates.get(key) ?? cache.byKey.get(key);
          if (r === undefined) return await this.readAllInstances();
          byKey.set(key, r);
        }
      }
      for (const r of byKey.values()) byId.set(r.instance.id, r);
      this.instanceCache = { rev: at, byKey, byId };
      return byId;
    } catch {
      return await this.readAllInstances();
    }
  }

  private async readAllInstances(): Promise<ReadonlyMap<string, InstanceRecord>> {
    const res = await this.client.getAll().prefix(this.keys.instances).exec();
    const byKey = new Map<string, InstanceRecord>();
    const byId = new Map<string, InstanceRecord>();
    for (const kv of res.kvs) {
      const r = instanceRecord(kv);
      byKey.set(kv.key.toString(), r);
      byId.set(r.instance.id, r);
    }
    this.instanceCache = { rev: Number(res.header.revision), byKey, byId };
    return byId;
  }

  /** A put through a session view carries the host's lease (check states and TTL reports too). */
  private leased<T extends { lease(id: string): T }>(put: T): T {
    const id = this.link?.leaseId();
    return id === undefined ? put : put.lease(id);
  }

  private upsertOps(instance: Instance, checkKeys: string[], lease?: string): IOperation[] {
    // Checks that no longer exist lose their state (history stays for availability figures).
    const keep = new Set(instance.checks.map((c) => this.keys.check(instance.id, c.id)));
    const prefix = this.keys.checksOf(instance.id);
    return [
      lease === undefined
        ? this.client.put(this.keys.instance(instance.id)).value(JSON.stringify(instance))
        : this.client.put(this.keys.instance(instance.id)).value(JSON.stringify(instance)).lease(lease),
      ...checkKeys
        .filter((k) => k.startsWith(prefix) && !keep.has(k))
        .map((k) => this.client.delete().key(k)),
    ];
  }

  private deleteInstanceOps(id: string): IOperation[] {
    return [
      this.client.delete().key(this.keys.instance(id)),
      this.client.delete().prefix(this.keys.checksOf(id)),
      this.client.delete().prefix(this.keys.ttlsOf(id)),
    ];
  }

  /** A write always records its events and touches the index key, in the same transaction. */
  private changeOps(events: ChangeEvent[]): IOperation[] {
    if (events.length === 0) return [];
    const record: ChangeRecord = { at: this.shared.now(), events };
    return [
      this.client.put(this.keys.changes).value(JSON.stringify(record)),
      this.client.put(this.keys.index).value(this.project),
    ];
  }

  /** Commit when every guard still holds; the revision of the write, or undefined if a guard failed. */
  private async commit(
    guards: Guard[],
    ops: IOperation[],
    events: ChangeEvent[],
  ): Promise<number | undefined> {
    // An always-true comparison when nothing is guarded (a transaction needs one to start).
    const [first = { key: this.keys.index, mod: -1 }, ...rest] = guards;
    let txn = this.client.if(first.key, 'Mod', first.mod < 0 ? '>' : '==', first.mod);
    for (const g of rest) txn = txn.and(g.key, 'Mod', '==', g.mod);
    const res = await txn.then(...ops, ...this.changeOps(events)).commit();
    return res.succeeded ? rev(res.header.revision) : undefined;
  }

  private async pruneHistoryOps(instanceId: string, checkId: string): Promise<IOperation[]> {
    const keys = await this.client.getAll().prefix(this.keys.historyOfCheck(instanceId, checkId)).keys();
    // Keys sort oldest first; the append makes one more.
    const excess = keys.length + 1 - this.shared.keepHistoryPerCheck;
    return keys
      .slice(0, Math.max(0, Math.min(excess, maxOpsPerTxn / 2)))
      .map((k) => this.client.delete().key(k));
  }

  private contended(what: string): PorticoError {
    return new PorticoError('E_STORE_UNAVAILABLE', `etcd ${what} kept losing to concurrent writers`, {
      hint: 'Retry; many writers are changing the same instances at once.',
    });
  }

  /**
   * Run one store operation: client failures become E_STORE_UNAVAILABLE, and the whole
   * operation is bounded (the client retries a failed call a few times, each up to the
   * deadline). A write cut off by the bound may still have been applied: the message says so.
   */
  private async call<T>(fn: () => Promise<T>, boundMs = this.shared.location.timeoutMs * 3): Promise<T> {
    const timer = new AbortController();
    const hosts = this.shared.location.hosts;
    const expired = sleep(boundMs, undefined, { signal: timer.signal }).then(
      () => {
        throw new PorticoError(
          'E_STORE_UNAVAILABLE',
          `etcd at ${hosts.join(', ')} did not answer within ${boundMs} ms`,
          {
            hint: 'Check that etcd is running and reachable (or raise timeout= in the store URL); a write that timed out may still have been applied.',
            details: { endpoints: hosts },
          },
        );
      },
      () => undefined as never,
    );
    try {
      return await Promise.race([fn(), expired]);
    } catch (error) {
      // A session write that did not land is written again when etcd answers (session.ts).
      this.link?.failed();
      throw storeUnavailable(error, hosts);
    } finally {
      timer.abort();
    }
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Split a plan so no transaction exceeds etcd's operation limit (2 ops left for the change record). */
function chunks<T>(items: T[], size: (item: T) => number): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let ops = 0;
  for (const item of items) {
    const n = size(item);
    if (current.length > 0 && (ops + n + 2 > maxOpsPerTxn || current.length + 1 > maxOpsPerTxn)) {
      out.push(current);
      current = [];
      ops = 0;
    }
    current.push(item);
    ops += n;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** Short randomized pause after losing a race, so retrying writers spread out. */
async function backoff(attempt: number): Promise<void> {
  await sleep(Math.random() * Math.min(50, 2 + attempt * 5));
}
