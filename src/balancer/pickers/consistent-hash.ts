import { hash32 } from '../../core/hash.js';
import type { Upstream } from '../upstream.js';
import type { PickContext, Picker } from './picker.js';

const pointsPerWeight = 160;

/**
 * A hash ring with virtual nodes (ketama-style), built over every upstream of the pool, so a
 * key keeps its upstream as long as that upstream is available; when it is not, the key moves
 * to the next upstream clockwise and only that upstream's keys move. A ring rather than jump or
 * Maglev hashing because upstreams come and go by id, not by index, and lookups stay O(log n).
 */
export class ConsistentHash implements Picker {
  private ring: Array<{ point: number; upstream: Upstream }> = [];
  private fallback = 0;

  rebuild(all: Upstream[]): void {
    this.ring = all
      .flatMap((u) =>
        Array.from({ length: pointsPerWeight * u.weight }, (_, i) => ({
          point: hash32(`${u.id}#${i}`),
          upstream: u,
        })),
      )
      .sort((a, b) => a.point - b.point);
  }

  pick(candidates: Upstream[], ctx: PickContext): Upstream | undefined {
    if (ctx.hashKey === undefined || this.ring.length === 0)
      return candidates[this.fallback++ % candidates.length];
    const allowed = new Set(candidates);
    const h = hash32(ctx.hashKey);
    let lo = 0;
    let hi = this.ring.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ring[mid]!.point < h) lo = mid + 1;
      else hi = mid;
    }
    for (let k = 0; k < this.ring.length; k++) {
      const u = this.ring[(lo + k) % this.ring.length]!.upstream;
      if (allowed.has(u)) return u;
    }
    return undefined;
  }
}
