import { createServer as createHttpServer, type Server as HttpServer, type IncomingMessage } from 'node:http';
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach } from 'vitest';

/**
 * HTTP/1.1 as exact bytes, for the proxy conformance tests: a client on node:net that writes
 * what the test says and parses what comes back strictly (so framing bugs show), a recording
 * node:http upstream, and a node:net upstream that answers with the bytes the test says.
 * Every server and socket made here is closed after each test.
 */

const servers = new Set<Server | HttpServer>();
const sockets = new Set<Socket>();
afterEach(async () => {
  for (const s of sockets) s.destroy();
  sockets.clear();
  await Promise.all(
    [...servers].map(
      (s) =>
        new Promise<void>((resolve) => {
          if ('closeAllConnections' in s) s.closeAllConnections();
          s.close(() => resolve());
        }),
    ),
  );
  servers.clear();
});

function track(socket: Socket): void {
  sockets.add(socket);
  socket.on('error', () => {});
  socket.once('close', () => sockets.delete(socket));
}

async function listen(server: Server | HttpServer): Promise<number> {
  servers.add(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

/** One parsed HTTP/1.x message. Header names and values are latin1, as on the wire. */
export interface Message {
  /** `GET /x HTTP/1.1` or `HTTP/1.1 200 OK`. */
  startLine: string;
  /** Responses: the status code; requests: 0. */
  status: number;
  headers: Array<[string, string]>;
  /** The body, chunked coding removed. */
  body: Buffer;
  trailers: Array<[string, string]>;
  /** How the body was delimited on the wire. */
  framing: 'none' | 'length' | 'chunked' | 'close';
}

/** The value of a header (several joined with ', '), case-insensitive; undefined when absent. */
export function header(m: Message, name: string): string | undefined {
  const values = m.headers.filter(([n]) => n.toLowerCase() === name.toLowerCase()).map(([, v]) => v);
  return values.length === 0 ? undefined : values.join(', ');
}

class Malformed extends Error {}

/**
 * Parse one message at `start` of `buf`. Undefined when more bytes are needed; throws on bytes
 * that are not a well-formed HTTP/1.1 message. `ended`: the peer closed, so a close-delimited
 * response body is complete.
 */
export function parseMessage(
  buf: Buffer,
  start: number,
  kind: 'request' | 'response',
  opts: { headRequest?: boolean; ended?: boolean } = {},
): { message: Message; end: number } | undefined {
  const headEnd = buf.indexOf('\r\n\r\n', start, 'latin1');
  if (headEnd < 0) return undefined;
  const lines = buf.toString('latin1', start, headEnd).split('\r\n');
  const startLine = lines[0]!;
  let status = 0;
  if (kind === 'response') {
    const m = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(startLine);
    if (!m) throw new Malformed(`bad status line ${JSON.stringify(startLine)}`);
    status = Number(m[1]);
  } else if (!/^[A-Z]+ \S+ HTTP\/1\.[01]$/.test(startLine)) {
    throw new Malformed(`bad request line ${JSON.stringify(startLine)}`);
  }
  const headers = lines.slice(1).map(parseField);
  const message: Message = {
    startLine,
    status,
    headers,
    body: Buffer.alloc(0),
    trailers: [],
    framing: 'none',
  };
  let pos = headEnd + 4;
  const te = header(message, 'transfer-encoding');
  const cl = header(message, 'content-length');
  const bodyless =
    kind === 'response' && (opts.headRequest || status < 200 || status === 204 || status === 304);
  if (bodyless) return { message, end: pos };
  if (te !== undefined) {
    if (cl !== undefined) throw new Malformed('both Transfer-Encoding and Content-Length');
    if (te.toLowerCase() !== 'chunked') throw new Malformed(`unexpected Transfer-Encoding ${te}`);
    message.framing = 'chunked';
    const parts: Buffer[] = [];
    for (;;) {
      const lineEnd = buf.indexOf('\r\n', pos, 'latin1');
      if (lineEnd < 0) return undefined;
      const sizeText = buf.toString('latin1', pos, lineEnd).split(';')[0]!.trim();
      if (!/^[0-9a-fA-F]+$/.test(sizeText)) throw new Malformed(`bad chunk size ${JSON.stringify(sizeText)}`);
      const size = Number.parseInt(sizeText, 16);
      pos = lineEnd + 2;
      if (size === 0) {
        for (;;) {
          const end = buf.indexOf('\r\n', pos, 'latin1');
          if (end < 0) return undefined;
          const line = buf.toString('latin1', pos, end);
          pos = end + 2;
          if (line === '') break;
          message.trailers.push(parseField(line));
        }
        message.body = Buffer.concat(parts);
        return { message, end: pos };
      }
      if (buf.length < pos + size + 2) return undefined;
      parts.push(buf.subarray(pos, pos + size));
      if (buf.toString('latin1', pos + size, pos + size + 2) !== '\r\n')
        throw new Malformed('chunk without CRLF');
      pos += size + 2;
    }
  }
  if (cl !== undefined) {
    if (!/^\d+$/.test(cl)) throw new Malformed(`bad Content-Length ${JSON.stringify(cl)}`);
    const length = Number(cl);
    if (buf.length < pos + length) return undefined;
    message.framing = 'length';
    message.body = Buffer.from(buf.subarray(pos, pos + length));
    return { message, end: pos + length };
  }
  if (kind === 'request') return { message, end: pos };
  if (!opts.ended) return undefined;
  message.framing = 'close';
  message.body = Buffer.from(buf.subarray(pos));
  return { message, end: buf.length };
}

function parseField(line: string): [string, string] {
  const m = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+):[ \t]*(.*?)[ \t]*$/.exec(line);
  if (!m) throw new Malformed(`bad header line ${JSON.stringify(line)}`);
  return [m[1]!, m[2]!];
}

/** A client connection that sends exact bytes and reads responses strictly. */
export class RawClient {
  private buf = Buffer.alloc(0);
  private offset = 0;
  /** The peer closed (FIN, reset or error): nothing more will arrive. */
  ended = false;
  private wake: (() => void) | undefined;

  private constructor(private readonly socket: Socket) {
    track(socket);
    socket.on('data', (chunk: Buffer) => {
      this.buf = Buffer.concat([this.buf, chunk]);
      this.wake?.();
    });
    const end = (): void => {
      this.ended = true;
      this.wake?.();
    };
    socket.on('end', end);
    socket.on('close', end);
    socket.on('error', end);
  }

  static async open(port: number): Promise<RawClient> {
    const socket = connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new RawClient(socket);
  }

  async write(data: string | Buffer): Promise<void> {
    await new Promise<void>((resolve, reject) =>
      this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data, (err) =>
        err ? reject(err) : resolve(),
      ),
    );
  }

  /** Write `data` one byte per write, each after the previous one has been flushed. */
  async writeBytewise(data: string): Promise<void> {
    for (const byte of Buffer.from(data, 'latin1')) {
      await this.write(Buffer.of(byte));
      await new Promise((r) => setImmediate(r));
    }
  }

  /** The next response (interim 1xx ones included). Throws when the connection ends first. */
  async response(opts: { headRequest?: boolean; timeoutMs?: number } = {}): Promise<Message> {
    const deadline = Date.now() + (opts.timeoutMs ?? 5000);
    for (;;) {
      const parsed = parseMessage(this.buf, this.offset, 'response', { ...opts, ended: this.ended });
      if (parsed) {
        this.offset = parsed.end;
        return parsed.message;
      }
      if (this.ended) throw new Error(`connection closed before a complete response; got ${this.preview()}`);
      await this.more(deadline, 'a response');
    }
  }

  /** The next final (non-1xx) response, and the interim ones before it. */
  async finalResponse(
    opts: { headRequest?: boolean; timeoutMs?: number } = {},
  ): Promise<{ final: Message; interim: Message[] }> {
    const interim: Message[] = [];
    for (let i = 0; i < 10; i++) {
      const m = await this.response(opts);
      if (m.status >= 200) return { final: m, interim };
      interim.push(m);
    }
    throw new Error('more than 10 interim responses');
  }

  /** True when the peer closes within `timeoutMs`. */
  async closedWithin(timeoutMs = 3000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ended) {
      try {
        await this.more(deadline, 'close');
      } catch {
        return false;
      }
    }
    return true;
  }

  /** Bytes received and not yet consumed as a response. */
  rest(): Buffer {
    return this.buf.subarray(this.offset);
  }

  /** Every byte received on this connection. */
  received(): Buffer {
    return this.buf;
  }

  destroy(): void {
    this.socket.destroy();
  }

  private preview(): string {
    return JSON.stringify(this.buf.toString('latin1', this.offset, this.offset + 200));
  }

  private async more(deadline: number, what: string): Promise<void> {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`timed out waiting for ${what}; got ${this.preview()}`);
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, left);
      this.wake = () => {
        clearTimeout(t);
        this.wake = undefined;
        resolve();
      };
    });
  }
}

