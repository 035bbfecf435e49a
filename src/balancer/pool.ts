import type { Algorithm, CircuitPolicy, OutlierPolicy, UpstreamSpec } from './model.js';
import { type PickContext, type Picker, pickers } from './pickers/index.js';
import { Upstream } from './upstream.js';

export interface PoolPolicies {
  outlier: OutlierPolicy;
  circuit: CircuitPolicy;
  slowStartMs: number;
}

/** Why no upstream was chosen. */
export type NoUpstream = 'none-available' | 'all-full';

/** An exchange as `selectFor` sees it (both the fast path's and the undici one). */
export interface Attempting {
  /** After waiting for a slot: whether to go on (false: the exchange has ended, or ends itself now). */
  stillWanted(): boolean;
  /** Select again and send. */
  attempt(): void;
  /** Answer with Portico's own error. */
  fail(status: number, code: string, message: string): void;
}

/**
 * The upstreams behind one route: which are in rotation (active health, catalog health,
 * passive ejection, panic mode), which have room (circuit breaking), and who gets the next
 * request (the route's picker).
 */
export class UpstreamPool {
  upstreams: Upstream[] = [];
  private readonly picker: Picker;
  /** Requests waiting for a free slot when every upstream is full. */
  private readonly waiting: Array<() => void> = [];
  ejectionsTotal = 0;
  /** Told of each passive ejection decided here (lb serve --workers shares it with the others). */
  onEject: ((u: Upstream) => void) | undefined;
  /** Last selection ran in panic mode (too few healthy upstreams). */
  panic = false;
  private readonly candidates: Upstream[] = [];
  private readonly pickContext: PickContext = { now: 0, slowStartMs: 0, hashKey: undefined };

  constructor(
    readonly name: string,
    readonly algorithm: Algorithm,
    /** Replaced as a whole on reload. */
    public policies: PoolPolicies,
    specs: UpstreamSpec[],
    private readonly onChange?: (pool: UpstreamPool, added: Upstream[], removed: Upstream[]) => void,
  ) {
    this.picker = pickers[algorithm]();
    this.setUpstreams(specs);
  }

  /** Replace membership, keeping the state of upstreams that stay (by id). */
  setUpstreams(specs: UpstreamSpec[]): void {
    const byId = new Map(this.upstreams.map((u) => [u.id, u]));
    const next = specs.map((s) => {
      const existing = byId.get(s.id);
      if (!existing) return new Upstream(s);
      existing.weight = s.weight;
      existing.catalogStatus = s.catalogStatus;
      if (s.catalogHealthy !== undefined) this.setCatalogHealth(existing, s.catalogHealthy);
      return existing;
    });
    const added = next.filter((u) => !byId.has(u.id));
    const keep = new Set(next);
    const removed = this.upstreams.filter((u) => !keep.has(u));
    this.upstreams = next;
    this.picker.rebuild?.(next);
    if (added.length || removed.length) this.onChange?.(this, added, removed);
  }

  /**
   * Choose an upstream, skipping `excluded` (already tried by this request). Returns a reason
   * when none can take it.
   */
  select(
    now: number,
    excluded: ReadonlySet<Upstream> | undefined,
    hashKey: string | undefined,
  ): Upstream | NoUpstream {
    const all = this.upstreams;
    let healthy = 0;
    for (const u of all) if (u.available(now)) healthy++;
    this.panic = all.length > 0 && (healthy * 100) / all.length < this.policies.outlier.panicThresholdPercent;
    const max = this.policies.circuit.maxConcurrent;
    // Reused on every request (select is synchronous and pickers keep no reference to it).
    const candidates = this.candidates;
    candidates.length = 0;
    let full = 0;
    for (const u of all) {
      if (excluded?.has(u)) continue;
      if (!this.panic && !u.available(now)) continue;
      if (u.active >= max) {
        full++;
        continue;
      }
      candidates.push(u);
    }
    if (candidates.length === 0) return full > 0 ? 'all-full' : 'none-available';
    const ctx = this.pickContext;
    ctx.now = now;
    ctx.slowStartMs = this.policies.slowStartMs;
    ctx.hashKey = hashKey;
    const picked = this.picker.pick(candidates, ctx) ?? 'none-available';
    candidates.length = 0;
    return picked;
  }

