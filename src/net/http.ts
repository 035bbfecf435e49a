import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import { NetFailure, toNetFailure } from './failure.js';

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

/** One HTTP(S) request on a fresh connection, timed phase by phase. */
export async function httpProbe(options: HttpProbeOptions): Promise<HttpProbeResult> {
  const url = new URL(options.url);
  const https = url.protocol === 'https:';
  const start = performance.now();
  const at = (): number => performance.now() - start;
  const timings: Partial<HttpTimings> = {};
  const maxBody = options.maxBodyBytes ?? 4096;
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
            servername: url.hostname,
            ...(options.ca ? { ca: options.ca } : {}),
          }
        : {}),
    });
    const timer = setTimeout(() => {
      req.destroy(
        new NetFailure('timeout', `${options.url} did not answer within ${options.timeoutMs}ms`, 'ETIMEDOUT'),
      );
    }, options.timeoutMs);
    const onAbort = (): void => {
      req.destroy(Object.assign(new Error('aborted'), { code: 'ABORT_ERR' }));
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const done = (): void => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    };
    req.once('socket', (socket: Socket) => {
      socket.once('lookup', () => {
        timings.dns = at();
      });
      socket.once('connect', () => {
        timings.connect = at();
      });
      socket.once('secureConnect', () => {
        timings.tls = at();
      });
    });
    req.once('error', (error) => {
      done();
      reject(toNetFailure(error, url.host));
    });
    req.once('response', (res) => {
      timings.ttfb = at();
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (size < maxBody) chunks.push(chunk.subarray(0, maxBody - size));
        size += chunk.length;
      });
      res.once('error', (error) => {
        done();
        reject(toNetFailure(error, url.host));
      });
      res.once('end', () => {
        done();
        timings.total = at();
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
