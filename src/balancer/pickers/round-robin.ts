import type { Upstream } from '../upstream.js';
import { type PickContext, type Picker, warmEnough } from './picker.js';

/** Each candidate in turn. */
export class RoundRobin implements Picker {
  private next = 0;

  pick(candidates: Upstream[], ctx: PickContext): Upstream | undefined {
    const n = candidates.length;
    for (let tries = 0; tries < n; tries++) {
      const u = candidates[this.next++ % n]!;
      if (warmEnough(u, ctx, n - 1)) return u;
    }
    return candidates[this.next++ % n];
  }
}
