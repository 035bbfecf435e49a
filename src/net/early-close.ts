import { connect, type Socket } from 'node:net';

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
    const onAbort = (): void => {
      socket.removeAllListeners();
      socket.on('error', () => {});
      socket.destroy();
      resolve(undefined);
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    // A refused connect is no accept at all; a reset one is: the handshake completed and the
    // server's RST arrived before this client saw its connect complete.
    socket.once('error', (error: NodeJS.ErrnoException) => {
      options.signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(error.code === 'ECONNRESET' ? 'reset' : undefined);
    });
    socket.once('connect', () => {
      options.signal?.removeEventListener('abort', onAbort);
      socket.removeAllListeners('error');
      void droppedWithin(socket, options.graceMs, options.signal).then(resolve);
    });
  });
}

/**
 * On a connection just made, send nothing for `graceMs`: does the peer close (FIN) or reset
 * (RST) it on its own? The socket is closed afterwards, normally (FIN), whatever the verdict.
 * `undefined` when it stayed open or the peer spoke first (a banner: someone is there).
 */
export async function droppedWithin(
  socket: Socket,
  graceMs: number,
  signal?: AbortSignal,
): Promise<'closed' | 'reset' | undefined> {
  return await new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const finish = (verdict: 'closed' | 'reset' | undefined): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.removeListener('data', onData);
      socket.removeListener('end', onEnd);
      socket.removeListener('close', onClose);
      socket.removeListener('error', onError);
      socket.on('error', () => {});
      socket.destroy();
      resolve(verdict);
    };
    const onAbort = (): void => finish(undefined);
    const onData = (): void => finish(undefined);
    const onEnd = (): void => finish('closed');
    // A close without 'end' or 'error' (destroyed under us) tells nothing either way.
    const onClose = (): void => finish(undefined);
    const onError = (error: NodeJS.ErrnoException): void =>
      finish(error.code === 'ECONNRESET' || error.code === 'EPIPE' ? 'reset' : undefined);
    if (signal?.aborted) return finish(undefined);
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('data', onData);
    socket.once('end', onEnd);
    socket.once('close', onClose);
    socket.once('error', onError);
    // After the grace period, let one poll phase run (setImmediate) so a close that already
    // arrived while this process was busy is seen before we conclude it never came.
    timer = setTimeout(() => setImmediate(() => finish(undefined)), graceMs);
  });
}
