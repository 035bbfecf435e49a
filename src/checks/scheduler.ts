import { setMaxListeners } from 'node:events';
import { hash32 } from '../core/hash.js';
import type { CheckDefinition, CheckResult, CheckState, HealthStatus } from '../core/model.js';
import type { TtlReport } from './probe.js';
import { type RunCheckOptions, runCheck } from './run-check.js';
import { Semaphore } from './semaphore.js';
import { advance, initialState, type MachineState } from './status-machine.js';

export interface ScheduledCheck {
  instanceId: string;
  address: string;
  port: number;
  check: CheckDefinition;
}

export interface SchedulerOptions {
  /** Most probes at work at once (one that only waits, `ProbeContext.waiting`, gives its slot back). */
  concurrency?: number;
  /** Overrides every check's interval (`portico discovery monitor 60`). */
  intervalMs?: number;
  env?: NodeJS.ProcessEnv;
  now?: () => number;
  /** Runs a check; replaceable in tests. */
  run?: (
    check: CheckDefinition,
    target: { address: string; port: number; instanceId: string },
    options: RunCheckOptions,
  ) => Promise<CheckResult>;
  onResult?: (target: ScheduledCheck, result: CheckResult, state: CheckState) => void;
  /** Called when the settled status changes (including the first result). */
  onTransition?: (state: CheckState, previous: HealthStatus | undefined) => void;
  /** Called once when an instance stayed critical longer than a check's deregisterAfterMs. */
  onDeregister?: (instanceId: string) => void;
  /** Reports of TTL checks made elsewhere (the store); in-process reports come via reportTtl. */
  ttlReport?: (instanceId: string, checkId: string) => TtlReport | undefined;
}

interface Entry {
  key: string;
  target: ScheduledCheck;
  interval: number;
  /** Planned start of the next run (fixed rate: plan += interval, never drifting). */
  planned: number;
  timer?: NodeJS.Timeout;
  running: boolean;
  machine: MachineState;
  state?: CheckState;
  removed: boolean;
}

/** Lateness of runs (actual start − planned start), for the scheduler benchmark. */
export interface SchedulerStats {
  runs: number;
  lateness: number[];
}

/**
 * Runs every scheduled check at its interval. First runs are spread across the interval (a
 * stable offset from the check's key, so restarts don't stampede), a check never overlaps
 * itself, and a semaphore bounds concurrency. The set of checks can change while it runs.
 */
export class Scheduler {
  private readonly entries = new Map<string, Entry>();
  private readonly semaphore: Semaphore;
  private readonly ttl = new Map<string, TtlReport>();
  private readonly deregistered = new Set<string>();
  private readonly now: () => number;
  private readonly controller = new AbortController();
  private running = false;
  readonly stats: SchedulerStats = { runs: 0, lateness: [] };
  /** Keep lateness samples for the benchmark only when asked (memory). */
  recordLateness = false;

  constructor(private readonly options: SchedulerOptions = {}) {
    // Every run in flight listens for stop(): that is many listeners by design, not a leak.
    setMaxListeners(0, this.controller.signal);
    this.semaphore = new Semaphore(options.concurrency ?? 64);
    this.now = options.now ?? Date.now;
  }

  /** Reconcile to exactly these checks: new ones start, removed ones stop, changed ones restart. */
  set(targets: ScheduledCheck[]): void {
    const wanted = new Map(targets.map((t) => [keyOf(t), t]));
    for (const [key, entry] of this.entries) {
      const next = wanted.get(key);
      if (!next || JSON.stringify(next) !== JSON.stringify(entry.target)) this.remove(key);
    }
    for (const [key, target] of wanted) if (!this.entries.has(key)) this.add(key, target);
  }

  start(signal?: AbortSignal): void {
    this.running = true;
    signal?.addEventListener('abort', () => this.stop(), { once: true });
    for (const entry of this.entries.values()) this.arm(entry);
  }

  stop(): void {
    this.running = false;
    this.controller.abort();
    for (const entry of this.entries.values()) clearTimeout(entry.timer);
  }

