import { type Agent, request } from 'node:http';
import { type AddressInfo, createServer, type Server } from 'node:net';

/** What Node's HTTP client (llhttp) read as the response to one request. */
export interface ClientRead {
  status?: number;
  rawHeaders?: string[];
  body?: string;
  rawTrailers?: string[];
  /** The client rejected the bytes (an llhttp code such as HPE_INVALID_CHUNK_SIZE). */
  error?: string;
}

/**
 * A node:net upstream answering `GET /<n>` with the exact bytes registered for n, then closing,
 * and a node:http client reading them: the reference the fast path's response reading must
 * agree with.
 */
export class ScriptedUpstream {
  private readonly answers = new Map<string, Buffer>();
  private readonly server: Server;
  private port = 0;
  private next = 0;

  constructor() {
    this.server = createServer({ noDelay: true }, (socket) => {
      let head = '';
      socket.on('error', () => {});
      socket.on('data', (c: Buffer) => {
        head += c.toString('latin1');
        if (!head.includes('\r\n\r\n')) return;
        const path = head.split(' ')[1] ?? '';
        socket.end(this.answers.get(path) ?? Buffer.alloc(0));
      });
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  get address(): { host: string; port: number } {
    return { host: '127.0.0.1', port: this.port };
  }

  /** Answer the returned path with `bytes` (until `forget`). */
  answer(bytes: Buffer): string {
    const path = `/${this.next++}`;
    this.answers.set(path, bytes);
    return path;
  }

  forget(path: string): void {
    this.answers.delete(path);
  }

  /** Node's client reads `bytes` as the answer to a GET (or HEAD); bounded by `timeoutMs`. */
  read(bytes: Buffer, head: boolean, timeoutMs = 1500): Promise<ClientRead> {
    const path = this.answer(bytes);
    return readResponse(this.address, path, head, undefined, timeoutMs).finally(() => this.forget(path));
  }
}

/** What Node's client reads from `GET path` (or HEAD) at `to`, over `agent` (a fresh connection by default). */
export function readResponse(
  to: { host: string; port: number },
  path: string,
  head: boolean,
  agent: Agent | undefined,
  timeoutMs = 1500,
): Promise<ClientRead> {
  return new Promise((resolve) => {
    const result: ClientRead = {};
    const done = (error?: string): void => {
      clearTimeout(timer);
      if (error && result.error === undefined && result.body === undefined) result.error = error;
      resolve(result);
    };
    const req = request(
      { host: to.host, port: to.port, path, method: head ? 'HEAD' : 'GET', agent: agent ?? false },
      (res) => {
        result.status = res.statusCode;
        result.rawHeaders = res.rawHeaders;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (e: NodeJS.ErrnoException) => done(e.code ?? e.message));
        res.on('aborted', () => done('aborted'));
        res.on('end', () => {
          if (res.complete) {
            result.body = Buffer.concat(chunks).toString('latin1');
            result.rawTrailers = res.rawTrailers;
            done();
          } else done('incomplete');
        });
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      done('timeout');
    }, timeoutMs);
    req.on('error', (e: NodeJS.ErrnoException) => done(e.code ?? e.message));
    req.end();
  });
}
