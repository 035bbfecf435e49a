import type { Upstream } from '../upstream.js';

export interface PickContext {
  now: number;
  slowStartMs: number;
  /** For consistent hashing: the request's key (header, cookie or client IP value). */
  hashKey?: string;
}

/**
 * Chooses one upstream among the candidates (available, not excluded, not full). Runs on every
 * request: must be near-instant and allocation-free where it can be.
 */
export interface Picker {
  pick(candidates: Upstream[], ctx: PickContext): Upstream | undefined;
  /** The pool's full membership changed (consistent hashing rebuilds its ring). */
  rebuild?(all: Upstream[]): void;
}

/**
 * Slow start for pickers without weights: an upstream still warming up is passed over with a
 * probability that shrinks as it warms, when there is someone else to take the request.
 */
export function warmEnough(u: Upstream, ctx: PickContext, others: number): boolean {
  if (others === 0) return true;
  const f = u.slowStartFactor(ctx.now, ctx.slowStartMs);
  return f >= 1 || Math.random() < f;
}
