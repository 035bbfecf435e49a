import { connect, createServer, type Server, type Socket } from 'node:net';
import type { BalancerSpec } from './model.js';
import type { UpstreamPool } from './pool.js';
import type { Upstream } from './upstream.js';

/**
 * Layer-4 balancing for databases and other non-HTTP services: each client connection goes to
 * one upstream (least-conn by default), with a connect timeout, one retry per other upstream on
 * connect failure, passive ejection, and an idle timeout.
 */
export function createTcpProxy(spec: BalancerSpec, pool: UpstreamPool): Server {
  const server = createServer((client) => {
    client.pause();
    client.on('error', () => {});
    open(client, new Set());
  });
  const open = (client: Socket, tried: Set<Upstream>): void => {
    const chosen = pool.select(Date.now(), tried, client.remoteAddress);
    if (typeof chosen === 'string') {
      client.destroy();
      return;
    }
    const u = chosen;
    u.active++;
    u.requests++;
    const upstream = connect({ host: u.address, port: u.port });
    const timer = setTimeout(
      () => upstream.destroy(Object.assign(new Error('connect timeout'), { code: 'ETIMEDOUT' })),
      spec.timeouts.connectMs,
    );
    let connected = false;
    let released = false;
    const release = (): void => {
      if (!released) {
        released = true;
        pool.release(u);
      }
    };
    upstream.once('connect', () => {
      connected = true;
      clearTimeout(timer);
      pool.recordSuccess(u, Date.now());
      upstream.pipe(client);
      client.pipe(upstream);
      client.resume();
      for (const s of [client, upstream]) s.setTimeout(spec.timeouts.idleMs, () => s.destroy());
    });
    upstream.on('error', () => {
      clearTimeout(timer);
      if (!connected) {
        u.connectErrors++;
        pool.recordFailure(u, Date.now());
        release();
        tried.add(u);
        if (!client.destroyed && tried.size <= spec.retry.attempts) open(client, tried);
        else client.destroy();
      }
    });
    upstream.once('close', () => {
      release();
      if (connected) client.destroy();
    });
    client.once('close', () => {
      if (connected) upstream.destroy();
    });
  };
  return server;
}
