import { line, readHeaderLine } from './header-line.js';
import { contentLengthValue, trimOws } from './ows.js';

/**
 * An upstream's response head, read strictly: the body's framing must be unambiguous (RFC 9112
 * §6.3), or the response is refused as a bad answer (502). A framing Node's client would
 * reject (Content-Length with Transfer-Encoding, conflicting lengths) is rejected here too, so
 * an upstream cannot smuggle a second response into a client connection.
 */
export interface ResponseHead {
  status: number;
  reason: string;
  /** Flat [name, value, …] as the upstream spelled them (values trimmed). */
  rawHeaders: string[];
  /** How the body ends: a length, the last chunk, the connection closing, or there is none. */
  framing: 'length' | 'chunked' | 'close' | 'none';
  contentLength: number;
  /** The Transfer-Encoding to pass on with a chunked body (codings before chunked stay the client's to undo). */
  transferEncoding: string;
  /** The upstream connection can carry another request after this response. */
  reusable: boolean;
  headBytes: number;
}

export class BadResponse extends Error {}

const crlfcrlf = Buffer.from('\r\n\r\n');
const statusLine = /^HTTP\/1\.([01]) ([1-9]\d\d)(?: ([^\x00-\x08\x0a-\x1f\x7f]*))?$/;

/**
 * Parse the head at the start of `buf` (`undefined`: not complete yet). `head` says whether the
 * request was HEAD (no body whatever the headers say). Throws BadResponse.
 */
export function parseResponseHead(buf: Buffer, head: boolean): ResponseHead | undefined {
  const end = buf.indexOf(crlfcrlf);
  if (end < 0) return undefined;
  const text = buf.toString('latin1', 0, end);
  let firstEnd = text.indexOf('\r\n');
  if (firstEnd < 0) firstEnd = text.length;
  const first = statusLine.exec(text.slice(0, firstEnd));
  if (!first)
    throw new BadResponse(
      `not an HTTP/1.x status line: ${JSON.stringify(text.slice(0, Math.min(firstEnd, 40)))}`,
    );
  const http10 = first[1] === '0';
  const status = Number(first[2]);
  const rawHeaders: string[] = [];
  let length: string | undefined;
  let transferEncoding: string | undefined;
  let connection = '';
  for (let pos = firstEnd + 2; pos < text.length; pos = line.next) {
    if (!readHeaderLine(text, pos))
      throw new BadResponse(`malformed header line ${JSON.stringify(text.slice(pos, pos + 40))}`);
    const name = line.name;
    const raw = line.raw;
    const value = trimOws(raw);
    switch (name.length) {
      case 10:
        if (name.toLowerCase() === 'connection') connection += `${value.toLowerCase()},`;
        break;
      case 14:
        if (name.toLowerCase() === 'content-length') {
          if (length !== undefined) throw new BadResponse('more than one Content-Length');
          const digits = contentLengthValue.exec(raw);
          // Checked whatever the framing: Node's client refuses a bad one even on a 304.
          if (!digits) throw new BadResponse(`invalid Content-Length ${JSON.stringify(value)}`);
          length = digits[1]!;
        }
        break;
      case 17:
        if (name.toLowerCase() === 'transfer-encoding') {
          if (transferEncoding !== undefined) throw new BadResponse('more than one Transfer-Encoding');
          transferEncoding = value.toLowerCase();
        }
        break;
    }
    rawHeaders.push(name, value);
  }
  let framing: ResponseHead['framing'];
  let contentLength = 0;
  if (transferEncoding !== undefined && length !== undefined)
    throw new BadResponse('both Content-Length and Transfer-Encoding');
  if (head || status < 200 || status === 204 || status === 304) framing = 'none';
  else if (transferEncoding !== undefined) {
    // Chunked must be the last coding (RFC 9112 §6.1): then the chunks delimit the body.
    const codings = transferEncoding.split(',').map(trimOws);
    if (codings.at(-1) !== 'chunked' || codings.indexOf('chunked') !== codings.length - 1 || http10)
      throw new BadResponse(`unsupported Transfer-Encoding ${JSON.stringify(transferEncoding)}`);
    framing = 'chunked';
  } else if (length !== undefined) {
    framing = 'length';
    contentLength = Number(length);
  } else framing = 'close';
  const closes = hasToken(connection, 'close');
  const reusable = framing !== 'close' && (http10 ? hasToken(connection, 'keep-alive') && !closes : !closes);
  return {
    status,
    reason: first[3] ?? '',
    rawHeaders,
    framing,
    contentLength,
    transferEncoding: transferEncoding ?? '',
    reusable,
    headBytes: end + 4,
  };
}

function hasToken(list: string, t: string): boolean {
  if (list === '') return false;
  for (const part of list.split(',')) if (trimOws(part) === t) return true;
  return false;
}
