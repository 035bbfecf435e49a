import type { Upstream } from '../upstream.js';
import { type PickContext, type Picker, warmEnough } from './picker.js';

/** Fewest in-flight requests per unit of weight; ties rotate so equal upstreams share evenly. */
export class LeastConn implements Picker {
  private offset = 0;

  pick(candidates: Upstream[], ctx: PickContext): Upstream | undefined {
    const n = candidates.length;
    let best: Upstream | undefined;
    let bestLoad = Number.POSITIVE_INFINITY;
    const start = this.offset++;
    for (let i = 0; i < n; i++) {
      const u = candidates[(start + i) % n]!;
      const load = u.active / (u.weight * u.slowStartFactor(ctx.now, ctx.slowStartMs));
      if (load < bestLoad && warmEnough(u, ctx, n - 1)) {
        best = u;
        bestLoad = load;
      }
    }
    return best ?? candidates[start % n];
  }
}
