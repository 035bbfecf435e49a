import { describe, expect, it } from 'vitest';
import { bodyLimits, CatalogSnapshot, serializeBody } from './catalog-snapshot.js';

describe('a catalog version: derived values and bodies made once', () => {
  it('makes a body once per key and serves the same bytes after', () => {
    const snapshot = new CatalogSnapshot(1, []);
    let made = 0;
    const a = snapshot.body('a', () => ({ made: ++made }));
    const again = snapshot.body('a', () => ({ made: ++made }));
    expect(again).toBe(a);
    expect(JSON.parse(a.bytes.toString())).toEqual({ made: 1 });
    expect(snapshot.body('b', () => ({ made: ++made })).bytes.toString()).toBe('{"made":2}');
    // The ETag follows the bytes, not the version: equal bodies have equal tags.
    expect(a.etag).toBe(serializeBody({ made: 1 }).etag);
    expect(a.etag).not.toBe(serializeBody({ made: 2 }).etag);
  });

  it('keeps bodies within the entry and byte limits, dropping the least recently used', () => {
    const snapshot = new CatalogSnapshot(1, []);
    const { entries } = bodyLimits;
    for (let i = 0; i < entries; i++) snapshot.body(`k${i}`, () => i);
    snapshot.body('k0', () => 'not made again'); // k0 is now the most recent
    snapshot.body('extra', () => 'x');
    expect(snapshot.bodyStats.entries).toBe(entries);
    let remade = false;
    snapshot.body('k1', () => {
      remade = true;
      return 1;
    });
    expect(remade).toBe(true); // k1 was the least recently used
    expect(snapshot.body('k0', () => 'remade').bytes.toString()).toBe('0');

    const big = new CatalogSnapshot(1, []);
    const half = 'x'.repeat(bodyLimits.bytes / 2);
    big.body('one', () => half);
    big.body('two', () => half);
    expect(big.bodyStats.entries).toBe(1);
    expect(big.bodyStats.bytes).toBeLessThanOrEqual(bodyLimits.bytes);
    // Larger than the whole budget: answered, not kept.
    big.body('huge', () => 'x'.repeat(bodyLimits.bytes + 1));
    expect(big.bodyStats.entries).toBe(1);
  });

  it('does not keep a derived value whose making failed', async () => {
    const snapshot = new CatalogSnapshot(1, []);
    await expect(snapshot.memo('v', () => Promise.reject(new Error('store down')))).rejects.toThrow();
    await Promise.resolve();
    expect(await snapshot.memo('v', () => Promise.resolve(42))).toBe(42);
    expect(() =>
      snapshot.memo('w', () => {
        throw new Error('bad');
      }),
    ).toThrow();
    expect(snapshot.memo('w', () => 7)).toBe(7);
  });
});
