import { describe, expect, it } from 'vitest';
import { fieldList } from '../../../src/balancer/h1/header-line.js';
import { clientHead, upstreamHead } from '../../../src/balancer/h1/outgoing-head.js';
import { parseRequestHead, RequestHead } from '../../../src/balancer/h1/request-head.js';
import { parseResponseHead } from '../../../src/balancer/h1/response-head.js';
import { headerBlock, statusLine } from '../../../src/balancer/h1/write-head.js';
import {
  clientResponseHeaders,
  type ForwardingFacts,
  upstreamRequestHeaders,
} from '../../../src/balancer/headers.js';
import { int, mulberry32, pick, type Random } from './fuzz.js';

/**
 * The fast path copies field lines as they came, minus those that stop at this hop; `headers.ts`
 * states the same rules on [name, value] lists. Both must give the same fields, in the same
 * order, for every head: the copy is checked against the rules on seeded random heads full of
 * the fields the rules act on (hop-by-hop, forwarding, Connection-named), in any case and
 * spacing, trusted peer or not, path rewritten or not.
 */

const requestFields: Array<[string, readonly string[]]> = [
  ['Connection', ['keep-alive', 'close', 'Keep-Alive', 'CLOSE', 'x-drop, close', 'x-drop', 'content-length']],
  ['Keep-Alive', ['timeout=5']],
  ['TE', ['trailers']],
  ['Trailer', ['X-T']],
  ['Proxy-Connection', ['keep-alive']],
  ['Proxy-Authorization', ['Basic eA==']],
  ['Proxy-Authenticate', ['Basic']],
  ['X-Forwarded-For', ['203.0.113.9', '198.51.100.1, 203.0.113.9']],
  ['X-Forwarded-Proto', ['https']],
  ['X-Forwarded-Host', ['planted.test']],
  ['X-Forwarded-Port', ['8443']],
  ['X-Forwarded-', ['odd']],
  ['Forwarded', ['for=203.0.113.9;proto=https']],
  ['X-Real-IP', ['203.0.113.9']],
  ['X-Api-Key', ['k1']],
  ['X-Drop', ['named by Connection']],
  ['Accept', ['*/*']],
  ['Cookie', ['a=1; b=2']],
  ['X-Note', ['"q, v"', '\x80\xff', 'tab\tinside', '']],
];
const separators = [': ', ':', ':\t', ':  '];
const trailing = ['', ' ', '\t', ' \t'];

function recase(rnd: Random, name: string): string {
  const r = rnd();
  if (r < 0.3) return name.toLowerCase();
  if (r < 0.4) return name.toUpperCase();
  return name;
}

function fields(rnd: Random, pool: Array<[string, readonly string[]]>, n: number): string {
  let text = '';
  for (let i = 0; i < n; i++) {
    const [name, values] = pick(rnd, pool);
    text += `${recase(rnd, name)}${pick(rnd, separators)}${pick(rnd, values)}${pick(rnd, trailing)}\r\n`;
  }
  return text;
}

function requestHead(rnd: Random): RequestHead | undefined {
  const method = pick(rnd, ['GET', 'POST', 'DELETE']);
  const target = pick(rnd, ['/', '/a/b?q=1', '/%7Ex']);
  const host = pick(rnd, ['Host: example.test', 'host:app.test:8080', 'HOST:\t[::1]:80 ', 'Host:']);
  const lines = fields(rnd, requestFields, int(rnd, 8));
  const at = int(rnd, 3) === 0 ? 0 : 1; // Host first, or after the other fields
  const text = `${method} ${target} HTTP/1.1\r\n${at === 0 ? `${host}\r\n${lines}` : `${lines}${host}\r\n`}\r\n`;
  const r = parseRequestHead(Buffer.from(text, 'latin1'));
  return r instanceof RequestHead ? r : undefined;
}

/** Request line and fields of a head, as `fieldList` reads them. */
function read(buf: Buffer): { first: string; fields: string[]; rest: string } {
  const end = buf.indexOf('\r\n\r\n');
  const firstEnd = buf.indexOf('\r\n');
  return {
    first: buf.toString('latin1', 0, firstEnd),
    fields: firstEnd === end ? [] : fieldList(buf, firstEnd + 2, end),
    rest: buf.toString('latin1', end + 4),
  };
}

