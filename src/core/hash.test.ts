import { describe, expect, it } from 'vitest';
import { hash32 } from './hash.js';

describe('hash32', () => {
  it('is stable, unsigned 32-bit, and spreads similar keys', () => {
    expect(hash32('')).toBe(hash32(''));
    expect(hash32('u1')).not.toBe(hash32('u2'));
    const buckets = new Array<number>(16).fill(0);
    for (let i = 0; i < 16_000; i++) {
      const h = hash32(`upstream-${i}`);
      expect(h).toBeGreaterThanOrEqual(0);
      expect(h).toBeLessThan(2 ** 32);
      buckets[h >>> 28]!++;
    }
    // 1,000 expected per bucket: similar keys must not cluster.
    for (const n of buckets) expect(Math.abs(n - 1000)).toBeLessThan(150);
  });
});
