import { namesOtherFields } from '../headers.js';
import {
  ascii,
  contentLengthAt,
  ctl,
  field,
  fieldList,
  hopByHopNames,
  is,
  isOneOf,
  readField,
  startsExactly,
} from './header-line.js';
import { trimOws } from './ows.js';

/**
 * An upstream's response head, read strictly: the body's framing must be unambiguous (RFC 9112
 * §6.3), or the response is refused as a bad answer (502). A framing Node's client would
 * reject (Content-Length with Transfer-Encoding, conflicting lengths) is rejected here too, so
 * an upstream cannot smuggle a second response into a client connection.
 *
 * Read on its bytes, like the request head: the field lines that go on to the client are passed
 * as they came (`client-head.ts`). `buf` may be a read buffer that is reused after the read:
 * `reason` and `rawHeaders` are for the time of the read.
 */
export class ResponseHead {
  private list: string[] | undefined;

  constructor(
    readonly buf: Buffer,
    readonly status: number,
    /** How the body ends: a length, the last chunk, the connection closing, or there is none. */
    readonly framing: 'length' | 'chunked' | 'close' | 'none',
    readonly contentLength: number,
    /** The Transfer-Encoding to pass on with a chunked body (codings before chunked stay the client's to undo). */
    readonly transferEncoding: string,
    /** The upstream connection can carry another request after this response. */
    readonly reusable: boolean,
    readonly headBytes: number,
    /** Where the status line's CRLF is. */
    readonly statusEnd: number,
    /** Hop-by-hop field lines, as [start, end) pairs in order. Undefined: none. */
    readonly hopLines: number[] | undefined,
    /** A Connection field names other fields to remove: the general header rules apply. */
    readonly connectionNames: boolean,
  ) {}

  /** The reason phrase ('' when none). */
  get reason(): string {
    return this.statusEnd > 13 ? this.buf.toString('latin1', 13, this.statusEnd) : '';
  }

  /** Flat [name, value, …] as the upstream spelled them (values trimmed), made on first use. */
  get rawHeaders(): string[] {
    this.list ??= fieldList(this.buf, Math.min(this.statusEnd + 2, this.headBytes - 4), this.headBytes - 4);
    return this.list;
  }
}

export class BadResponse extends Error {}

const crlfcrlf = Buffer.from('\r\n\r\n');
const http1 = ascii('HTTP/1.');

const names = {
  connection: ascii('connection'),
  contentLength: ascii('content-length'),
  transferEncoding: ascii('transfer-encoding'),
};
const values = { close: ascii('close'), keepAlive: ascii('keep-alive') };

/**
 * Parse the head at the start of `buf` (`undefined`: not complete yet). `head` says whether the
 * request was HEAD (no body whatever the headers say). Throws BadResponse.
 */
