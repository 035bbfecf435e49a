import { ChunkedEnd } from '../../../src/balancer/h1/chunked-end.js';
import { BadResponse, parseResponseHead, type ResponseHead } from '../../../src/balancer/h1/response-head.js';
import { int, mutateBytes, pick, type Random } from './fuzz.js';

/**
 * Responses for the differential tests: valid ones (length, chunked, close, bodiless) mutated by
 * seeded edits, and how the fast path's readers delimit them.
 */

const bases = [
  'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n\r\nhello world',
  'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-T: v\r\n\r\n',
  'HTTP/1.1 201 Created\r\nTransfer-Encoding: gzip, chunked\r\nX: y\r\n\r\na\r\n0123456789\r\n0\r\n\r\n',
  'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil close',
  'HTTP/1.1 204 No Content\r\nX: y\r\n\r\n',
  'HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n',
  'HTTP/1.0 200 OK\r\nContent-Length: 3\r\nConnection: keep-alive\r\n\r\nabc',
];
const statusLines = [
  ...['HTTP/1.1 200 OK', 'HTTP/1.1 200', 'HTTP/1.1 200 ', 'HTTP/1.1 404 Not Found', 'HTTP/1.0 200 OK'],
  ...['HTTP/1.1 204 No Content', 'HTTP/1.1 304 Not Modified', 'HTTP/1.1 500 \x80\xff', 'HTTP/1.1 999 X'],
  ...['HTTP/1.1 2000 OK', 'HTTP/1.1  200 OK', 'HTTP/1.1 200 OK\t'],
];
const separators = [': ', ':', ':\t', ' :', ':\xa0'];
const pool: Array<[string, readonly string[]]> = [
  ['Content-Length', ['0', '5', '11', '005', ' 5', '5 ', '5,5', '-1', '5\xa0', '', 'abc']],
  [
    'Transfer-Encoding',
    ['chunked', 'Chunked', 'gzip, chunked', 'identity', 'chunked\xa0', 'chunked, chunked'],
  ],
  ['Connection', ['close', 'keep-alive', 'content-length', 'x, close']],
  ['X-Note', ['"quoted, value"', '\x80\xff', 'tab\tinside', '']],
];

export function generate(rnd: Random): { bytes: string; head: boolean } {
  let text = pick(rnd, bases);
  const edits = int(rnd, 3);
  for (let e = 0; e < edits; e++) {
    const eol = text.indexOf('\r\n');
    if (rnd() < 0.3) text = pick(rnd, statusLines) + text.slice(eol);
    else {
      const [name, values] = pick(rnd, pool);
      text = `${text.slice(0, eol + 2)}${name}${pick(rnd, separators)}${pick(rnd, values)}\r\n${text.slice(eol + 2)}`;
    }
  }
  const byteEdits = rnd() < 0.3 ? 0 : int(rnd, 3) + 1;
  for (let e = 0; e < byteEdits; e++) text = mutateBytes(rnd, text);
  return { bytes: text, head: rnd() < 0.15 };
}

export interface Delimited {
  head: ResponseHead;
  end: number;
  body: string;
  trailers: string[];
}

/** Ours: the response head and where the response ends; undefined when not accepted or incomplete. */
export function delimit(buf: Buffer, isHead: boolean): Delimited | 'refused' | undefined {
  let head: ResponseHead | undefined;
  try {
    head = parseResponseHead(buf, isHead);
  } catch (error) {
    if (error instanceof BadResponse) return 'refused';
    throw error;
  }
  if (!head || head.status < 200) return undefined;
  const start = head.headBytes;
  switch (head.framing) {
    case 'none':
      return { head, end: start, body: '', trailers: [] };
    case 'close':
      return { head, end: buf.length, body: buf.toString('latin1', start), trailers: [] };
    case 'length':
      if (buf.length < start + head.contentLength) return undefined;
      return {
        head,
        end: start + head.contentLength,
        body: buf.toString('latin1', start, start + head.contentLength),
        trailers: [],
      };
    case 'chunked': {
      let end: number;
      try {
        end = new ChunkedEnd().scan(buf, start);
      } catch (error) {
        if (error instanceof BadResponse) return 'refused';
        throw error;
      }
      if (end < 0) return undefined;
      return { head, end, ...decodeChunked(buf.toString('latin1', start, end)) };
    }
  }
}

/** The data and trailer fields of a chunked body ChunkedEnd accepted. */
export function decodeChunked(s: string): { body: string; trailers: string[] } {
  let body = '';
  let at = 0;
  for (;;) {
    const eol = s.indexOf('\r\n', at);
    const size = Number.parseInt(/^[0-9a-fA-F]+/.exec(s.slice(at, eol))![0], 16);
    at = eol + 2;
    if (size === 0) break;
    body += s.slice(at, at + size);
    at += size + 2;
  }
  const trailers: string[] = [];
  for (const line of s.slice(at, -2).split('\r\n')) {
    if (line === '') continue;
    const colon = line.indexOf(':');
    trailers.push(line.slice(0, colon), line.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, ''));
  }
  return { body, trailers };
}

const _token = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Chunk extensions as llhttp's strict mode takes them: no whitespace around `;` or `=`. */
const _chunkExt =
  /^(?:;[!#$%&'*+.^_`|~0-9A-Za-z-]+(?:=(?:[!#$%&'*+.^_`|~0-9A-Za-z-]*|"(?:[\t !#-[\]-~\x80-\xff]|\\[\t -~\x80-\xff])*"))?)*$/;

/**
 * Disagreements already reported (test 'bugs found' in bugs-found.test.ts), excused here so
 * that any other one fails this test. Remove an entry once its bug is fixed.
 */
export function knownBug(_ours: Delimited, _buf: Buffer, _why: string): string | undefined {
  // Every disagreement reported in bugs-found.test.ts is fixed: none is excused any more.
  return undefined;
}

/** The size lines and trailer lines of an accepted chunked body. */
function _chunkLines(s: string): { lines: string[]; trailers: string[] } {
  const lines: string[] = [];
  let at = 0;
  for (;;) {
    const eol = s.indexOf('\r\n', at);
    const line = s.slice(at, eol);
    lines.push(line);
    const size = Number.parseInt(/^[0-9a-fA-F]+/.exec(line)![0], 16);
    at = eol + 2;
    if (size === 0) break;
    at += size + 2;
  }
  const trailers = s
    .slice(at, -2)
    .split('\r\n')
    .filter((l) => l !== '');
  return { lines, trailers };
}
