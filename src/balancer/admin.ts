import { timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';

export interface AdminHandlers {
  /** The /status document (a promise when it is gathered from worker processes). */
  status: () => unknown;
  /** A registry, or anything that renders like one (the cluster aggregator of `--workers`). */
  metrics: { metrics(): Promise<string>; readonly contentType: string };
  token?: string;
}

/**
 * The admin endpoint, on its own (loopback by default) listener: GET /status (JSON), /metrics
 * (Prometheus), /healthz. Read-only: nothing here changes the balancer or runs anything. With a
 * token, every request needs `Authorization: Bearer <token>`.
 */
export function createAdminServer(handlers: AdminHandlers): Server {
  return createServer((req, res) => {
    const send = (status: number, type: string, body: string): void => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (handlers.token && !authorized(req.headers.authorization, handlers.token)) {
      res.setHeader('www-authenticate', 'Bearer');
      return send(
        401,
        'application/json',
        JSON.stringify({ error: { code: 'unauthorized', message: 'bearer token required' } }),
      );
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return send(
        405,
        'application/json',
        JSON.stringify({ error: { code: 'method_not_allowed', message: 'the admin API is read-only' } }),
      );
    }
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') return send(200, 'text/plain', 'ok\n');
    if (path === '/status') {
      Promise.resolve(handlers.status()).then(
        (doc) => send(200, 'application/json', `${JSON.stringify(doc, null, 2)}\n`),
        (error: Error) =>
          send(
            500,
            'application/json',
            JSON.stringify({ error: { code: 'status_failed', message: error.message } }),
          ),
      );
      return;
    }
    if (path === '/metrics') {
      handlers.metrics.metrics().then(
        (text) => send(200, handlers.metrics.contentType, text),
        (error: Error) =>
          send(
            500,
            'application/json',
            JSON.stringify({ error: { code: 'metrics_failed', message: error.message } }),
          ),
      );
      return;
    }
    send(
      404,
      'application/json',
      JSON.stringify({
        error: { code: 'not_found', message: `no ${path}; try /status, /metrics, /healthz` },
      }),
    );
  });
}

function authorized(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header?.startsWith('Bearer ') ? header.slice(7) : '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