export function parseResponseHead(buf: Buffer, head: boolean): ResponseHead | undefined {
  const end = buf.indexOf(crlfcrlf);
  if (end < 0) return undefined;
  const statusEnd = statusLineEnd(buf, end);
  if (statusEnd < 0) {
    const text = buf.toString('latin1', 0, end);
    let firstEnd = text.indexOf('\r\n');
    if (firstEnd < 0) firstEnd = text.length;
    throw new BadResponse(
      `not an HTTP/1.x status line: ${JSON.stringify(text.slice(0, Math.min(firstEnd, 40)))}`,
    );
  }
  const http10 = buf[7] === 0x30;
  const status = (buf[9]! - 0x30) * 100 + (buf[10]! - 0x30) * 10 + (buf[11]! - 0x30);
  let length = -1;
  let transferEncoding: string | undefined;
  let closes = false;
  let keepAlive = false;
  let connectionNames = false;
  let hopLines: number[] | undefined;
  for (let pos = statusEnd + 2; pos < end; pos = field.next) {
    if (!readField(buf, pos, end))
      throw new BadResponse(
        `malformed header line ${JSON.stringify(buf.toString('latin1', pos, Math.min(pos + 40, end)))}`,
      );
    const colon = field.colon;
    switch (colon - pos) {
      case 10:
        if (is(buf, pos, colon, names.connection)) {
          const vs = field.valueStart;
          const ve = field.valueEnd;
          if (is(buf, vs, ve, values.keepAlive)) keepAlive = true;
          else if (is(buf, vs, ve, values.close)) closes = true;
          else {
            const value = buf.toString('latin1', vs, ve);
            for (const part of value.toLowerCase().split(',')) {
              const t = trimOws(part);
              if (t === 'close') closes = true;
              else if (t === 'keep-alive') keepAlive = true;
            }
            if (namesOtherFields(value)) connectionNames = true;
          }
        }
        break;
      case 14:
        if (is(buf, pos, colon, names.contentLength)) {
          if (length >= 0) throw new BadResponse('more than one Content-Length');
          length = contentLengthAt(buf, colon, field.next - 2);
          // Checked whatever the framing: Node's client refuses a bad one even on a 304.
          if (length < 0)
            throw new BadResponse(
              `invalid Content-Length ${JSON.stringify(buf.toString('latin1', field.valueStart, field.valueEnd))}`,
            );
        }
        break;
      case 17:
        if (is(buf, pos, colon, names.transferEncoding)) {
          if (transferEncoding !== undefined) throw new BadResponse('more than one Transfer-Encoding');
          transferEncoding = buf.toString('latin1', field.valueStart, field.valueEnd).toLowerCase();
        }
        break;
    }
    if (isOneOf(buf, pos, colon, hopByHopNames)) {
      hopLines ??= [];
      hopLines.push(pos, field.next);
    }
  }
  let framing: ResponseHead['framing'];
  let contentLength = 0;
  if (transferEncoding !== undefined && length >= 0)
    throw new BadResponse('both Content-Length and Transfer-Encoding');
  if (head || status < 200 || status === 204 || status === 304) framing = 'none';
  else if (transferEncoding !== undefined) {
    // Chunked must be the last coding (RFC 9112 §6.1): then the chunks delimit the body.
    const codings = transferEncoding.split(',').map(trimOws);
    if (codings.at(-1) !== 'chunked' || codings.indexOf('chunked') !== codings.length - 1 || http10)
      throw new BadResponse(`unsupported Transfer-Encoding ${JSON.stringify(transferEncoding)}`);
    framing = 'chunked';
  } else if (length >= 0) {
    framing = 'length';
    contentLength = length;
  } else framing = 'close';
  const reusable = framing !== 'close' && (http10 ? keepAlive && !closes : !closes);
  return new ResponseHead(
    buf,
    status,
    framing,
    contentLength,
    transferEncoding ?? '',
    reusable,
    end + 4,
    statusEnd,
    hopLines,
    connectionNames,
  );
}

/**
 * Where the status line's CRLF is (or `end` when the head is that line alone), -1 when it is
 * not `HTTP/1.x NNN` with an optional reason of text without control characters but HTAB.
 */
function statusLineEnd(buf: Buffer, end: number): number {
  if (end < 12) return -1;
  if (!startsExactly(buf, 0, end, http1)) return -1;
  if ((buf[7] !== 0x30 && buf[7] !== 0x31) || buf[8] !== 0x20) return -1;
  if (buf[9]! < 0x31 || buf[9]! > 0x39 || !digit(buf[10]!) || !digit(buf[11]!)) return -1;
  if (end === 12) return 12;
  if (buf[12] === 0x0d && buf[13] === 0x0a && 13 < end) return 12;
  if (buf[12] !== 0x20) return -1;
  for (let i = 13; i < end; i++) {
    const b = buf[i]!;
    if (ctl[b] === 1) return b === 0x0d && buf[i + 1] === 0x0a && i + 1 < end ? i : -1;
  }
  return end;
}

function digit(b: number): boolean {
  return b >= 0x30 && b <= 0x39;
}
