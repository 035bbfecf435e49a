import { connect, type Socket } from 'node:net';
import { formatHostPort } from '../core/address.js';
import { NetFailure, toNetFailure } from './failure.js';
import { observeStep } from './steps.js';

export interface TcpConnectOptions {
  host: string;
  port: number;
  /** Deadline for the connect; 0 leaves it to `signal` (runCheck already times every probe). */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Keep the socket open and return it (otherwise it is closed at once, with a RST). */
  keep?: boolean;
  /** Also report local and remote addresses (two extra syscalls; the scheduler skips them). */
  addresses?: boolean;
}

export interface TcpConnectResult {
  connectMs: number;
  localAddress?: string;
  remoteAddress?: string;
  socket?: Socket;
}

/** Open a TCP connection with a deadline; failures come back as classified NetFailures. */
export async function tcpConnect(options: TcpConnectOptions): Promise<TcpConnectResult> {
  const target = formatHostPort(options.host, options.port);
  const started = performance.now();
  return await new Promise((resolve, reject) => {
    const socket = connect({ host: options.host, port: options.port });
    const fail = (error: unknown): void => {
      cleanup();
      socket.destroy();
      reject(toNetFailure(error, target));
    };
    const timer = setTimeout(
      () =>
        fail(
          new NetFailure(
            'timeout',
            `no answer from ${target} within ${options.timeoutMs}ms: filtered, host down, or server overloaded`,
            'ETIMEDOUT',
          ),
        ),
      options.timeoutMs,
    );
    const onAbort = (): void => fail(Object.assign(new Error('aborted'), { code: 'ABORT_ERR' }));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const cleanup = (): void => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    };
    socket.once('error', fail);
    socket.once('connect', () => {
      cleanup();
      socket.off('error', fail);
      const result: TcpConnectResult = { connectMs: performance.now() - started };
      observeStep(`TCP connect ${target}`);
      if (options.addresses) {
        result.localAddress = socket.localAddress ?? '';
        result.remoteAddress = socket.remoteAddress ?? '';
      }
      if (options.keep) result.socket = socket;
      // A normal close (FIN), not RST: a reset can crash naive servers that attach no 'error'
      // handler to accepted sockets, and a health check must never harm what it checks.
      else socket.destroy();
      resolve(result);
    });
  });
}
