import {
  clientResponseHeaders,
  type ForwardingFacts,
  ownForwardingLines,
  upstreamRequestHeaders,
} from '../headers.js';
import type { RequestHead } from './request-head.js';
import type { ResponseHead } from './response-head.js';
import { headerBlock, statusLine } from './write-head.js';

/**
 * The heads the fast path sends on, each in one buffer with the body bytes that came with it
 * (one write). Field lines are copied as they came, minus those that stop at this hop; the
 * general header rules (`headers.ts`, on strings) are used only where a line-by-line copy
 * cannot say the same: a Connection field naming other fields, or forwarding fields from a
 * trusted proxy to extend.
 */

/** The request for the upstream: request line for `path`, the client's fields, forwarding fields. */
export function upstreamHead(req: RequestHead, path: string, facts: ForwardingFacts, body?: Buffer): Buffer {
  if (req.connectionNames || (req.forwarding && facts.trusted)) {
    const headers = upstreamRequestHeaders(req.rawHeaders, facts);
    return withBody(`${req.method} ${path} HTTP/1.1\r\n${headerBlock(headers)}\r\n`, body);
  }
  const own = ownForwardingLines(facts.clientIp, facts.proto, req.host); // ends with the blank line
  const linesEnd = req.headBytes - 2; // past the last field line's CRLF
  const bodyBytes = body?.length ?? 0;
  if (path === req.target) {
    // The request line as it came: copied with the field lines.
    const out = Buffer.allocUnsafe(keptBytes(0, linesEnd, req.hopLines) + own.length + bodyBytes);
    let at = copyKept(req.buf, 0, linesEnd, req.hopLines, out, 0);
    at += own.copy(out, at);
    if (body) at += body.copy(out, at);
    return filled(out, at);
  }
  const line = `${req.method} ${path} HTTP/1.1\r\n`; // latin1: a byte per character
  const out = Buffer.allocUnsafe(
    line.length + keptBytes(req.linesStart, linesEnd, req.hopLines) + own.length + bodyBytes,
  );
  let at = out.write(line, 0, 'latin1');
  at = copyKept(req.buf, req.linesStart, linesEnd, req.hopLines, out, at);
  at += own.copy(out, at);
  if (body) at += body.copy(out, at);
  return filled(out, at);
}

/**
 * The response for the client: status line, the upstream's fields, `extra` (the upstream's id
 * when configured), the transfer coding of a chunked body, `connection: close` when this
 * exchange ends the connection; then `body`, the body bytes that came with the head.
 */
export function clientHead(
  res: ResponseHead,
  extra: [string, string] | undefined,
  close: boolean,
  body: Buffer,
): Buffer {
  const tail = tailOf(extra, res.framing === 'chunked' ? res.transferEncoding : undefined, close);
  if (res.connectionNames)
    return withBody(
      `${statusLine(res.status, res.reason)}${headerBlock(clientResponseHeaders(res.rawHeaders))}${tail.toString('latin1')}`,
      body,
    );
  // The upstream's status line from its code on (HTTP/1.0 becomes 1.1); a phrase if it had none.
  const reasonless = res.statusEnd <= 13;
  const status = reasonless ? statusLine(res.status, '') : undefined;
  const statusBytes = status === undefined ? res.statusEnd + 2 : status.length;
  const linesStart = Math.min(res.statusEnd + 2, res.headBytes - 2);
  const linesEnd = res.headBytes - 2;
  const out = Buffer.allocUnsafe(
    statusBytes + keptBytes(linesStart, linesEnd, res.hopLines) + tail.length + body.length,
  );
  let at: number;
  if (status === undefined) {
    at = http11.copy(out, 0);
    at += res.buf.copy(out, at, 8, res.statusEnd + 2);
  } else at = out.write(status, 0, 'latin1');
  at = copyKept(res.buf, linesStart, linesEnd, res.hopLines, out, at);
  at += tail.copy(out, at);
  at += body.copy(out, at);
  return filled(out, at);
}

/**
 * `out` up to `at`. The sizes are computed to fill it exactly; were one ever wrong, bytes of an
 * unfilled `allocUnsafe` buffer (a shared pool: another request's data) must not be sent.
 */
function filled(out: Buffer, at: number): Buffer {
  return at === out.length ? out : out.subarray(0, at);
}

const http11 = Buffer.from('HTTP/1.1');
const blankLine = Buffer.from('\r\n');
const closeAndBlankLine = Buffer.from('connection: close\r\n\r\n');

/**
 * The fields the balancer adds after the upstream's, and the blank line: constant buffers for
 * what nearly every response gets (nothing, or `connection: close`).
 */
function tailOf(extra: [string, string] | undefined, codings: string | undefined, close: boolean): Buffer {
  if (extra === undefined && codings === undefined) return close ? closeAndBlankLine : blankLine;
  let tail = '';
  if (extra) tail += `${extra[0]}: ${extra[1]}\r\n`;
  if (codings !== undefined) tail += `transfer-encoding: ${codings}\r\n`;
  if (close) tail += 'connection: close\r\n';
  return Buffer.from(`${tail}\r\n`, 'latin1');
}

function withBody(head: string, body: Buffer | undefined): Buffer {
  if (!body || body.length === 0) return Buffer.from(head, 'latin1');
  const out = Buffer.allocUnsafe(head.length + body.length);
  body.copy(out, out.write(head, 0, 'latin1'));
  return out;
}

/** Bytes of `[from, to)` outside the dropped [start, end) pairs (in order, inside it). */
function keptBytes(from: number, to: number, dropped: number[] | undefined): number {
  let n = to - from;
  if (dropped) for (let i = 0; i < dropped.length; i += 2) n -= dropped[i + 1]! - dropped[i]!;
  return n;
}

/** Copy `src[from, to)` without the dropped pairs into `out` at `at`; returns the new offset. */
function copyKept(
  src: Buffer,
  from: number,
  to: number,
  dropped: number[] | undefined,
  out: Buffer,
  at: number,
): number {
  let pos = from;
  if (dropped)
    for (let i = 0; i < dropped.length; i += 2) {
      at += src.copy(out, at, pos, dropped[i]!);
      pos = dropped[i + 1]!;
    }
  return at + src.copy(out, at, pos, to);
}
