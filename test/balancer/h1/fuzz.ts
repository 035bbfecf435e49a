/**
 * Deterministic mutation of HTTP/1.1 messages for the differential tests: a seeded generator
 * (mulberry32, so a failing sample is reproduced by its seed and index) and byte-level edits
 * drawn from the characters parsers disagree about.
 */

/** A seeded pseudo-random generator: the same seed gives the same sequence, on every machine. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Random = () => number;

export const int = (rnd: Random, n: number): number => Math.floor(rnd() * n);
export const pick = <T>(rnd: Random, list: readonly T[]): T => list[int(rnd, list.length)]!;

/**
 * Characters where HTTP/1.1 parsers differ: line ends, whitespace (NBSP too: latin1 0xa0 is
 * whitespace to String#trim, not to HTTP), NUL, DEL, obs-text, separators, quotes.
 */
export const interesting = [
  '\r',
  '\n',
  ' ',
  '\t',
  '\x00',
  '\x0b',
  '\x0c',
  '\x7f',
  '\x80',
  '\xa0',
  '\xff',
  ':',
  ',',
  ';',
  '"',
  "'",
  '=',
  'a',
  '0',
  '\r\n',
] as const;

/** One byte-level edit of a latin1 string: insert, replace or delete at a random position. */
export function mutateBytes(rnd: Random, s: string, end = s.length): string {
  const at = int(rnd, end + 1);
  switch (int(rnd, 3)) {
    case 0:
      return s.slice(0, at) + pick(rnd, interesting) + s.slice(at);
    case 1:
      return s.slice(0, at) + pick(rnd, interesting) + s.slice(at + 1);
    default:
      return s.slice(0, at) + s.slice(at + 1);
  }
}

/** A latin1 string for an assertion message, every byte visible (`\xa0`, not a blank). */
export const show = (s: string | Buffer): string =>
  JSON.stringify(typeof s === 'string' ? s : s.toString('latin1')).replace(
    /[\x7f-\xff]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
