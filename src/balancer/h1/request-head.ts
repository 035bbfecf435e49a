import { METHODS } from 'node:http';
import { line, readHeaderLine } from './header-line.js';
import { contentLengthValue, trimOws } from './ows.js';

/**
 * The request heads the fast HTTP/1.1 path takes itself: a strict, unambiguous subset of
 * HTTP/1.1. A few requests are wrong whatever reads them (two Host fields or none, a transfer
 * coding other than chunked, an absolute-form target, `OPTIONS *`) and are refused here.
 * Anything else outside the subset (chunked bodies, other `Expect`s, upgrades, HTTP/1.0,
 * duplicate Content-Length, obs-fold, bare LF, control characters, …) is not judged here: the
 * connection goes to Node's own parser (llhttp), which answers or rejects it.
 * So every request accepted here is read exactly as llhttp would read it: no framing
 * disagreement between the two parsers, hence no request smuggling through the split.
 */
export interface RequestHead {
  method: string;
  target: string;
  /** Flat [name, value, …] as the client spelled them (values trimmed). */
  rawHeaders: string[];
  host: string | undefined;
  /** Body bytes that follow the head (0: none). */
  contentLength: number;
  /** The client asked to close after this exchange (`Connection: close`). */
  close: boolean;
  /** `Expect: 100-continue`: the upstream's 100 is passed on before the client sends its body. */
  expectContinue: boolean;
  /** Bytes the head took, CRLFCRLF included. */
  headBytes: number;
}

/** Node's parser must take this connection from here on. */
export const fallback = Symbol('fallback');

/** A request that is wrong whatever reads it: answered with this status, then the connection closes. */
export interface Refused {
  refuse: 400 | 501;
  why: string;
}

const crlfcrlf = Buffer.from('\r\n\r\n');

/** Method: an RFC 9110 token. Target: origin-form, visible ASCII only. Version 1.1 only. */
const requestLine = /^([A-Z-]+) (\/[\x21-\x7e]*) HTTP\/1\.1$/;
/**
 * Methods llhttp knows (others it answers 400), minus CONNECT (what follows is a tunnel to it)
 * and PRI (the HTTP/2 preface): those go to Node's server.
 */
const methods = new Set(METHODS.filter((m) => m !== 'CONNECT' && m !== 'PRI'));
const absoluteForm = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+ [A-Za-z][A-Za-z0-9+.-]*:\/\/[\x21-\x7e]* HTTP\/1\.[01]$/;

/**
 * Parse the head at the start of `buf`. `undefined`: not complete yet (the caller enforces the
 * size limit). `fallback`: outside the subset; Node's parser decides.
 */
export function parseRequestHead(buf: Buffer): RequestHead | Refused | typeof fallback | undefined {
  const end = buf.indexOf(crlfcrlf);
  if (end < 0) return undefined;
  const text = buf.toString('latin1', 0, end);
  let firstEnd = text.indexOf('\r\n');
  if (firstEnd < 0) firstEnd = text.length;
  const requestText = text.slice(0, firstEnd);
  const first = requestLine.exec(requestText);
  if (!first || !methods.has(first[1]!)) {
    // A reverse proxy routes by Host; an absolute-form target (forward-proxy style) could name
    // another authority than the one routed (RFC 9112 §3.2.2), so it is refused, not guessed.
    if (absoluteForm.test(requestText))
      return { refuse: 400, why: 'absolute-form request targets are not accepted' };
    // Server-wide OPTIONS asks the balancer itself, which has nothing to say.
    if (requestText === 'OPTIONS * HTTP/1.1') return { refuse: 501, why: 'OPTIONS * is not forwarded' };
    return fallback;
  }
  const rawHeaders: string[] = [];
  let host: string | undefined;
  let contentLength = 0;
  let sawLength = false;
  let close = false;
  let expectContinue = false;
  /** A Transfer-Encoding other than plain chunked: judged once every line is known to be well-formed. */
  let codings: string | undefined;
  for (let pos = firstEnd + 2; pos < text.length; pos = line.next) {
    if (!readHeaderLine(text, pos)) return fallback; // Node's parser answers 400
    const name = line.name;
    const raw = line.raw;
    const value = trimOws(raw);
    switch (name.length) {
      case 4:
        if (name.toLowerCase() === 'host') {
          if (host !== undefined) return { refuse: 400, why: 'more than one Host header' };
          host = value;
        }
        break;
      case 6:
        if (name.toLowerCase() === 'expect') {
          if (value.toLowerCase() !== '100-continue') return fallback; // Node answers 417
          expectContinue = true;
        }
        break;
      case 7:
        if (name.toLowerCase() === 'upgrade') return fallback;
        break;
      case 10:
        if (name.toLowerCase() === 'connection') {
          const v = value.toLowerCase();
          if (v === 'close') close = true;
          else if (v !== 'keep-alive' && /(^|[\s,])close($|[\s,])/.test(v)) close = true;
        }
        break;
      case 14:
        if (name.toLowerCase() === 'content-length') {
          const digits = contentLengthValue.exec(raw);
          if (sawLength || !digits) return fallback;
          sawLength = true;
          contentLength = Number(digits[1]);
        }
        break;
      case 17:
        if (name.toLowerCase() === 'transfer-encoding') {
          if (value.toLowerCase() === 'chunked') return fallback; // Node's parser reads chunked bodies
          codings = value;
        }
        break;
    }
    rawHeaders.push(name, value);
  }
  if (codings !== undefined) {
    const list = codings
      .toLowerCase()
      .split(',')
      .map((c) => c.trim());
    // Without chunked last the body cannot be delimited (RFC 9112 §6.3): 400. With it, another
    // coding would reach the upstream as if it were the content: not supported (§6.1), 501.
    if (list.at(-1) !== 'chunked' || list.indexOf('chunked') !== list.length - 1)
      return { refuse: 400, why: `Transfer-Encoding ${JSON.stringify(codings)} does not end with chunked` };
    return { refuse: 501, why: `Transfer-Encoding ${JSON.stringify(codings)} is not supported` };
  }
  if (host === undefined) return { refuse: 400, why: 'HTTP/1.1 requires a Host header' };
  return {
    method: first[1]!,
    target: first[2]!,
    rawHeaders,
    host,
    contentLength,
    close,
    expectContinue,
    headBytes: end + 4,
  };
}

/** A header's value by lower-case name (first occurrence), from a flat raw list. */
export function headerValue(raw: string[], lowerName: string): string | undefined {
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length === lowerName.length && name.toLowerCase() === lowerName) return raw[i + 1];
  }
  return undefined;
}
