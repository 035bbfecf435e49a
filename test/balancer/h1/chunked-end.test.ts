import { describe, expect, it } from 'vitest';
import { ChunkedEnd } from '../../../src/balancer/h1/chunked-end.js';
import { BadResponse } from '../../../src/balancer/h1/response-head.js';
import { int, mulberry32 } from './fuzz.js';

const bytes = (s: string): Buffer => Buffer.from(s, 'latin1');

/** Feed `buf` cut at `cuts`; the absolute index where the body ends, or -1. */
function endOf(buf: Buffer, cuts: number[]): number {
  const scanner = new ChunkedEnd();
  let start = 0;
  for (const cut of [...cuts, buf.length]) {
    const at = scanner.scan(buf.subarray(start, cut));
    if (at >= 0) {
      expect(scanner.done).toBe(true);
      return start + at;
    }
    expect(scanner.done).toBe(false);
    start = cut;
  }
  return -1;
}

const bodies: Array<[string, string]> = [
  ['one chunk', '5\r\nhello\r\n0\r\n\r\n'],
  ['only the last chunk', '0\r\n\r\n'],
  ['upper and lower hex, leading zeros', '0A\r\n0123456789\r\n00b\r\nabcdefghijk\r\n000\r\n\r\n'],
  ['chunk data holding CRLFs and a fake last chunk', '7\r\n0\r\n\r\n\r\n\r\n0\r\n\r\n'],
  ['extensions', '5;a=b;c="d;e"\r\nhello\r\n0;last\r\n\r\n'],
  ['trailers', '5\r\nhello\r\n0\r\nX-Sum: abc\r\nY:\t1 \r\n\r\n'],
  ['trailer holding obs-text', '1\r\nx\r\n0\r\nX: \x80\xff\r\n\r\n'],
];

describe('ChunkedEnd: where the body ends', () => {
  const after = 'HTTP/1.1 200 OK\r\n\r\n';
  for (const [name, body] of bodies) {
    it(`${name}: in one piece, every 1-byte split, every pair of splits, byte by byte`, () => {
      const buf = bytes(body + after);
      const end = body.length;
      expect(endOf(buf, [])).toBe(end);
      for (let i = 1; i < buf.length; i++) expect(endOf(buf, [i]), `split at ${i}`).toBe(end);
      for (let i = 1; i < end; i++)
        for (let j = i + 1; j <= end; j++) expect(endOf(buf, [i, j]), `split at ${i},${j}`).toBe(end);
      expect(
        endOf(
          buf,
          [...Array(buf.length - 1).keys()].map((k) => k + 1),
        ),
      ).toBe(end);
    });
  }

  it('random splits of a large body with many chunks end at the same index', () => {
    const rnd = mulberry32(7);
    let body = '';
    for (let c = 0; c < 60; c++) {
      const size = int(rnd, 300) + 1;
      const ext = rnd() < 0.3 ? `;n${c}=v` : '';
      body += `${size.toString(16)}${ext}\r\n${'d'.repeat(size)}\r\n`;
    }
    body += '0\r\nT: 1\r\n\r\n';
    const buf = bytes(`${body}NEXT`);
    for (let round = 0; round < 200; round++) {
      const cuts = new Set<number>();
      const n = int(rnd, 40);
      for (let k = 0; k < n; k++) cuts.add(int(rnd, buf.length - 1) + 1);
      expect(
        endOf(
          buf,
          [...cuts].sort((a, b) => a - b),
        ),
      ).toBe(body.length);
    }
  });

  it('does not consume bytes after the end, and scan() after the end takes nothing', () => {
    const scanner = new ChunkedEnd();
    const buf = bytes('0\r\n\r\nGET');
    expect(scanner.scan(buf)).toBe(5);
    expect(scanner.scan(bytes('more'))).toBe(0);
    expect(scanner.scan(bytes('more'), 2)).toBe(2);
  });

  it('honours `from`', () => {
    expect(new ChunkedEnd().scan(bytes('HEAD1\r\nx\r\n0\r\n\r\nZ'), 4)).toBe(15);
  });

  it('is -1 while incomplete, at every prefix', () => {
    const body = bodies.find(([n]) => n === 'trailers')![1];
    for (let n = 0; n < body.length; n++) expect(new ChunkedEnd().scan(bytes(body.slice(0, n)))).toBe(-1);
  });

  it('12 hex digits of size are taken (a chunk still being received)', () => {
    expect(new ChunkedEnd().scan(bytes('ffffffffffff\r\nabc'))).toBe(-1);
  });

  it('an extension up to 4096 bytes, trailers up to 16 KiB are taken', () => {
    expect(new ChunkedEnd().scan(bytes(`1;${'e'.repeat(4095)}\r\nx\r\n0\r\n\r\n`))).toBeGreaterThan(0);
    const trailers = `${Array.from({ length: 16 }, () => `X: ${'t'.repeat(1018)}\r\n`).join('')}`;
    expect(new ChunkedEnd().scan(bytes(`0\r\n${trailers}\r\n`))).toBeGreaterThan(0);
  });
});

describe('ChunkedEnd: refused (BadResponse)', () => {
  const cases: Array<[string, string]> = [
    ['no size', '\r\n'],
    ['extension without a size', ';a\r\n'],
    ['not hex', 'g\r\n'],
    ['signed', '+5\r\nhello\r\n0\r\n\r\n'],
    ['0x prefix', '0x5\r\nhello\r\n'],
    ['13 hex digits', '0000000000001\r\nx\r\n'],
    ['bare LF after the size', '5\nhello\r\n0\r\n\r\n'],
    ['CR without LF after the size', '5\rhello'],
    ['whitespace then text', '5 x\r\n'],
    ['data longer than its size', '5\r\nhello!\r\n0\r\n\r\n'],
    ['data followed by bare LF', '5\r\nhello\n0\r\n\r\n'],
    ['data followed by CR, not LF', '5\r\nhello\rX'],
    ['control character in an extension', '5;a\x00\r\nhello\r\n'],
    ['DEL in an extension', '5;\x7f\r\nhello\r\n'],
    ['bare LF in an extension', '5;a\nb\r\nhello\r\n'],
    ['control character in a trailer', '0\r\nX: a\x01\r\n\r\n'],
    ['bare LF ending a trailer', '0\r\nX: a\nY: b\r\n\r\n'],
    ['CR not followed by LF at the end', '0\r\n\rX'],
    ['extension too long', `1;${'e'.repeat(4097)}\r\nx\r\n0\r\n\r\n`],
    [
      'trailers too long',
      `0\r\n${Array.from({ length: 17 }, () => `X: ${'t'.repeat(1018)}\r\n`).join('')}\r\n`,
    ],
    ['a trailer line that never ends', `0\r\nX: ${'t'.repeat(20_000)}`],
  ];
  for (const [name, body] of cases)
    it(name, () => {
      expect(() => new ChunkedEnd().scan(bytes(body))).toThrow(BadResponse);
      // The same error however the bytes arrive.
      const scanner = new ChunkedEnd();
      expect(() => {
        for (const b of bytes(body)) scanner.scan(Buffer.from([b]));
      }).toThrow(BadResponse);
    });
});
