import { connect } from 'node:net';

/**
 * Connect and send nothing for `graceMs`: does the server close (FIN) or reset (RST) the
 * connection on its own, right after accepting it? That separates a server that drops every
 * connection at accept (connection limits, access rules, a published port with nothing behind
 * it) from one that reads the request and then gives up. `undefined` when it kept the
 * connection open (or spoke first), or the connection could not be made.
 */
export async function closesAtAccept(options: {
  host: string;
  port: number;
  graceMs: number;
  signal?: AbortSignal;
}): Promise<'closed' | 'reset' | undefined> {
  return await new Promise((resolve) => {
    const socket = connect({ host: options.host, port: options.port });
    let timer: NodeJS.Timeout | undefined;
    const finish = (verdict: 'closed' | 'reset' | undefined): void => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      socket.removeAllListeners();
      socket.on('error', () => {});
      socket.destroy();
      resolve(verdict);
    };
    const onAbort = (): void => finish(undefined);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => {
      // After the grace period, let one poll phase run (setImmediate) so a close that already
      // arrived while this process was busy is seen before we conclude it never came.
      timer = setTimeout(() => setImmediate(() => finish(undefined)), options.graceMs);
    });
    socket.once('data', () => finish(undefined));
    socket.once('end', () => finish('closed'));
    socket.once('error', (error: NodeJS.ErrnoException) =>
      finish(socket.connecting ? undefined : error.code === 'ECONNRESET' ? 'reset' : undefined),
    );
  });
}
