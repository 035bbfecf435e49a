import { describe, expect, it } from 'vitest';
import { BadResponse, parseResponseHead, type ResponseHead } from '../../../src/balancer/h1/response-head.js';

const parse = (s: string, head = false) => parseResponseHead(Buffer.from(s, 'latin1'), head);
const ok = (s: string, head = false): ResponseHead => {
  const r = parse(s, head);
  if (!r) throw new Error(`incomplete: ${JSON.stringify(s)}`);
  return r;
};
const response = (lines: string[], statusLine = 'HTTP/1.1 200 OK'): string =>
  `${statusLine}\r\n${lines.map((l) => `${l}\r\n`).join('')}\r\n`;

describe('parseResponseHead: accepted', () => {
  it('a Content-Length response: status, reason, headers in order, length, reusable, head size', () => {
    const text = response(['Content-Type: text/plain', 'Content-Length:  5 ', 'X: \x80"q"']);
    const r = ok(`${text}hello`);
    const { status, reason, rawHeaders, framing, contentLength, transferEncoding, reusable, headBytes } = r;
    expect({
      status,
      reason,
      rawHeaders,
      framing,
      contentLength,
      transferEncoding,
      reusable,
      headBytes,
    }).toEqual({
      status: 200,
      reason: 'OK',
      rawHeaders: ['Content-Type', 'text/plain', 'Content-Length', '5', 'X', '\x80"q"'],
      framing: 'length',
      contentLength: 5,
      transferEncoding: '',
      reusable: true,
      headBytes: text.length,
    });
  });

  it('is undefined until the blank line has arrived', () => {
    const text = response(['Content-Length: 0']);
    for (let n = 0; n < text.length; n++) expect(parse(text.slice(0, n))).toBeUndefined();
  });

  it('reason phrase: absent, empty, with spaces, HTAB and obs-text', () => {
    expect(ok(response([], 'HTTP/1.1 204')).reason).toBe('');
    expect(ok(response([], 'HTTP/1.1 204 ')).reason).toBe('');
    expect(ok(response([], 'HTTP/1.1 404 Not \tFound \x80')).reason).toBe('Not \tFound \x80');
  });

  it('chunked: last coding chunked, lower-cased, codings before it kept', () => {
    const r = ok(response(['Transfer-Encoding: Gzip, Chunked']));
    expect([r.framing, r.transferEncoding, r.reusable]).toEqual(['chunked', 'gzip, chunked', true]);
  });

  it('no length and no coding: until close, not reusable', () => {
    const r = ok(response(['Content-Type: text/plain']));
    expect([r.framing, r.reusable]).toEqual(['close', false]);
  });

  it('no body for HEAD, 1xx, 204 and 304, whatever the headers say', () => {
    expect(ok(response(['Content-Length: 10']), true).framing).toBe('none');
    expect(ok(response(['Transfer-Encoding: chunked']), true).framing).toBe('none');
    for (const s of [100, 103, 204, 304]) {
      const r = ok(response(['Content-Length: 10'], `HTTP/1.1 ${s} X`));
      expect([r.framing, r.reusable], String(s)).toEqual(['none', true]);
    }
  });

  it('reusable: HTTP/1.1 unless close; HTTP/1.0 only with keep-alive', () => {
    expect(ok(response(['Content-Length: 0', 'Connection: Close'])).reusable).toBe(false);
    expect(ok(response(['Content-Length: 0', 'Connection: x, close'])).reusable).toBe(false);
    expect(ok(response(['Content-Length: 0', 'Connection: x', 'Connection: close'])).reusable).toBe(false);
    expect(ok(response(['Content-Length: 0', 'Connection: closed'])).reusable).toBe(true);
    expect(ok(response(['Content-Length: 0'], 'HTTP/1.0 200 OK')).reusable).toBe(false);
    expect(ok(response(['Content-Length: 0', 'Connection: Keep-Alive'], 'HTTP/1.0 200 OK')).reusable).toBe(
      true,
    );
    expect(
      ok(response(['Content-Length: 0', 'Connection: keep-alive, close'], 'HTTP/1.0 200 OK')).reusable,
    ).toBe(false);
  });
});

describe('parseResponseHead: refused (BadResponse)', () => {
  const cases: Array<[string, string, boolean?]> = [
    ['not HTTP', response([], 'HTTP/2 200 OK')],
    ['HTTP/1.2', response([], 'HTTP/1.2 200 OK')],
    ['lower-case http', response([], 'http/1.1 200 OK')],
    ['status below 100', response([], 'HTTP/1.1 099 X')],
    ['four-digit status', response([], 'HTTP/1.1 2000 X')],
    ['two-digit status', response([], 'HTTP/1.1 20 X')],
    ['two spaces before the status', response([], 'HTTP/1.1  200 OK')],
    ['control character in the reason', response([], 'HTTP/1.1 200 O\x00K')],
    ['bare LF', 'HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n'],
    ['bare CR in a value', response(['X: a\rb', 'Content-Length: 0'])],
    ['NUL in a value', response(['X: \x00'])],
    ['DEL in a value', response(['X: \x7f'])],
    ['no colon', response(['Header'])],
    ['empty name', response([': v'])],
    ['space before the colon', response(['Content-Length : 0'])],
    ['obs-fold', response(['X: a', ' b'])],
    ['two Content-Lengths, even equal', response(['Content-Length: 1', 'Content-Length: 1'])],
    ['two Transfer-Encodings', response(['Transfer-Encoding: chunked', 'Transfer-Encoding: chunked'])],
    ['Content-Length and Transfer-Encoding', response(['Content-Length: 1', 'Transfer-Encoding: chunked'])],
    ['both, even on a 204', response(['Content-Length: 1', 'Transfer-Encoding: chunked'], 'HTTP/1.1 204 X')],
    ['both, even for HEAD', response(['Content-Length: 1', 'Transfer-Encoding: chunked']), true],
    ['coding not ending in chunked', response(['Transfer-Encoding: gzip'])],
    ['chunked twice', response(['Transfer-Encoding: chunked, chunked'])],
    ['chunked then gzip', response(['Transfer-Encoding: chunked, gzip'])],
    ['chunked in HTTP/1.0', response(['Transfer-Encoding: chunked'], 'HTTP/1.0 200 OK')],
    ['Content-Length not decimal', response(['Content-Length: 0x10'])],
    ['Content-Length signed', response(['Content-Length: +1'])],
    ['Content-Length list', response(['Content-Length: 1, 1'])],
    ['Content-Length empty', response(['Content-Length:'])],
    ['Content-Length 16 digits', response(['Content-Length: 1000000000000000'])],
  ];
  for (const [name, text, head] of cases)
    it(name, () => {
      expect(() => parse(text, head)).toThrow(BadResponse);
    });
});
