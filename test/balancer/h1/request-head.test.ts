import { describe, expect, it } from 'vitest';
import {
  fallback,
  headerValue,
  parseRequestHead,
  type RequestHead,
} from '../../../src/balancer/h1/request-head.js';

const parse = (s: string) => parseRequestHead(Buffer.from(s, 'latin1'));
const accepted = (s: string): RequestHead => {
  const r = parse(s);
  if (r === undefined || r === fallback || 'refuse' in r)
    throw new Error(`not accepted: ${JSON.stringify(s)}`);
  return r;
};
const head = (lines: string[], requestLine = 'GET / HTTP/1.1'): string =>
  `${requestLine}\r\n${lines.map((l) => `${l}\r\n`).join('')}\r\n`;

describe('parseRequestHead: accepted', () => {
  it('reads method, target, headers in order, host and where the head ends', () => {
    const text = head(
      ['Host: example.test', 'Accept: */*', 'X-Multi: a', 'x-multi: b'],
      'GET /p?q=1 HTTP/1.1',
    );
    const r = accepted(`${text}BODY-OR-NEXT`);
    const { method, target, rawHeaders, host, contentLength, close, expectContinue, headBytes } = r;
    expect({ method, target, rawHeaders, host, contentLength, close, expectContinue, headBytes }).toEqual({
      method: 'GET',
      target: '/p?q=1',
      rawHeaders: ['Host', 'example.test', 'Accept', '*/*', 'X-Multi', 'a', 'x-multi', 'b'],
      host: 'example.test',
      contentLength: 0,
      close: false,
      expectContinue: false,
      headBytes: text.length,
    });
  });

  it('is undefined until the blank line has arrived', () => {
    const text = head(['Host: a']);
    for (let n = 0; n < text.length; n++) expect(parse(text.slice(0, n))).toBeUndefined();
    expect(parse(text)).not.toBeUndefined();
  });

  it('trims SP and HTAB around values, keeps them inside, keeps obs-text and an empty value', () => {
    const r = accepted(head(['Host: a', 'X:  \t v \t w \t ', 'Y:', 'Z: \x80\xff"q,v";x=1']));
    expect(r.rawHeaders).toEqual(['Host', 'a', 'X', 'v \t w', 'Y', '', 'Z', '\x80\xff"q,v";x=1']);
  });

  it('takes any token method and any visible-ASCII origin-form target', () => {
    expect(accepted(head(['Host: a'], 'M-SEARCH /a{b}|"<>#f HTTP/1.1')).target).toBe('/a{b}|"<>#f');
    expect(accepted(head(['Host: a'], 'PATCH // HTTP/1.1')).method).toBe('PATCH');
  });

  it('Content-Length: decimal, leading zeros, up to 15 digits, name in any case', () => {
    expect(accepted(head(['Host: a', 'Content-Length: 42'], 'POST / HTTP/1.1')).contentLength).toBe(42);
    expect(accepted(head(['Host: a', 'content-LENGTH: 007'])).contentLength).toBe(7);
    expect(accepted(head(['Host: a', 'Content-Length: 0'])).contentLength).toBe(0);
    expect(accepted(head(['Host: a', 'Content-Length: 999999999999999'])).contentLength).toBe(
      999999999999999,
    );
  });

  it('Connection: close in any case or list marks close; keep-alive or other tokens do not', () => {
    for (const v of ['close', 'Close', 'keep-alive, close', 'foo,close', 'close ,x', 'upgrade\tclose'])
      expect(accepted(head(['Host: a', `Connection: ${v}`])).close, v).toBe(true);
    for (const v of ['keep-alive', 'closed', 'x-close', 'foo', ''])
      expect(accepted(head(['Host: a', `Connection: ${v}`])).close, v).toBe(false);
  });

  it('Expect: 100-continue (any case) is flagged', () => {
    expect(accepted(head(['Host: a', 'Expect: 100-Continue', 'Content-Length: 1'])).expectContinue).toBe(
      true,
    );
  });

  it('an empty Host is a Host', () => {
    expect(accepted(head(['Host:'])).host).toBe('');
  });
});

