import type { Upstream } from '../upstream.js';
import type { PickContext, Picker } from './picker.js';

/**
 * Power of two choices over an EWMA of latency × load (as in Finagle and linkerd): sample two
 * candidates at random and take the one with the lower cost. Slow upstreams shed traffic
 * without any central coordination.
 */
export class P2cEwma implements Picker {
  pick(candidates: Upstream[], ctx: PickContext): Upstream | undefined {
    const n = candidates.length;
    if (n <= 1) return candidates[0];
    const i = Math.floor(Math.random() * n);
    let j = Math.floor(Math.random() * (n - 1));
    if (j >= i) j++;
    const a = candidates[i]!;
    const b = candidates[j]!;
    return cost(a, ctx) <= cost(b, ctx) ? a : b;
  }
}

function cost(u: Upstream, ctx: PickContext): number {
  return ((u.ewmaMs + 1) * (u.active + 1)) / (u.weight * u.slowStartFactor(ctx.now, ctx.slowStartMs));
}