  /**
   * Run a check now instead of at its next slot (a TTL report should show at once); false when
   * it is unknown, already running, or the scheduler is stopped. Its schedule continues from now.
   */
  runNow(instanceId: string, checkId: string): boolean {
    const entry = this.entries.get(`${instanceId}/${checkId}`);
    if (!entry || !this.running || entry.running || entry.removed) return false;
    clearTimeout(entry.timer);
    entry.planned = this.now();
    void this.fire(entry);
    return true;
  }

  /** A TTL check reporting in (from this process). */
  reportTtl(instanceId: string, checkId: string, status: HealthStatus, output = ''): void {
    this.ttl.set(`${instanceId}/${checkId}`, { status, output, at: this.now() });
  }

  states(): CheckState[] {
    return [...this.entries.values()].flatMap((e) => (e.state ? [e.state] : []));
  }

  get size(): number {
    return this.entries.size;
  }

  private add(key: string, target: ScheduledCheck): void {
    const interval = this.options.intervalMs ?? target.check.intervalMs;
    const entry: Entry = {
      key,
      target,
      interval,
      planned: this.now() + (hash32(key) % Math.max(1, interval)),
      running: false,
      machine: initialState(this.now()),
      removed: false,
    };
    this.entries.set(key, entry);
    if (this.running) this.arm(entry);
  }

  private remove(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    entry.removed = true;
    clearTimeout(entry.timer);
    this.entries.delete(key);
  }

  private arm(entry: Entry): void {
    clearTimeout(entry.timer);
    entry.timer = setTimeout(() => void this.fire(entry), Math.max(0, entry.planned - this.now()));
  }

  private async fire(entry: Entry): Promise<void> {
    if (!this.running || entry.removed || entry.running) return;
    entry.running = true;
    await this.semaphore.acquire();
    // A probe that only waits (a TCP check staying connected) hands its slot on early: the
    // slot bounds work in flight, not open sockets.
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      this.semaphore.release();
    };
    try {
      if (!this.running || entry.removed) return;
      if (this.recordLateness) this.stats.lateness.push(this.now() - entry.planned);
      this.stats.runs++;
      const { target } = entry;
      const run = this.options.run ?? runCheck;
      const result = await run(
        target.check,
        { address: target.address, port: target.port, instanceId: target.instanceId },
        {
          signal: this.controller.signal,
          ...(this.options.env ? { env: this.options.env } : {}),
          now: this.now,
          ttlReport: (i, c) => this.ttl.get(`${i}/${c}`) ?? this.options.ttlReport?.(i, c),
          waiting: release,
        },
      );
      if (entry.removed || !this.running) return;
      this.settle(entry, result);
    } finally {
      release();
      entry.running = false;
      this.scheduleNext(entry);
    }
  }

  private settle(entry: Entry, result: CheckResult): void {
    const { check, instanceId } = entry.target;
    const previous = entry.state?.status;
    entry.machine = advance(entry.machine, result, check.rise, check.fall);
    const m = entry.machine;
    const output =
      m.status === 'warning' && result.status === 'critical'
        ? `${result.output} (failure ${m.failures} of ${check.fall})`
        : result.output;
    entry.state = {
      instanceId,
      checkId: check.id,
      status: m.status,
      output,
      ...(result.reason ? { reason: result.reason } : {}),
      since: m.since,
      lastResult: result,
    };
    this.options.onResult?.(entry.target, result, entry.state);
    if (previous !== m.status) this.options.onTransition?.(entry.state, previous);
    const limit = check.deregisterAfterMs;
    if (
      limit !== undefined &&
      m.status === 'critical' &&
      this.now() - m.since >= limit &&
      !this.deregistered.has(instanceId)
    ) {
      this.deregistered.add(instanceId);
      this.options.onDeregister?.(instanceId);
    }
  }

  private scheduleNext(entry: Entry): void {
    if (!this.running || entry.removed) return;
    const now = this.now();
    entry.planned += entry.interval;
    // A run longer than the interval skips the slots it overlapped instead of bunching up.
    if (entry.planned <= now)
      entry.planned += Math.ceil((now - entry.planned) / entry.interval) * entry.interval;
    this.arm(entry);
  }
}

function keyOf(t: ScheduledCheck): string {
  return `${t.instanceId}/${t.check.id}`;
}
