import { METHODS } from 'node:http';
import type { RequestHead } from '../../../src/balancer/h1/request-head.js';
import { int, mutateBytes, pick, type Random } from './fuzz.js';

/**
 * Request heads for the differential tests: a valid head mutated by seeded edits (method,
 * target, version, duplicated or added framing/host/connection fields, separators, then bytes).
 */

const methods = [
  ...[
    'GET',
    'GET',
    'POST',
    'PUT',
    'DELETE',
    'PATCH',
    'HEAD',
    'OPTIONS',
    'TRACE',
    'M-SEARCH',
    'PROPFIND',
    'QUERY',
  ],
  ...['CONNECT', 'PRI', 'FOO', 'get', 'G_T', 'GET!', 'GE T'],
];
const targets = [
  '/',
  '/a/b?c=d&e',
  '/a#frag',
  '//x',
  '/%00',
  '/a{b}|"<>^`\\',
  '*',
  'http://h/x',
  '/\x80',
  '/a b',
];
const versions = ['HTTP/1.1', 'HTTP/1.1', 'HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'http/1.1', 'HTTP/1.10'];
const separators = [': ', ': ', ':', ':\t', ': \t ', ' :', ':\xa0'];
const pool: Array<[string, readonly string[]]> = [
  [
    'Content-Length',
    ['0', '5', '005', '12', ' 5', '5 ', '5\t', '\t5', '5,5', '-1', '+5', '5\xa0', '\xa05', '0x5', '', '1e1'],
  ],
  [
    'Transfer-Encoding',
    ['chunked', 'Chunked', 'gzip, chunked', 'identity', 'chunked\xa0', 'chunked, chunked', 'gzip'],
  ],
  ['Host', ['example.test', '', 'a\xa0', '\xa0a', 'h:80', 'x y', '[::1]:8080', 'b.test']],
  [
    'Connection',
    ['close', 'keep-alive', 'Keep-Alive, close', 'upgrade', 'closed', 'x,close', 'content-length'],
  ],
  ['Expect', ['100-continue', '100-Continue', 'nope']],
  ['Upgrade', ['websocket']],
  ['X-Note', ['"quoted, value"', 'a;b=c', '\x80\xff', 'tab\tinside', 'trailing  ', '']],
  ['content-length', ['3']],
  ['HOST', ['example.test']],
];

export interface Sample {
  bytes: string;
}

export function generate(rnd: Random): Sample {
  let method = 'GET';
  let target = '/path?q=1';
  let version = 'HTTP/1.1';
  const headers: Array<[string, string, string]> = [
    ['Host', ': ', 'example.test'],
    ['User-Agent', ': ', 'fuzz/1'],
    ['Accept', ': ', '*/*'],
  ];
  if (rnd() < 0.4) {
    method = 'POST';
    headers.push(['Content-Length', ': ', String(int(rnd, 20))]);
  }
  const edits = int(rnd, 4) + 1;
  for (let e = 0; e < edits; e++) {
    switch (int(rnd, 8)) {
      case 0:
        method = pick(rnd, methods);
        break;
      case 1:
        target = pick(rnd, targets);
        break;
      case 2:
        version = pick(rnd, versions);
        break;
      case 3:
      case 4: {
        const [name, values] = pick(rnd, pool);
        headers.splice(int(rnd, headers.length + 1), 0, [name, pick(rnd, separators), pick(rnd, values)]);
        break;
      }
      case 5: {
        const h = pick(rnd, headers);
        headers.splice(int(rnd, headers.length + 1), 0, [...h]);
        break;
      }
      case 6: {
        const h = pick(rnd, headers);
        h[0] = rnd() < 0.5 ? h[0].toUpperCase() : h[0].toLowerCase();
        h[1] = pick(rnd, separators);
        break;
      }
      default:
        break; // byte-level edits only
    }
  }
  let text = `${method} ${target} ${version}\r\n${headers.map(([n, s, v]) => `${n}${s}${v}\r\n`).join('')}\r\n`;
  const byteEdits = rnd() < 0.5 ? 0 : int(rnd, 3) + 1;
  for (let e = 0; e < byteEdits; e++) text = mutateBytes(rnd, text, text.length - 2);
  return { bytes: text };
}

/** Header values as HTTP trims them: SP and HTAB only (RFC 9110 §5.5). */
function _owsTrimmedValues(head: string): string[] {
  return head
    .split('\r\n')
    .slice(1)
    .filter((l) => l !== '')
    .map((l) => l.slice(l.indexOf(':') + 1).replace(/^[ \t]+|[ \t]+$/g, ''));
}

/**
 * Disagreements already reported (test 'bugs found' in bugs-found.test.ts), excused here so
 * that any other one fails this test. Remove an entry once its bug is fixed.
 */
export function knownBug(_ours: RequestHead, _head: string, _why: string): string | undefined {
  // Every disagreement reported in bugs-found.test.ts is fixed: none is excused any more.
  return undefined;
}
const _plainMethods = new Set(METHODS.filter((m) => m !== 'CONNECT'));
