import { type AddressInfo, createServer, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../../helpers/wait.js';
import { startBalancer } from '../harness.js';
import { RawClient, recordingUpstream } from '../raw-http.js';

/**
 * Every socket of the fast path reads into one shared buffer (read-buffer.ts): bytes that outlive
 * their read must be copied before the next read, on any connection, writes over them. Each test
 * leaves bytes waiting on one connection, has another connection's request (a head full of `Z`)
 * read into the buffer meanwhile, then checks that the waiting bytes arrive as they were sent.
 */

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 30));

async function setup(circuit?: { maxConcurrent: number; maxPending: number }) {
  const up = await recordingUpstream((req, res) => {
    const wait = Number(new URL(req.url, 'http://x').searchParams.get('ms') ?? 0);
    setTimeout(
      () =>
        res.end(
          JSON.stringify({ url: req.url, check: req.headers['x-check'], body: req.body.toString('latin1') }),
        ),
      wait,
    );
  });
  const { url } = await startBalancer({
    routes: [{ name: 'r', upstreams: [`127.0.0.1:${up.port}`], healthCheck: false }],
    ...(circuit ? { circuit } : {}),
  });
  const port = Number(new URL(url).port);
  /** A request from another connection: its head fills the start of the read buffer with `Z`. */
  const overwrite = async (): Promise<void> => {
    const c = await RawClient.open(port);
    await c.write(`GET /z HTTP/1.1\r\nHost: x\r\nX-Check: ${'Z'.repeat(3000)}\r\n\r\n`);
    expect((await c.response()).status).toBe(200);
    c.destroy();
  };
  return { up, port, overwrite };
}

function answer(body: Buffer): { url: string; check?: string; body: string } {
  return JSON.parse(body.toString('latin1'));
}

describe('the shared read buffer: bytes that outlive their read are kept', () => {
  it('a head that arrives in two reads, with another connection read in between', async () => {
    const { port, overwrite } = await setup();
    const a = await RawClient.open(port);
    await a.write('GET /split HTTP/1.1\r\nHost: x\r\nX-Check: first-');
    await settle();
    await overwrite();
    await a.write('half-and-second\r\n\r\n');
    const res = await a.response();
    expect(res.status).toBe(200);
    expect(answer(res.body)).toEqual({ url: '/split', check: 'first-half-and-second', body: '' });
  });

  it('a pipelined request that waits for the answer before it', async () => {
    const { port, overwrite } = await setup();
    const a = await RawClient.open(port);
    await a.write(
      'GET /slow?ms=200 HTTP/1.1\r\nHost: x\r\n\r\nPOST /second HTTP/1.1\r\nHost: x\r\nX-Check: two\r\nContent-Length: 5\r\n\r\nhello',
    );
    await settle();
    await overwrite();
    expect(answer((await a.response()).body).url).toBe('/slow?ms=200');
    expect(answer((await a.response()).body)).toEqual({ url: '/second', check: 'two', body: 'hello' });
  });

  it('body bytes that arrive while the request waits for an upstream slot', async () => {
    const { port, overwrite } = await setup({ maxConcurrent: 1, maxPending: 4 });
    const holder = await RawClient.open(port);
    await holder.write('GET /hold?ms=300 HTTP/1.1\r\nHost: x\r\n\r\n');
    await settle();
    const a = await RawClient.open(port);
    await a.write('POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 20\r\n\r\nfirst-ten|');
    await settle();
    await a.write('second-ten');
    await settle();
    // The slot is still taken: both halves of the body wait, the second one outside the head.
    const other = RawClient.open(port).then(async (c) => {
      await c.write(`GET /z HTTP/1.1\r\nHost: x\r\nX-Check: ${'Z'.repeat(3000)}\r\n\r\n`);
      return c;
    });
    expect((await holder.response()).status).toBe(200);
    const res = await a.response();
    expect(answer(res.body)).toEqual({ url: '/upload', body: 'first-ten|second-ten' });
    await (await other).response();
    await overwrite();
  });

  it('bytes after an upgrade request, handed over to Node’s server and sent once the upstream connects', async () => {
    // An upstream that switches protocols and then echoes every byte after the request head.
    const echoSockets = new Set<Socket>();
    const echo = createServer((socket) => {
      echoSockets.add(socket);
      let head = Buffer.alloc(0);
      const onData = (chunk: Buffer): void => {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        socket.off('data', onData);
        socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
        socket.write(head.subarray(end + 4));
        socket.pipe(socket);
      };
      socket.on('data', onData);
      socket.on('error', () => {});
    });
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    let a: RawClient | undefined;
    let z: RawClient | undefined;
    try {
      const { port: echoPort } = echo.address() as AddressInfo;
      const { url } = await startBalancer({
        routes: [{ name: 'ws', upstreams: [`127.0.0.1:${echoPort}`], healthCheck: false }],
      });
      const port = Number(new URL(url).port);
      a = await RawClient.open(port);
      z = await RawClient.open(port);
      // The bytes after the head go over with it (Node passes them to the upgrade as a view), and
      // are written when the upstream connection is up: the other connection's read comes first.
      await Promise.all([
        a.write(
          'GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\r\nearly-bytes|',
        ),
        z.write(`GET /z HTTP/1.1\r\nHost: x\r\nX-Check: ${'Z'.repeat(3000)}\r\n\r\n`),
      ]);
      await z.response().catch(() => undefined); // the echo upstream does not speak HTTP
      expect((await a.response()).status).toBe(101);
      await a.write('later-bytes');
      const echoed = (): string => a!.rest().toString('latin1');
      await waitFor(() => echoed() === 'early-bytes|later-bytes', {
        what: 'the echo',
        timeoutMs: 3000,
      }).catch(() => undefined);
      expect(echoed()).toBe('early-bytes|later-bytes');
    } finally {
      a?.destroy();
      z?.destroy();
      for (const s of echoSockets) s.destroy();
      await new Promise<void>((r) => echo.close(() => r()));
    }
  });
});
