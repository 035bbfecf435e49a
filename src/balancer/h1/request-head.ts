import { METHODS } from 'node:http';
import { namesOtherFields } from '../headers.js';
import {
  ascii,
  contentLengthAt,
  field,
  fieldList,
  hopByHopNames,
  is,
  isOneOf,
  nameTable,
  readField,
  startsExactly,
  startsWith,
} from './header-line.js';

/**
 * The request heads the fast HTTP/1.1 path takes itself: a strict, unambiguous subset of
 * HTTP/1.1. A few requests are wrong whatever reads them (two Host fields or none, a transfer
 * coding other than chunked, an absolute-form target, `OPTIONS *`) and are refused here.
 * Anything else outside the subset (chunked bodies, other `Expect`s, upgrades, HTTP/1.0,
 * duplicate Content-Length, obs-fold, bare LF, control characters, …) is not judged here: the
 * connection goes to Node's own parser (llhttp), which answers or rejects it.
 * So every request accepted here is read exactly as llhttp would read it: no framing
 * disagreement between the two parsers, hence no request smuggling through the split.
 *
 * The head is read on its bytes: strings are made for the method, target and Host only, and the
 * field lines that go on to the upstream are passed as they came (`outgoing-head.ts`).
 */
export class RequestHead {
  private list: string[] | undefined;

  constructor(
    /**
     * The bytes the head was read from (it starts at 0). Often the shared read buffer
     * (read-buffer.ts): valid during the read only, so `rawHeaders` and the outgoing head are
     * taken when the exchange starts, never later.
     */
    readonly buf: Buffer,
    readonly method: string,
    readonly target: string,
    readonly host: string | undefined,
    /** Body bytes that follow the head (0: none). */
    readonly contentLength: number,
    /** The client asked to close after this exchange (`Connection: close`). */
    readonly close: boolean,
    /** `Expect: 100-continue`: the upstream's 100 is passed on before the client sends its body. */
    readonly expectContinue: boolean,
    /** Bytes the head took, CRLFCRLF included. */
    readonly headBytes: number,
    /** Where the field lines start (past the request line's CRLF). */
    readonly linesStart: number,
    /**
     * The field lines that stop at this hop, as [start, end) pairs in order: hop-by-hop fields,
     * and forwarding fields (rebuilt from the connection). Undefined: none.
     */
    readonly hopLines: number[] | undefined,
    /** X-Forwarded-*, Forwarded or X-Real-IP came: a trusted proxy's are extended. */
    readonly forwarding: boolean,
    /** A Connection field names other fields to remove: the general header rules apply. */
    readonly connectionNames: boolean,
  ) {}

  /** Flat [name, value, …] as the client spelled them (values trimmed), made on first use. */
  get rawHeaders(): string[] {
    this.list ??= fieldList(this.buf, this.linesStart, this.headBytes - 4);
    return this.list;
  }
}

/** Node's parser must take this connection from here on. */
export const fallback = Symbol('fallback');

/** A request that is wrong whatever reads it: answered with this status, then the connection closes. */
export interface Refused {
  refuse: 400 | 501;
  why: string;
}

const crlfcrlf = Buffer.from('\r\n\r\n');

/**
 * Methods llhttp knows (others it answers 400), minus CONNECT (what follows is a tunnel to it)
 * and PRI (the HTTP/2 preface): those go to Node's server.
 */
const methods = new Set(METHODS.filter((m) => m !== 'CONNECT' && m !== 'PRI'));
const absoluteForm = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+ [A-Za-z][A-Za-z0-9+.-]*:\/\/[\x21-\x7e]* HTTP\/1\.[01]$/;
const version = ascii(' HTTP/1.1');

const names = {
  host: ascii('host'),
  expect: ascii('expect'),
  upgrade: ascii('upgrade'),
  connection: ascii('connection'),
  contentLength: ascii('content-length'),
  transferEncoding: ascii('transfer-encoding'),
  xForwarded: ascii('x-forwarded-'),
};
/** Forwarding fields rebuilt from the connection (`headers.ts`); every X-Forwarded-* too. */
const forwardingNames = nameTable(['forwarded', 'x-real-ip']);
const values = { close: ascii('close'), keepAlive: ascii('keep-alive'), continue: ascii('100-continue') };

/**
 * Parse the head at the start of `buf`. `undefined`: not complete yet (the caller enforces the
 * size limit). `fallback`: outside the subset; Node's parser decides.
 */
