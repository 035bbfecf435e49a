import type { IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { HttpRoute } from './exchange.js';
import { upstreamRequestHeaders } from './headers.js';
import type { BalancerSpec } from './model.js';

/**
 * A WebSocket (or any HTTP/1.1 Upgrade) through the balancer: pick an upstream, replay the
 * handshake request with forwarding headers, then splice the two sockets. The upstream's 101 (or
 * refusal) goes back to the client byte for byte.
 */
export function proxyUpgrade(
  spec: BalancerSpec,
  route: HttpRoute,
  path: string,
  req: IncomingMessage,
  client: Duplex,
  head: Buffer,
  proto: 'http' | 'https',
  trusted: boolean,
): void {
  const chosen = route.pool.select(Date.now(), undefined, undefined);
  if (typeof chosen === 'string') {
    client.end(
      `HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nportico: no healthy upstream for route ${route.spec.name}\n`,
    );
    return;
  }
  const u = chosen;
  u.active++;
  u.requests++;
  const clientIp = req.socket.remoteAddress ?? '';
  const headers = upstreamRequestHeaders(req.rawHeaders, { clientIp, proto, trusted, upgrade: true });
  const upstream: Socket = connect({ host: u.address, port: u.port });
  let released = false;
  let connected = false;
  const release = (): void => {
    if (released) return;
    released = true;
    route.pool.release(u);
  };
  const connectTimer = setTimeout(
    () => upstream.destroy(Object.assign(new Error('connect timeout'), { code: 'ETIMEDOUT' })),
    spec.timeouts.connectMs,
  );
  upstream.once('connect', () => {
    connected = true;
    clearTimeout(connectTimer);
    route.pool.recordSuccess(u, Date.now());
    let request = `${req.method} ${path} HTTP/1.1\r\n`;
    for (let i = 0; i < headers.length; i += 2) request += `${headers[i]}: ${headers[i + 1]}\r\n`;
    upstream.write(`${request}\r\n`);
    if (head.length > 0) upstream.write(head);
    upstream.pipe(client);
    client.pipe(upstream);
  });
  upstream.once('error', (err: NodeJS.ErrnoException) => {
    clearTimeout(connectTimer);
    if (!connected) {
      u.connectErrors++;
      route.pool.recordFailure(u, Date.now());
      const status = err.code === 'ETIMEDOUT' ? '504 Gateway Timeout' : '502 Bad Gateway';
      client.end(
        `HTTP/1.1 ${status}\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nportico: upstream ${u.id} failed: ${err.message}\n`,
      );
    } else {
      client.destroy();
    }
    release();
  });
  client.once('error', () => upstream.destroy());
  client.once('close', () => {
    upstream.destroy();
    release();
  });
  upstream.once('close', () => {
    client.destroy();
    release();
  });
  // An idle upgraded connection is closed after the idle timeout, like any other.
  upstream.setTimeout(spec.timeouts.idleMs, () => upstream.destroy());
}
