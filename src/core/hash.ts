/**
 * The one 32-bit string hash Portico uses where it needs a stable spread, not security: the
 * consistent-hash picker's ring points and keys, and the check scheduler's first-run offsets.
 * FNV-1a, then murmur3's fmix32 finalizer: FNV alone clusters similar keys ("u1", "u2") into
 * neighbouring values, which bunches ring points and first runs alike.
 */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}