describe('parseRequestHead: refused (wrong whatever reads it)', () => {
  const refused = (s: string) => {
    const r = parse(s);
    if (r === undefined || r === fallback || !('refuse' in r))
      throw new Error(`not refused: ${JSON.stringify(s)}`);
    return r.refuse;
  };

  it('two Host fields, or none: 400', () => {
    expect(refused(head(['Host: a', 'host: a']))).toBe(400);
    expect(refused(head(['Accept: */*']))).toBe(400);
  });

  it('absolute-form target (1.1 or 1.0): 400; OPTIONS *: 501', () => {
    expect(refused(head(['Host: a'], 'GET http://other.test/x HTTP/1.1'))).toBe(400);
    expect(refused(head(['Host: a'], 'GET https://other.test HTTP/1.0'))).toBe(400);
    expect(refused(head(['Host: a'], 'OPTIONS * HTTP/1.1'))).toBe(501);
  });

  it('a Transfer-Encoding not ending in chunked: 400; codings before chunked: 501', () => {
    expect(refused(head(['Host: a', 'Transfer-Encoding: identity']))).toBe(400);
    expect(refused(head(['Host: a', 'Transfer-Encoding: chunked, gzip']))).toBe(400);
    expect(refused(head(['Host: a', 'Transfer-Encoding: chunked , chunked']))).toBe(400);
    expect(refused(head(['Host: a', 'Transfer-Encoding: gzip, chunked']))).toBe(501);
    expect(refused(head(['Host: a', 'Transfer-Encoding: GZIP ,Chunked']))).toBe(501);
  });
});

describe('parseRequestHead: left to Node (fallback)', () => {
  const cases: Array<[string, string]> = [
    ['HTTP/1.0', head(['Host: a'], 'GET / HTTP/1.0')],
    ['HTTP/2.0', head(['Host: a'], 'GET / HTTP/2.0')],
    ['lower-case version', head(['Host: a'], 'GET / http/1.1')],
    ['two spaces', head(['Host: a'], 'GET  / HTTP/1.1')],
    ['HTAB separator', head(['Host: a'], 'GET\t/ HTTP/1.1')],
    ['trailing space', head(['Host: a'], 'GET / HTTP/1.1 ')],
    ['target not origin-form', head(['Host: a'], 'GET x HTTP/1.1')],
    ['asterisk for GET', head(['Host: a'], 'GET * HTTP/1.1')],
    ['obs-text in target', head(['Host: a'], 'GET /\x80 HTTP/1.1')],
    ['DEL in target', head(['Host: a'], 'GET /\x7f HTTP/1.1')],
    ['method not a token', head(['Host: a'], 'G(ET / HTTP/1.1')],
    ['empty line before the request line', `\r\n${head(['Host: a'])}`],
    ['bare LF in the request line', 'GET / HTTP/1.1\nHost: a\r\n\r\n'],
    ['bare LF ending a header line', head(['Host: a\nX: y'])],
    ['bare CR in a value', head(['Host: a', 'X: a\rb'])],
    ['NUL in a value', head(['Host: a', 'X: a\x00b'])],
    ['DEL in a value', head(['Host: a', 'X: a\x7f'])],
    ['VT in a value', head(['Host: a', 'X: a\x0bb'])],
    ['no colon', head(['Host: a', 'Header'])],
    ['empty name', head(['Host: a', ': v'])],
    ['space before the colon', head(['Host: a', 'X : v'])],
    ['obs-fold', head(['Host: a', 'X: v', ' folded'])],
    ['obs-text in a name', head(['Host: a', 'X\x80: v'])],
    ['Content-Length twice', head(['Host: a', 'Content-Length: 1', 'Content-Length: 1'])],
    ['Content-Length list', head(['Host: a', 'Content-Length: 1, 1'])],
    ['Content-Length empty', head(['Host: a', 'Content-Length:'])],
    ['Content-Length signed', head(['Host: a', 'Content-Length: +1'])],
    ['Content-Length hex', head(['Host: a', 'Content-Length: 0x1'])],
    ['Content-Length 16 digits', head(['Host: a', 'Content-Length: 1000000000000000'])],
    ['Transfer-Encoding: chunked', head(['Host: a', 'Transfer-Encoding: Chunked'])],
    [
      'chunked after another coding line',
      head(['Host: a', 'Transfer-Encoding: gzip', 'Transfer-Encoding: chunked']),
    ],
    ['a coding, then a malformed line', head(['Host: a', 'Transfer-Encoding: gzip', 'Bad Line'])],
    ['two Hosts, then a malformed line', head(['Host: a', 'Bad Line', 'Host: b'])],
    ['Expect other than 100-continue', head(['Host: a', 'Expect: 200-ok'])],
    ['Upgrade', head(['Host: a', 'Connection: upgrade', 'Upgrade: websocket'])],
  ];
  for (const [name, text] of cases)
    it(name, () => {
      expect(parse(text)).toBe(fallback);
    });
});

describe('headerValue', () => {
  it('the first value of a name, case-insensitive; undefined when absent', () => {
    const raw = ['Host', 'a', 'X-Y', '1', 'x-y', '2'];
    expect(headerValue(raw, 'x-y')).toBe('1');
    expect(headerValue(raw, 'host')).toBe('a');
    expect(headerValue(raw, 'x-z')).toBeUndefined();
  });
});
