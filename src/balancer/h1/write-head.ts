import { STATUS_CODES } from 'node:http';

/** `HTTP/1.1 200 OK\r\n`, with the upstream's reason phrase when it sent one. */
export function statusLine(status: number, reason: string): string {
  return `HTTP/1.1 ${status} ${reason === '' ? (STATUS_CODES[status] ?? '') : reason}\r\n`;
}

/** `name: value\r\n` for each pair of a flat [name, value, …] list. */
export function headerBlock(pairs: string[]): string {
  let out = '';
  for (let i = 0; i < pairs.length; i += 2) out += `${pairs[i]}: ${pairs[i + 1]}\r\n`;
  return out;
}

/**
 * Portico's own answer (no route, no upstream, 502, 504): plain UTF-8 text, coded in
 * `x-portico-error`. A Buffer, so the length counts the bytes that are sent (a Host of latin1
 * bytes in the message takes two bytes each in UTF-8).
 */
export function errorResponse(
  status: number,
  code: string,
  message: string,
  head: boolean,
  close: boolean,
): Buffer {
  const body = Buffer.from(`portico: ${message}\n`, 'utf8');
  const text =
    `${statusLine(status, '')}content-type: text/plain; charset=utf-8\r\ncontent-length: ${body.length}\r\n` +
    `x-portico-error: ${code}\r\n${close ? 'connection: close\r\n' : ''}\r\n`;
  return head ? Buffer.from(text, 'latin1') : Buffer.concat([Buffer.from(text, 'latin1'), body]);
}
