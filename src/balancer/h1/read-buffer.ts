/**
 * The one buffer every socket of the fast path reads into, upstream and client alike. A read is
 * handled to its end before the next one starts (one thread), so bytes are copied only when they
 * outlive their read: a partial head, a pipelined request, body bytes a socket has not written yet.
 */
export const readBuffer = Buffer.allocUnsafeSlow(64 * 1024);

/** `bytes` themselves if they are not in the read buffer, else a copy that outlives the read. */
export function keep(bytes: Buffer): Buffer {
  return bytes.buffer === readBuffer.buffer ? Buffer.from(bytes) : bytes;
}
