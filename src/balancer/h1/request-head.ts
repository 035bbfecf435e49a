/**
 * The request heads the fast HTTP/1.1 path takes itself: a strict, unambiguous subset of
 * HTTP/1.1. Anything outside it (chunked or `Expect` bodies, upgrades, HTTP/1.0, absolute-form
 * targets, duplicate framing or Host headers (or none), obs-fold, bare LF, control characters, …) is not
 * judged here: the connection goes to Node's own parser (llhttp), which answers or rejects it.
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
  /** Bytes the head took, CRLFCRLF included. */
  headBytes: number;
}

/** Node's parser must take this connection from here on. */
export const fallback = Symbol('fallback');

const crlfcrlf = Buffer.from('\r\n\r\n');

/** Method: an RFC 9110 token. Target: origin-form, visible ASCII only. Version 1.1 only. */
const requestLine = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) (\/[\x21-\x7e]*) HTTP\/1\.1$/;
const token = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Control characters other than HTAB, and DEL. */
const forbidden = /[\x00-\x08\x0a-\x1f\x7f]/;

/**
 * Parse the head at the start of `buf`. `undefined`: not complete yet (the caller enforces the
 * size limit). `fallback`: outside the subset; Node's parser decides.
 */
export function parseRequestHead(buf: Buffer): RequestHead | typeof fallback | undefined {
  const end = buf.indexOf(crlfcrlf);
  if (end < 0) return undefined;
  const lines = buf.toString('latin1', 0, end).split('\r\n');
  const first = requestLine.exec(lines[0]!);
  if (!first) return fallback;
  const rawHeaders: string[] = [];
  let host: string | undefined;
  let contentLength = 0;
  let sawLength = false;
  let close = false;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    // A lone CR or LF inside the head (lines were split on CRLF), or another control character.
    if (forbidden.test(line)) return fallback;
    const colon = line.indexOf(':');
    if (colon <= 0) return fallback;
    const name = line.slice(0, colon);
    if (!token.test(name)) return fallback; // also catches obs-fold (a leading space)
    const value = line.slice(colon + 1).trim();
    switch (name.length) {
      case 4:
        if (name.toLowerCase() === 'host') {
          if (host !== undefined) return fallback;
          host = value;
        }
        break;
      case 6:
        if (name.toLowerCase() === 'expect') return fallback;
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
          if (sawLength || !/^\d{1,15}$/.test(value)) return fallback;
          sawLength = true;
          contentLength = Number(value);
        }
        break;
      case 17:
        if (name.toLowerCase() === 'transfer-encoding') return fallback;
        break;
    }
    rawHeaders.push(name, value);
  }
  // HTTP/1.1 requires Host; Node's path decides what to do without one.
  if (host === undefined) return fallback;
  return {
    method: first[1]!,
    target: first[2]!,
    rawHeaders,
    host,
    contentLength,
    close,
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
