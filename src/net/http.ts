import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type Socket } from 'node:net';
import { type FailurePhase, NetFailure, toNetFailure } from './failure.js';
import { observeStep } from './steps.js';

/** Milliseconds from the start of the request, like curl's -w timing fields. */
export interface HttpTimings {
  /** Name lookup done (0 for IP literals). */
  dns: number;
  /** TCP connected. */
  connect: number;
  /** TLS handshake done (https only). */
  tls?: number;
  /** First response byte (headers) arrived. */
  ttfb: number;
  total: number;
}

export interface HttpProbeOptions {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Verify the server certificate (https). */
  tlsVerify?: boolean;
  ca?: string | Buffer;
  /** Connect here instead of resolving the URL's host (Host header and SNI still from the URL). */
  connectTo?: { host: string; port: number };
  /** Keep at most this many body bytes. */
  maxBodyBytes?: number;
}

export interface HttpProbeResult {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  timings: HttpTimings;
  remoteAddress: string;
}

/**
 * The SNI name for a host: a name as is, nothing for an IP address (an IP as servername is
 * against RFC 6066 and makes Node print DEP0123 on stderr). `''` turns SNI off in tls.connect.
 */
export function sniFor(host: string): string {
  const bare = host.replace(/^\[|\]$/g, '');
  return isIP(bare) ? '' : bare;
}

/**
 * One HTTP(S) request on a fresh connection, timed phase by phase. A failure is a NetFailure
 * whose `phase` says how far the exchange got (connect, tls, request = waiting for an answer,
 * body) and whose kind separates a close (FIN, `closed`) from a reset (RST, `reset`), silence
 * (`timeout`) and bytes that are not HTTP (`protocol_error`, with `received`).
 */
export async function httpProbe(options: HttpProbeOptions): Promise<HttpProbeResult> {
  const url = new URL(options.url);
  const https = url.protocol === 'https:';
  const start = performance.now();
  const at = (): number => performance.now() - start;
  const timings: Partial<HttpTimings> = {};
  const maxBody = options.maxBodyBytes ?? 4096;
  let phase: FailurePhase = 'connect';
  return await new Promise((resolve, reject) => {
    const req = (https ? httpsRequest : httpRequest)({
      protocol: url.protocol,
      hostname: options.connectTo?.host ?? url.hostname.replace(/^\[|\]$/g, ''),
      port: options.connectTo?.port ?? (url.port || (https ? 443 : 80)),
      path: `${url.pathname}${url.search}`,
      method: options.method ?? 'GET',
      headers: { host: url.host, 'user-agent': 'portico-probe', ...options.headers },
      agent: false,
      ...(https
        ? {
            rejectUnauthorized: options.tlsVerify ?? true,
            servername: sniFor(url.hostname),
            ...(options.ca ? { ca: options.ca } : {}),
          }
        : {}),
    });
    const timer = setTimeout(() => {
      const what =
        phase === 'body'
          ? `the body from ${options.url} did not end within ${options.timeoutMs}ms`
          : phase === 'request'
            ? `${options.url} accepted the connection and sent nothing back within ${options.timeoutMs}ms`
            : `${options.url} did not answer within ${options.timeoutMs}ms`;
      req.destroy(new NetFailure('timeout', what, 'ETIMEDOUT'));
    }, options.timeoutMs);
    const onAbort = (): void => {
      req.destroy(Object.assign(new Error('aborted'), { code: 'ABORT_ERR' }));
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const done = (): void => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    };
    const fail = (error: unknown): void => {
      done();
      reject(classifyHttpError(error, url.host, phase));
    };
    req.once('socket', (socket: Socket) => {
      socket.once('lookup', () => {
        timings.dns = at();
      });
      socket.once('connect', () => {
        timings.connect = at();
        phase = https ? 'tls' : 'request';
      });
      socket.once('secureConnect', () => {
        timings.tls = at();
        phase = 'request';
      });
    });
    req.once('error', fail);
    req.once('response', (res) => {
      timings.ttfb = at();
      phase = 'body';
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (size < maxBody) chunks.push(chunk.subarray(0, maxBody - size));
        size += chunk.length;
      });
      res.once('error', fail);
      res.once('end', () => {
        done();
        timings.total = at();
        observeStep(`HTTP ${options.method ?? 'GET'} ${options.url}`, `${res.statusCode}`);
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          timings: {
            dns: timings.dns ?? 0,
            connect: timings.connect ?? timings.dns ?? 0,
            ...(timings.tls !== undefined ? { tls: timings.tls } : {}),
            ttfb: timings.ttfb!,
            total: timings.total,
          },
          remoteAddress: res.socket?.remoteAddress ?? '',
        });
      });
    });
    req.end();
  });
}

/** Name what went wrong by phase: Node says "socket hang up" for a FIN and "read ECONNRESET" for a RST. */
function classifyHttpError(error: unknown, target: string, phase: FailurePhase): NetFailure {
  const e = error as NodeJS.ErrnoException & { rawPacket?: Buffer };
  let failure: NetFailure;
  if (error instanceof NetFailure) failure = error;
  else if (
    (phase === 'request' || phase === 'connect') &&
    e.code === 'ECONNRESET' &&
    e.message === 'socket hang up'
  )
    failure = new NetFailure('closed', `${target} closed the connection without answering`, 'EOF');
  else if (typeof e.code === 'string' && e.code.startsWith('HPE_')) {
    failure = new NetFailure(
      'protocol_error',
      `${target} answered with something that is not HTTP (${e.code}${e.rawPacket ? `: ${printable(e.rawPacket)}` : ''})`,
      e.code,
    );
    if (e.rawPacket) failure.received = e.rawPacket.subarray(0, 64);
  } else if (phase === 'body' && (e.code === 'ECONNRESET' || e.message === 'aborted'))
    failure = new NetFailure('reset', `${target} cut the connection in the middle of the body`, 'ECONNRESET');
  else failure = toNetFailure(error, target);
  failure.phase = phase;
  return failure;
}

/** The first bytes as text a person can read in evidence. */
export function printable(bytes: Buffer): string {
  return JSON.stringify(
    bytes
      .subarray(0, 32)
      .toString('latin1')
      .replace(/[^\x20-\x7e]/g, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`),
  );
}