export function parseRequestHead(buf: Buffer): RequestHead | Refused | typeof fallback | undefined {
  const end = buf.indexOf(crlfcrlf);
  if (end < 0) return undefined;
  // Request line: a method of capitals and `-`, one SP, an origin-form target of visible
  // ASCII, one SP, HTTP/1.1, CRLF (or the head's end).
  let i = 0;
  while (i < end && ((buf[i]! >= 0x41 && buf[i]! <= 0x5a) || buf[i] === 0x2d)) i++;
  const methodEnd = i;
  let targetEnd = 0;
  let linesStart = -1;
  if (methodEnd > 0 && buf[i] === 0x20 && buf[i + 1] === 0x2f) {
    i += 2;
    while (i < end && buf[i]! >= 0x21 && buf[i]! <= 0x7e) i++;
    targetEnd = i;
    if (startsExactly(buf, i, end, version)) {
      i += version.length;
      if (i === end) linesStart = end + 2;
      else if (buf[i] === 0x0d && buf[i + 1] === 0x0a && i + 1 < end) linesStart = i + 2;
    }
  }
  if (linesStart < 0) return outsideSubset(buf, end);
  const method =
    methodEnd === 3 && buf[0] === 0x47 && buf[1] === 0x45 && buf[2] === 0x54
      ? 'GET'
      : buf.toString('latin1', 0, methodEnd);
  if (!methods.has(method)) return outsideSubset(buf, end);
  let host: string | undefined;
  let contentLength = 0;
  let sawLength = false;
  let close = false;
  let expectContinue = false;
  let forwarding = false;
  let connectionNames = false;
  let hopLines: number[] | undefined;
  /** A Transfer-Encoding other than plain chunked: judged once every line is known to be well-formed. */
  let codings: string | undefined;
  for (let pos = linesStart; pos < end; pos = field.next) {
    if (!readField(buf, pos, end)) return fallback; // Node's parser answers 400
    const colon = field.colon;
    const vs = field.valueStart;
    const ve = field.valueEnd;
    switch (colon - pos) {
      case 4:
        if (is(buf, pos, colon, names.host)) {
          if (host !== undefined) return { refuse: 400, why: 'more than one Host header' };
          host = buf.toString('latin1', vs, ve);
        }
        break;
      case 6:
        if (is(buf, pos, colon, names.expect)) {
          if (!is(buf, vs, ve, values.continue)) return fallback; // Node answers 417
          expectContinue = true;
        }
        break;
      case 7:
        if (is(buf, pos, colon, names.upgrade)) return fallback;
        break;
      case 10:
        if (is(buf, pos, colon, names.connection) && !is(buf, vs, ve, values.keepAlive)) {
          if (is(buf, vs, ve, values.close)) close = true;
          else {
            const value = buf.toString('latin1', vs, ve);
            if (/(^|[\s,])close($|[\s,])/.test(value.toLowerCase())) close = true;
            if (namesOtherFields(value)) connectionNames = true;
          }
        }
        break;
      case 14:
        if (is(buf, pos, colon, names.contentLength)) {
          const length = contentLengthAt(buf, colon, field.next - 2);
          if (sawLength || length < 0) return fallback;
          sawLength = true;
          contentLength = length;
        }
        break;
      case 17:
        if (is(buf, pos, colon, names.transferEncoding)) {
          const value = buf.toString('latin1', vs, ve);
          if (value.toLowerCase() === 'chunked') return fallback; // Node's parser reads chunked bodies
          codings = value;
        }
        break;
    }
    // X-Forwarded-For, -Proto, -Host, -Port, …: every one is rebuilt, never passed on as sent.
    const forwardingField =
      isOneOf(buf, pos, colon, forwardingNames) || startsWith(buf, pos, colon, names.xForwarded);
    if (forwardingField) forwarding = true;
    if (forwardingField || isOneOf(buf, pos, colon, hopByHopNames)) {
      hopLines ??= [];
      hopLines.push(pos, field.next);
    }
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
  return new RequestHead(
    buf,
    method,
    buf.toString('latin1', methodEnd + 1, targetEnd),
    host,
    contentLength,
    close,
    expectContinue,
    end + 4,
    linesStart,
    hopLines,
    forwarding,
    connectionNames,
  );
}

/** A request line outside the subset: a few are refused, the rest go to Node's parser. */
function outsideSubset(buf: Buffer, end: number): Refused | typeof fallback {
  const text = buf.toString('latin1', 0, end);
  let firstEnd = text.indexOf('\r\n');
  if (firstEnd < 0) firstEnd = text.length;
  const requestText = text.slice(0, firstEnd);
  // A reverse proxy routes by Host; an absolute-form target (forward-proxy style) could name
  // another authority than the one routed (RFC 9112 §3.2.2), so it is refused, not guessed.
  if (absoluteForm.test(requestText))
    return { refuse: 400, why: 'absolute-form request targets are not accepted' };
  // Server-wide OPTIONS asks the balancer itself, which has nothing to say.
  if (requestText === 'OPTIONS * HTTP/1.1') return { refuse: 501, why: 'OPTIONS * is not forwarded' };
  return fallback;
}

/** A header's value by lower-case name (first occurrence), from a flat raw list. */
export function headerValue(raw: string[], lowerName: string): string | undefined {
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length === lowerName.length && name.toLowerCase() === lowerName) return raw[i + 1];
  }
  return undefined;
}
