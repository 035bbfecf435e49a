import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll } from 'vitest';
import { WebSocketServer } from 'ws';

export interface TestUpstream {
  name: string;
  port: number;
  /** Requests seen, by path. */
  hits: Map<string, number>;
  total(): number;
  /** Headers of the last request. */
  lastHeaders: IncomingMessage['headers'] | undefined;
  /** Make /health answer 503 (or 200 again). */
  setHealthy(healthy: boolean): void;
  /** Stop accepting and drop every open connection (a crash, as clients see it). */
  kill(): Promise<void>;
  /** Listen again on the same port. */
  revive(): Promise<void>;
  closedRequests: number;
}

const all: TestUpstream[] = [];
afterAll(async () => {
  await Promise.all(all.map((u) => u.kill()));
});

/**
 * A real HTTP upstream on 127.0.0.1 that names itself in the body. Paths: /health, /hang (never
 * answers), /slow?ms=N, /status/N, /big (1 MB), /echo-headers; WebSocket echo on upgrade.
 */
export async function startUpstream(name: string, port = 0): Promise<TestUpstream> {
  let healthy = true;
  let server: Server;
  const sockets = new Set<Socket>();
  const u: TestUpstream = {
    name,
    port,
    hits: new Map(),
    total: () => [...u.hits.values()].reduce((a, b) => a + b, 0),
    lastHeaders: undefined,
    closedRequests: 0,
    setHealthy: (h) => {
      healthy = h;
    },
    kill: async () => {
      if (!server?.listening) return;
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
    revive: async () => {
      await listen();
    },
  };
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?')[0]!;
    u.hits.set(path, (u.hits.get(path) ?? 0) + 1);
    u.lastHeaders = req.headers;
    req.once('close', () => {
      if (!res.writableFinished) u.closedRequests++;
    });
    if (path === '/health') return void res.writeHead(healthy ? 200 : 503).end(healthy ? 'ok' : 'sick');
    if (path === '/hang') return;
    if (path === '/slow') {
      const ms = Number(new URL(req.url!, 'http://x').searchParams.get('ms') ?? 100);
      setTimeout(() => res.end(name), ms);
      return;
    }
    if (path.startsWith('/status/'))
      return void res.writeHead(Number(path.slice(8))).end(`${name} ${path.slice(8)}`);
    if (path === '/big') return void res.end(Buffer.alloc(1 << 20, 97));
    if (path === '/echo-headers') return void res.end(JSON.stringify(req.headers));
    if (req.method === 'POST') {
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
      });
      req.on('end', () => res.end(`${name} received ${size}`));
      return;
    }
    res.end(name);
  };
  const listen = async (): Promise<void> => {
    server = createServer(handle);
    const wss = new WebSocketServer({ server });
    wss.on('connection', (ws) => ws.on('message', (m) => ws.send(`${name}: ${m.toString()}`)));
    server.on('connection', (s: Socket) => {
      sockets.add(s);
      s.once('close', () => sockets.delete(s));
    });
    await new Promise<void>((r) => server.listen(u.port, '127.0.0.1', () => r()));
    u.port = (server.address() as AddressInfo).port;
  };
  await listen();
  all.push(u);
  return u;
}