describe('outgoing heads: the copied lines say what the header rules say', () => {
  it('requests: 4,000 random heads, trusted or not, path kept or rewritten, with a body', () => {
    const rnd = mulberry32(0x5eed);
    let checked = 0;
    let copied = 0;
    for (let i = 0; i < 4000; i++) {
      const req = requestHead(rnd);
      if (!req) continue;
      const facts: ForwardingFacts = {
        clientIp: pick(rnd, ['127.0.0.1', '::1', '::ffff:10.0.0.2']),
        proto: pick(rnd, ['http', 'https']),
        trusted: rnd() < 0.5,
      };
      const path = rnd() < 0.5 ? req.target : `/v2${req.target}`;
      const body = rnd() < 0.3 ? Buffer.from('BODY') : undefined;
      const ours = read(upstreamHead(req, path, facts, body));
      const rules = upstreamRequestHeaders(req.rawHeaders, facts);
      const expected = read(
        Buffer.from(`${req.method} ${path} HTTP/1.1\r\n${headerBlock(rules)}\r\n${body ?? ''}`, 'latin1'),
      );
      expect(ours, `sample ${i}: ${JSON.stringify(req.buf.toString('latin1'))}`).toEqual(expected);
      checked++;
      if (!req.connectionNames && !(req.forwarding && facts.trusted)) copied++;
    }
    // Most samples took the copying path, and the general one was exercised too.
    expect(checked).toBeGreaterThan(3000);
    expect(copied).toBeGreaterThan(1500);
    expect(checked - copied).toBeGreaterThan(500);
  });

  it('responses: 4,000 random heads, with or without a reason, extra field, close, body', () => {
    const responseFields: Array<[string, readonly string[]]> = [
      ['Connection', ['keep-alive', 'close', 'Keep-Alive', 'x-drop', 'keep-alive, x-drop']],
      ['Keep-Alive', ['timeout=5']],
      ['Transfer-Encoding', ['chunked', 'gzip, chunked']],
      ['TE', ['trailers']],
      ['Trailer', ['X-T']],
      ['Upgrade', ['h2c']],
      ['Proxy-Authenticate', ['Basic']],
      ['X-Drop', ['named']],
      ['Set-Cookie', ['a=1; Path=/', 'b=2']],
      ['Content-Type', ['text/plain']],
      ['X-Forwarded-For', ['kept on responses']],
    ];
    const rnd = mulberry32(0xfeed);
    let checked = 0;
    for (let i = 0; i < 4000; i++) {
      const status = pick(rnd, [
        'HTTP/1.1 200 OK',
        'HTTP/1.1 200',
        'HTTP/1.1 200 ',
        'HTTP/1.0 404 Not \tFound',
        'HTTP/1.1 599 \x80',
      ]);
      let lines = fields(rnd, responseFields, int(rnd, 6));
      if (!/transfer-encoding/i.test(lines)) lines += 'Content-Length: 4\r\n';
      const res = (() => {
        try {
          return parseResponseHead(Buffer.from(`${status}\r\n${lines}\r\nBODY`, 'latin1'), false);
        } catch {
          return undefined; // two Transfer-Encodings: refused, nothing to pass on
        }
      })();
      if (!res) continue;
      const extra: [string, string] | undefined = rnd() < 0.3 ? ['x-upstream', '127.0.0.1:8080'] : undefined;
      const close = rnd() < 0.3;
      const body = Buffer.from(rnd() < 0.5 ? 'BODY' : '');
      const ours = read(clientHead(res, extra, close, body));
      let expected = `${statusLine(res.status, res.reason)}${headerBlock(clientResponseHeaders(res.rawHeaders, extra))}`;
      if (res.framing === 'chunked') expected += `transfer-encoding: ${res.transferEncoding}\r\n`;
      if (close) expected += 'connection: close\r\n';
      expect(ours, `sample ${i}`).toEqual(read(Buffer.from(`${expected}\r\n${body}`, 'latin1')));
      checked++;
    }
    expect(checked).toBeGreaterThan(3000);
  });
});