  /**
   * The upstream for an exchange's next attempt, or undefined when there is none now: with
   * every upstream at its concurrency limit, the exchange attempts again once a slot frees, or
   * fails 503 `circuit-open` when none does within `waitMs`; with none available, 503
   * `no-upstream` at once.
   */
  selectFor(
    x: Attempting,
    route: string,
    excluded: ReadonlySet<Upstream> | undefined,
    hashKey: string | undefined,
    waitMs: number,
  ): Upstream | undefined {
    const chosen = this.select(Date.now(), excluded, hashKey);
    if (chosen === 'all-full') {
      void this.waitForSlot(waitMs).then((ok) => {
        if (!x.stillWanted()) return;
        if (ok) x.attempt();
        else x.fail(503, 'circuit-open', `every upstream of route ${route} is at its concurrency limit`);
      });
      return undefined;
    }
    if (chosen === 'none-available') {
      x.fail(503, 'no-upstream', `no healthy upstream for route ${route}`);
      return undefined;
    }
    return chosen;
  }

  /** Wait for a slot when every upstream is full; false (fast 503) when the queue is full too. */
  async waitForSlot(timeoutMs: number): Promise<boolean> {
    if (this.waiting.length >= this.policies.circuit.maxPending) return false;
    return await new Promise<boolean>((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        const i = this.waiting.indexOf(wake);
        if (i >= 0) this.waiting.splice(i, 1);
        resolve(false);
      }, timeoutMs);
      this.waiting.push(wake);
    });
  }

  /** A request finished on `u`: free its slot and wake one waiter. */
  release(u: Upstream): void {
    u.active--;
    this.waiting.shift()?.();
  }

  get pendingCount(): number {
    return this.waiting.length;
  }

  /** Passive health: a connect error or 5xx. Ejects after enough in a row, within the cap. */
  recordFailure(u: Upstream, now: number): void {
    u.consecutiveFailures++;
    const p = this.policies.outlier;
    if (u.consecutiveFailures < p.consecutiveErrors || u.ejectedUntil > now) return;
    if (this.atEjectionCap(now)) return;
    // Each ejection in a row doubles the time out, up to the maximum.
    const duration = Math.min(p.baseEjectionMs * 2 ** u.ejections, p.maxEjectionMs);
    u.ejections++;
    u.totalEjections++;
    this.ejectionsTotal++;
    u.ejectedUntil = now + duration;
    u.upSince = u.ejectedUntil;
    u.consecutiveFailures = 0;
    this.onEject?.(u);
  }

  /**
   * An ejection decided by another process (a sibling worker): out until `until` here too,
   * never shortened, within the same cap; `ejections` keeps the doubling in step. Not counted
   * as an ejection of this pool (the one that decided it counts it).
   */
  applyEjection(u: Upstream, until: number, ejections: number, now: number): void {
    if (until <= now || u.ejectedUntil >= until) return;
    if (u.ejectedUntil <= now && this.atEjectionCap(now)) return;
    u.ejectedUntil = until;
    u.upSince = until;
    u.ejections = Math.max(u.ejections, ejections);
    u.consecutiveFailures = 0;
  }

  private atEjectionCap(now: number): boolean {
    const n = this.upstreams.length;
    const cap = n < 2 ? 0 : Math.max(1, Math.floor((n * this.policies.outlier.maxEjectionPercent) / 100));
    let ejected = 0;
    for (const x of this.upstreams) if (x.ejectedUntil > now) ejected++;
    return ejected >= cap;
  }

  recordSuccess(u: Upstream, now: number): void {
    u.consecutiveFailures = 0;
    // A long clean run forgives earlier ejections, so the next one starts short again.
    if (u.ejections > 0 && now - u.upSince > this.policies.outlier.maxEjectionMs) u.ejections = 0;
  }

  setActiveHealth(u: Upstream, healthy: boolean, now: number): void {
    if (healthy && !u.activeHealthy) u.upSince = now;
    u.activeHealthy = healthy;
  }

  setCatalogHealth(u: Upstream, healthy: boolean, now = Date.now()): void {
    if (healthy && !u.catalogHealthy) u.upSince = now;
    u.catalogHealthy = healthy;
  }
}