/** A request as a node:http upstream received it. */
export interface Received {
  method: string;
  url: string;
  httpVersion: string;
  /** Names as sent, in order. */
  rawHeaders: string[];
  headers: IncomingMessage['headers'];
  body: Buffer;
}

/**
 * A node:http upstream on 127.0.0.1 that records each request (with its whole body) and answers
 * `answer`; by default 200 with the request target as the body. `arrived` lists the target of
 * every request as soon as its head arrives, body complete or not.
 */
export async function recordingUpstream(
  answer: (req: Received, res: import('node:http').ServerResponse) => void = (req, res) => res.end(req.url),
): Promise<{ port: number; requests: Received[]; arrived: string[] }> {
  const requests: Received[] = [];
  const arrived: string[] = [];
  const server = createHttpServer((req, res) => {
    arrived.push(req.url ?? '');
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const r: Received = {
        method: req.method ?? '',
        url: req.url ?? '',
        httpVersion: req.httpVersion,
        rawHeaders: req.rawHeaders,
        headers: req.headers,
        body: Buffer.concat(parts),
      };
      requests.push(r);
      answer(r, res);
    });
  });
  server.on('connection', track);
  return { port: await listen(server), requests, arrived };
}

/** One connection of a `rawUpstream`, and the index of the request on it (0 for the first). */
export interface RawExchange {
  socket: Socket;
  request: Message;
  /** Requests seen on this connection before this one. */
  onConnection: number;
  /** This connection's number on the server, from 0. */
  connection: number;
}

/**
 * A node:net upstream on 127.0.0.1 that parses each request and lets `answer` write exact bytes
 * (or misbehave). `requests`: complete requests over all connections; `connections` and `closed`:
 * connections accepted and closed so far.
 */
export async function rawUpstream(
  answer: (x: RawExchange) => void,
): Promise<{ port: number; requests: Message[]; connections: () => number; closed: () => number }> {
  const requests: Message[] = [];
  let connections = 0;
  let closed = 0;
  const server = createServer((socket) => {
    track(socket);
    socket.once('close', () => closed++);
    socket.setDefaultEncoding('latin1'); // strings in tests are the exact bytes to send
    const connection = connections++;
    let buf = Buffer.alloc(0);
    let offset = 0;
    let onConnection = 0;
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        let parsed: ReturnType<typeof parseMessage>;
        try {
          parsed = parseMessage(buf, offset, 'request');
        } catch {
          socket.destroy();
          return;
        }
        if (!parsed) return;
        offset = parsed.end;
        requests.push(parsed.message);
        answer({ socket, request: parsed.message, onConnection: onConnection++, connection });
      }
    });
  });
  return { port: await listen(server), requests, connections: () => connections, closed: () => closed };
}
