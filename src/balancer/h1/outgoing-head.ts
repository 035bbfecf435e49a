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

const crlf = Buffer.from('\r\n');

/** The request for the upstream: request line for `path`, the client's fields, forwarding fields. */
export function upstreamHead(req: RequestHead, path: string, facts: ForwardingFacts, body?: Buffer): Buffer {
  if (req.connectionNames || (req.forwarding && facts.trusted)) {
    const headers = upstreamRequestHeaders(req.rawHeaders, facts);
    return withBody(`${req.method} ${path} HTTP/1.1\r\n${headerBlock(headers)}\r\n`, body);
  }
  const line = path === req.target ? undefined : `${req.method} ${path} HTTP/1.1\r\n`;
  const lineBytes = line === undefined ? req.linesStart : line.length; // latin1: a byte per character
  const own = ownForwardingLines(facts.clientIp, facts.proto, req.host);
  const linesEnd = req.headBytes - 2; // past the last field line's CRLF
  const out = Buffer.allocUnsafe(
    lineBytes + keptBytes(req.linesStart, linesEnd, req.hopLines) + own.length + 2 + (body?.length ?? 0),
  );
  let at = line === undefined ? req.buf.copy(out, 0, 0, lineBytes) : out.write(line, 0, 'latin1');
  at = copyKept(req.buf, req.linesStart, linesEnd, req.hopLines, out, at);
  at += own.copy(out, at);
  at += crlf.copy(out, at);
  if (body) body.copy(out, at);
  return out;
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
  let tail = '';
  if (extra) tail += `${extra[0]}: ${extra[1]}\r\n`;
  if (res.framing === 'chunked') tail += `transfer-encoding: ${res.transferEncoding}\r\n`;
  if (close) tail += 'connection: close\r\n';
  tail += '\r\n';
  if (res.connectionNames)
    return withBody(
      `${statusLine(res.status, res.reason)}${headerBlock(clientResponseHeaders(res.rawHeaders))}${tail}`,
      body,
    );
  // The upstream's status line from its code on (HTTP/1.0 becomes 1.1); a phrase if it had none.
  const reasonless = res.statusEnd <= 13;
  const status = reasonless ? statusLine(res.status, '') : 'HTTP/1.1';
  // 'HTTP/1.1' and the upstream's line from its SP before the code: as long as the whole line.
  const statusBytes = reasonless ? status.length : res.statusEnd + 2;
  const linesStart = Math.min(res.statusEnd + 2, res.headBytes - 2);
  const linesEnd = res.headBytes - 2;
  const out = Buffer.allocUnsafe(
    statusBytes + keptBytes(linesStart, linesEnd, res.hopLines) + tail.length + body.length,
  );
  let at = out.write(status, 0, 'latin1');
  if (!reasonless) at += res.buf.copy(out, at, 8, res.statusEnd + 2);
  at = copyKept(res.buf, linesStart, linesEnd, res.hopLines, out, at);
  at += out.write(tail, at, 'latin1');
  body.copy(out, at);
  return out;
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
