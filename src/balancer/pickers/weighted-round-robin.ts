import type { Upstream } from '../upstream.js';
import type { PickContext, Picker } from './picker.js';

/**
 * nginx's smooth weighted round-robin: weights 5,1,1 give a a b a c a a, not a a a a a b c.
 * Slow start scales the effective weight.
 */
export class WeightedRoundRobin implements Picker {
  pick(candidates: Upstream[], ctx: PickContext): Upstream | undefined {
    let best: Upstream | undefined;
    let total = 0;
    for (const u of candidates) {
      const w = u.weight * u.slowStartFactor(ctx.now, ctx.slowStartMs);
      u.currentWeight += w;
      total += w;
      if (!best || u.currentWeight > best.currentWeight) best = u;
    }
    if (best) best.currentWeight -= total;
    return best;
  }
}
