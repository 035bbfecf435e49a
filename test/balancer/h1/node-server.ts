import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';

/** What Node's own HTTP server (llhttp) read from one connection. */
export interface NodeRead {
  requests: Array<{ method: string; url: string; rawHeaders: string[]; bodyLength: number }>;
  /** llhttp's error code when it rejected the bytes (e.g. HPE_INVALID_METHOD). */
  error?: string;
  /** No close within the bound: Node waits for bytes we did not send (it read a longer body). */
  timedOut?: boolean;
}

/**
 * A real node:http server on 127.0.0.1 with default parser options, recording what it reads
 * per connection: the reference the fast path's request parser must agree with.
 */
export class RecordingServer {
  private readonly reads = new Map<number, NodeRead>();
  private readonly server: Server;
  private port = 0;

  constructor() {
    this.server = createServer((req, res) => {
      const read = this.reads.get(req.socket.remotePort ?? -1);
      let bodyLength = 0;
      req.on('data', (c: Buffer) => {
        bodyLength += c.length;
      });
      req.on('end', () => {
        read?.requests.push({ method: req.method!, url: req.url!, rawHeaders: req.rawHeaders, bodyLength });
        res.end('ok');
      });
    });
    this.server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
      const read = this.reads.get((socket as Socket).remotePort ?? -1);
      if (read) read.error = err.code ?? err.message;
      socket.destroy();
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Write `bytes` on a fresh connection; what Node read once it closed (bounded by `timeoutMs`). */
  send(bytes: Buffer, timeoutMs = 1500): Promise<NodeRead> {
    const read: NodeRead = { requests: [] };
    return new Promise((resolve) => {
      const socket = connect(this.port, '127.0.0.1');
      const timer = setTimeout(() => {
        read.timedOut = true;
        socket.destroy();
      }, timeoutMs);
      socket.on('connect', () => {
        this.reads.set(socket.localPort!, read);
        socket.write(bytes);
      });
      socket.on('data', () => {});
      socket.on('error', () => {});
      socket.on('close', () => {
        clearTimeout(timer);
        // The server side may still be closing; its records were made before it closed.
        setImmediate(() => {
          this.reads.delete(socket.localPort ?? -1);
          resolve(read);
        });
      });
    });
  }
}

/** What an upstream read of one request, as `TaggedUpstream` records it. */
export interface UpstreamRead {
  method: string;
  url: string;
  bodyLength: number;
}

/**
 * A node:http upstream recording each request it reads under the sample tag the test put in
 * its `X-Sample` header; `answer` makes the response body from what was read.
 */
export class TaggedUpstream {
  readonly seen = new Map<string, UpstreamRead[]>();
  private readonly server: Server;
  port = 0;

  constructor(answer: (read: UpstreamRead, tag: string) => string) {
    this.server = createServer((req, res) => {
      let bodyLength = 0;
      req.on('data', (c: Buffer) => {
        bodyLength += c.length;
      });
      req.on('end', () => {
        const tag = String(req.headers['x-sample']);
        const read = { method: req.method!, url: req.url!, bodyLength };
        const list = this.seen.get(tag) ?? [];
        list.push(read);
        this.seen.set(tag, list);
        res.end(answer(read, tag));
      });
    });
  }

  async start(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this.port;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
