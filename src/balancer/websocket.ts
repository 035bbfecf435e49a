import type { IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { HttpRoute } from './exchange.js';
import { ChunkedEnd } from './h1/chunked-end.js';
import { parseResponseHead, type ResponseHead } from './h1/response-head.js';
import { upstreamRequestHeaders } from './headers.js';
import type { BalancerSpec } from './model.js';

/**
 * A WebSocket (or any HTTP/1.1 Upgrade) through the balancer: pick an upstream, replay the
 * handshake request with forwarding headers, and splice the two sockets only when the upstream
 * answers 101. A refusal (any other answer) goes back to the client byte for byte and both
 * connections close after it: a tunnel opened on a refusal would carry the client's next
 * requests to the upstream raw, past routing and the forwarding-header rules.
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
    awaitSwitch(upstream, client, req.method === 'HEAD');
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

/** Bytes of the upstream's answer head taken before it is refused. */
const maxHeadBytes = 64 * 1024;

/** Read the upstream's answer head: 101 opens the tunnel, anything else is passed on alone. */
function awaitSwitch(upstream: Socket, client: Duplex, head: boolean): void {
  let buf: Buffer | undefined;
  const onData = (chunk: Buffer): void => {
    buf = buf ? Buffer.concat([buf, chunk]) : chunk;
    let answer: ResponseHead | undefined;
    try {
      answer = parseResponseHead(buf, head);
    } catch {
      upstream.destroy();
      return;
    }
    if (!answer) {
      if (buf.length > maxHeadBytes) upstream.destroy();
      return;
    }
    upstream.off('data', onData);
    if (answer.status === 101) {
      client.write(buf);
      upstream.pipe(client);
      client.pipe(upstream);
      return;
    }
    passOnRefusal(upstream, client, answer, buf);
  };
  upstream.on('data', onData);
}

/** The refusal's head and body (as framed), then both connections closed. */
function passOnRefusal(upstream: Socket, client: Duplex, answer: ResponseHead, buf: Buffer): void {
  let left = answer.contentLength;
  const chunks = answer.framing === 'chunked' ? new ChunkedEnd() : undefined;
  const done = (): void => {
    client.end();
    upstream.destroy();
  };
  const body = (chunk: Buffer): boolean => {
    if (answer.framing === 'close') {
      client.write(chunk);
      return false;
    }
    let end = chunk.length;
    if (answer.framing === 'length') end = Math.min(left, chunk.length);
    else if (chunks) {
      const at = chunks.scan(chunk);
      if (at >= 0) end = at;
    } else end = 0;
    if (answer.framing === 'length') left -= end;
    client.write(end === chunk.length ? chunk : chunk.subarray(0, end));
    return answer.framing === 'none' || (answer.framing === 'length' ? left === 0 : chunks!.done);
  };
  client.write(buf.subarray(0, answer.headBytes));
  try {
    if (body(buf.subarray(answer.headBytes))) {
      done();
      return;
    }
    upstream.on('data', (chunk: Buffer) => {
      try {
        if (body(chunk)) done();
      } catch {
        upstream.destroy(); // as below, for a framing error in a later read
      }
    });
    upstream.once('end', done);
  } catch {
    upstream.destroy(); // a body that cannot be delimited: the client sees the connection cut
  }
}
