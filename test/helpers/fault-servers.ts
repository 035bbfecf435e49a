import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { afterAll } from 'vitest';

/**
 * Servers that fail in one precise way each, on loopback (port 0), for the connectivity fault
 * lab. Every server and every socket it accepted is closed after the test file.
 */
export type SocketFault =
  | 'rst-at-accept'
  | 'fin-at-accept'
  | 'fin-after-request'
  | 'rst-after-request'
  | 'silent'
  | 'garbage'
  | 'rst-mid-body'
  | 'fin-mid-body'
  | 'healthy';

const servers: Array<HttpServer | Server> = [];
const sockets = new Set<Socket>();
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await Promise.all(
    servers.splice(0).map(
      (s) =>
        new Promise<void>((resolve) => {
          if ('closeAllConnections' in s) s.closeAllConnections();
          s.close(() => resolve());
        }),
    ),
  );
});

function track(socket: Socket): void {
  sockets.add(socket);
  socket.on('error', () => {});
  socket.once('close', () => sockets.delete(socket));
}

async function listen(server: HttpServer | Server, host: string): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

const okResponse =
  'HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok';

/** A raw TCP server speaking (or failing to speak) HTTP/1.1 in the way `fault` says. */
export async function socketFaultServer(fault: SocketFault, host = '127.0.0.1'): Promise<number> {
  const server = createServer((socket) => {
    track(socket);
    switch (fault) {
      case 'rst-at-accept':
        socket.resetAndDestroy();
        return;
      case 'fin-at-accept':
        socket.end();
        return;
      case 'silent':
        return; // reads the request, never answers
      default:
    }
    let seen = '';
    socket.on('data', (chunk: Buffer) => {
      seen += chunk.toString('latin1');
      if (!seen.includes('\r\n\r\n')) return; // the whole request head first
      switch (fault) {
        case 'fin-after-request':
          socket.end();
          return;
        case 'rst-after-request':
          socket.resetAndDestroy();
          return;
        case 'garbage':
          socket.end(Buffer.from('\x00\x01garbage that is not HTTP\r\n', 'latin1'));
          return;
        case 'rst-mid-body':
          socket.write('HTTP/1.1 200 OK\r\ncontent-length: 100000\r\n\r\n');
          socket.write('x'.repeat(1000), () => setImmediate(() => socket.resetAndDestroy()));
          return;
        case 'fin-mid-body':
          socket.end('HTTP/1.1 200 OK\r\ncontent-length: 100000\r\n\r\nonly the start');
          return;
        default:
          socket.end(okResponse);
      }
    });
  });
  return await listen(server, host);
}

export type HttpFault =
  | 'status-404'
  | 'status-503'
  | 'redirect-loop'
  | 'slow-headers'
  | 'slow-body'
  | 'slow-once'
  | 'healthy';

/** An HTTP server answering in the way `fault` says; delays are `delayMs`. */
export async function httpFaultServer(fault: HttpFault, delayMs = 600, host = '127.0.0.1'): Promise<number> {
  let answered = 0;
  const server = createHttpServer((req, res) => {
    answered++;
    switch (fault) {
      case 'status-404':
        res.writeHead(404).end('no such page');
        return;
      case 'status-503':
        res.writeHead(503).end('database down');
        return;
      case 'redirect-loop':
        res.writeHead(302, { location: req.url === '/a' ? '/b' : '/a' }).end();
        return;
      case 'slow-headers': {
        const t = setTimeout(() => res.end('late'), delayMs);
        res.once('close', () => clearTimeout(t));
        return;
      }
      case 'slow-once': {
        // One unlucky moment (a GC pause, a loaded machine): only the first answer is late.
        if (answered > 1) {
          res.end('ok');
          return;
        }
        const t = setTimeout(() => res.end('late'), delayMs);
        res.once('close', () => clearTimeout(t));
        return;
      }
      case 'slow-body': {
        res.writeHead(200, { 'content-length': '8' });
        res.write('part');
        const t = setTimeout(() => res.end('done'), delayMs);
        res.once('close', () => clearTimeout(t));
        return;
      }
      default:
        res.end('ok');
    }
  });
  server.on('connection', track);
  return await listen(server, host);
}

/** An HTTPS server with the given certificate (PEM, chain allowed) and optional SNI handling. */
export async function tlsServer(
  pem: { certPem: string; keyPem: string },
  options: { host?: string; rejectSni?: boolean } = {},
): Promise<number> {
  const server = createHttpsServer(
    {
      cert: pem.certPem,
      key: pem.keyPem,
      ...(options.rejectSni
        ? { SNICallback: (_name: string, cb: (e: Error | null) => void) => cb(new Error('unknown name')) }
        : {}),
    },
    (_req, res) => res.end('ok'),
  );
  server.on('connection', track);
  server.on('tlsClientError', () => {});
  return await listen(server, options.host ?? '127.0.0.1');
}
