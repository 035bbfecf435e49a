import { PorticoError } from '../core/errors.js';
import type { CheckState, Instance, Service } from '../core/model.js';
import type {
  InstanceFilter,
  SessionOptions,
  StatusChange,
  Store,
  StoreEvent,
  StoreSession,
  SyncResult,
  TtlRecord,
} from '../store/index.js';

/** Whether the catalog answered lately: shared by every view of one agent. */
export class Freshness {
  private failing = false;
  private since: number | undefined;
  private readonly listeners = new Set<(stale: boolean) => void>();

  get stale(): boolean {
    return this.failing;
  }

  /** When the store stopped answering (epoch ms), while stale. */
  get staleSince(): number | undefined {
    return this.since;
  }

  ok(): void {
    if (!this.failing) return;
    this.failing = false;
    this.since = undefined;
    for (const l of this.listeners) l(false);
  }

  failed(): void {
    if (this.failing) return;
    this.failing = true;
    this.since = Date.now();
    for (const l of this.listeners) l(true);
  }

  onChange(listener: (stale: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

function unavailable(error: unknown): boolean {
  return error instanceof PorticoError && error.code === 'E_STORE_UNAVAILABLE';
}

/**
 * A catalog view that keeps serving the last answer it got when the store is unreachable
 * (E_STORE_UNAVAILABLE), and says so through `Freshness`: an agent cut off from etcd goes on
 * answering its API with what it knew, marked `stale: true`, instead of failing every request.
 * Writes are not faked: they fail as before (a session replays its own after the heal).
 */
/**
 * At most this many answers are kept (least recently answered dropped first): one per instance
 * for instance, check-state and history reads, so 10,000 instances stay well inside it.
 */
const maxAnswers = 50_000;

export class LastKnownStore implements Store {
  private readonly answers: Map<string, unknown>;

  constructor(
    private readonly inner: Store,
    readonly freshness: Freshness,
    answers?: Map<string, unknown>,
  ) {
    this.answers = answers ?? new Map();
  }

  get project(): string {
    return this.inner.project;
  }

  inProject(project: string): Store {
    return new LastKnownStore(this.inner.inProject(project), this.freshness);
  }

  listProjects(): Promise<string[]> {
    return this.read('projects', () => this.inner.listProjects());
  }

  index(): Promise<number> {
    return this.read('index', () => this.inner.index());
  }

  syncSource(source: string, instances: Instance[]): Promise<SyncResult> {
    return this.write(() => this.inner.syncSource(source, instances));
  }

  register(instance: Instance): Promise<void> {
    return this.write(() => this.inner.register(instance));
  }

  deregister(id: string): Promise<boolean> {
    return this.write(() => this.inner.deregister(id));
  }

  listServices(): Promise<Service[]> {
    return this.read('services', () => this.inner.listServices());
  }

  listInstances(filter?: InstanceFilter): Promise<Instance[]> {
    return this.read(`instances ${JSON.stringify(filter ?? {})}`, () => this.inner.listInstances(filter));
  }

  getInstance(id: string): Promise<Instance | undefined> {
    return this.read(`instance ${id}`, () => this.inner.getInstance(id));
  }

  putCheckState(state: CheckState): Promise<void> {
    return this.write(() => this.inner.putCheckState(state));
  }

  checkStates(instanceId?: string): Promise<CheckState[]> {
    return this.read(`states ${instanceId ?? ''}`, () => this.inner.checkStates(instanceId));
  }

  /**
   * One answer per instance, not per `since` (callers pass "now minus a window", a new value on
   * every call, which kept one more answer per read). While stale, the last answer is cut to the
   * requested window; a wider window than the one last asked gets what there was.
   */
  async history(instanceId: string, since: number): Promise<StatusChange[]> {
    return windowFrom(
      await this.read(`history ${instanceId}`, () => this.inner.history(instanceId, since)),
      since,
    );
  }

  /** One answer kept, cut to the requested window while stale (as `history`). */
  async histories(since: number): Promise<Map<string, StatusChange[]>> {
    const all = await this.read('histories', () => this.inner.histories(since));
    return new Map([...all].map(([id, changes]) => [id, windowFrom(changes, since)]));
  }

  reportTtl(record: TtlRecord): Promise<void> {
    return this.write(() => this.inner.reportTtl(record));
  }

  ttlReports(): Promise<TtlRecord[]> {
    return this.read('ttl', () => this.inner.ttlReports());
  }

  openSession(options: SessionOptions): Promise<StoreSession> {
    return this.inner.openSession(options);
  }

  watch(fromIndex: number, signal: AbortSignal): AsyncIterable<StoreEvent> {
    return this.inner.watch(fromIndex, signal);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private async read<T>(key: string, fn: () => Promise<T>): Promise<T> {
    // Known to be cut off: answer at once with what we had (a refresh runs behind), rather than
    // making every API caller wait out the store's timeout.
    if (this.freshness.stale && this.answers.has(key)) {
      this.refresh(key, fn);
      return this.answers.get(key) as T;
    }
    try {
      const value = await fn();
      this.remember(key, value);
      this.freshness.ok();
      return value;
    } catch (error) {
      if (!unavailable(error)) throw error;
      this.freshness.failed();
      if (this.answers.has(key)) return this.answers.get(key) as T;
      throw error;
    }
  }

  private readonly refreshing = new Set<string>();

  private refresh<T>(key: string, fn: () => Promise<T>): void {
    if (this.refreshing.has(key)) return;
    this.refreshing.add(key);
    fn()
      .then((value) => {
        this.remember(key, value);
        this.freshness.ok();
      })
      .catch(() => undefined)
      .finally(() => this.refreshing.delete(key));
  }

  private remember(key: string, value: unknown): void {
    this.answers.delete(key); // re-inserted last: the Map's order is the order of last use
    this.answers.set(key, value);
    if (this.answers.size > maxAnswers) this.answers.delete(this.answers.keys().next().value!);
  }

  private async write<T>(fn: () => Promise<T>): Promise<T> {
    try {
      const value = await fn();
      this.freshness.ok();
      return value;
    } catch (error) {
      if (unavailable(error)) this.freshness.failed();
      throw error;
    }
  }
}

/**
 * A history answer cut to the window from `since`, as the stores answer it: per check, the last
 * change before `since` (the status at the window's start), then every change in it, in order.
 */
export function windowFrom(changes: StatusChange[], since: number): StatusChange[] {
  const before = new Map<string, StatusChange>();
  for (const c of changes) {
    if (c.at < since && (before.get(c.checkId)?.at ?? -Infinity) <= c.at) before.set(c.checkId, c);
  }
  return [...before.values(), ...changes.filter((c) => c.at >= since)];
}
