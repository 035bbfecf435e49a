import {
  createServer as createHttp,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttps } from 'node:https';

/** How a demo service answers: `delayMs` makes it the slow one. */
export interface DemoBehaviour {
  name: string;
  delayMs?: number;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

function handler(behaviour: DemoBehaviour): Handler {
  return (req, res) => {
    const answer = (): void => {
      const body =
        req.url === '/health'
          ? JSON.stringify({ status: 'ok', service: behaviour.name })
          : JSON.stringify({ service: behaviour.name, path: req.url });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`${body}\n`);
    };
    if (behaviour.delayMs) setTimeout(answer, behaviour.delayMs).unref();
    else answer();
  };
}

/** A plain HTTP demo service on 127.0.0.1:port. */
export async function startHttpService(behaviour: DemoBehaviour, port: number): Promise<Server> {
  return await listen(createHttp(handler(behaviour)), port);
}

/** An HTTPS demo service on 127.0.0.1:port with the given certificate. */
export async function startHttpsService(
  behaviour: DemoBehaviour,
  port: number,
  tls: { cert: string; key: string },
): Promise<Server> {
  return await listen(createHttps(tls, handler(behaviour)), port);
}

async function listen(server: Server, port: number): Promise<Server> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

/** Close a server and every connection it holds. */
export async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
