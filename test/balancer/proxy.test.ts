import { connect } from 'node:net';
import { Readable } from 'node:stream';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { freePort } from '../helpers/net.js';
import { startUpstream } from '../helpers/upstreams.js';
import { waitFor } from '../helpers/wait.js';
import { countBy, get, load, startBalancer } from './harness.js';

const noHealth = { healthCheck: false as const };

async function raw(port: number, text: string): Promise<string> {
  return await new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    let out = '';
    s.on('data', (c) => {
      out += c.toString();
    });
    s.on('close', () => resolve(out));
    s.on('error', () => resolve(out));
    s.write(text);
    setTimeout(() => s.end(), 1000);
  });
}

/**
 * One upstream behind a balancer whose circuit allows one request at a time and `maxPending`
 * waiting: the only slot is taken by a GET the upstream answers after `slowMs`.
 */
async function slotTaken(maxPending: number, slowMs: number) {
  const up = await startUpstream('one');
  const { url } = await startBalancer({
    routes: [{ name: 'r', upstreams: [`127.0.0.1:${up.port}`], ...noHealth }],
    circuit: { maxConcurrent: 1, maxPending },
  });
  const first = get(`${url}/slow?ms=${slowMs}`);
  await waitFor(() => up.hits.get('/slow') === 1);
  return { up, url, first };
}

describe('HTTP balancing through real upstreams', () => {
  it('round-robin and weighted round-robin stay within ±5% of the expected share', async () => {
    const [a, b, c] = await Promise.all([startUpstream('a'), startUpstream('b'), startUpstream('c')]);
    const rr = await startBalancer({
      routes: [{ name: 'rr', upstreams: [a, b, c].map((u) => `127.0.0.1:${u.port}`), ...noHealth }],
    });
    const rrCounts = countBy(await load(`${rr.url}/`, 3000, 12));
    for (const name of ['a', 'b', 'c']) expect(Math.abs(rrCounts[name]! / 3000 - 1 / 3)).toBeLessThan(0.05);

    const w = await startBalancer({
      routes: [
        {
          name: 'w',
          algorithm: 'weighted-round-robin',
          upstreams: [
            { address: '127.0.0.1', port: a.port, weight: 3 },
            { address: '127.0.0.1', port: b.port, weight: 1 },
          ],
          ...noHealth,
        },
      ],
    });
    const wCounts = countBy(await load(`${w.url}/`, 2000, 12));
    expect(Math.abs(wCounts.a! / 2000 - 0.75)).toBeLessThan(0.05);
  });

  it('routes by host name and path prefix, and says when nothing matches', async () => {
    const [api, web] = await Promise.all([startUpstream('api'), startUpstream('web')]);
    const { url } = await startBalancer({
      routes: [
        { name: 'api', host: 'auth-service.localhost', upstreams: [`127.0.0.1:${api.port}`], ...noHealth },
        {
          name: 'web',
          pathPrefix: '/shop',
          stripPrefix: true,
          upstreams: [`127.0.0.1:${web.port}`],
          ...noHealth,
        },
      ],
    });
    expect((await get(`${url}/x`, { host: 'auth-service.localhost' })).body).toBe('api');
    expect((await get(`${url}/shop/cart`)).body).toBe('web');
    expect(web.hits.get('/cart')).toBe(1);
    const none = await get(`${url}/elsewhere`, { host: 'nobody.localhost' });
    expect(none.status).toBe(404);
    expect(none.headers['x-portico-error']).toBe('no-route');
  });

  it('hides an upstream killed under load: no client-visible error, and it is ejected', async () => {
    const ups = await Promise.all([startUpstream('k1'), startUpstream('k2'), startUpstream('k3')]);
    const { url, balancer } = await startBalancer({
      routes: [{ name: 'r', upstreams: ups.map((u) => `127.0.0.1:${u.port}`), ...noHealth }],
      outlier: { consecutiveErrors: 3, baseEjection: '30s', maxEjectionPercent: 50 },
    });
    const results: string[] = [];
    const running = (async () => {
      for (let batch = 0; batch < 30; batch++) results.push(...(await load(`${url}/`, 50, 10)));
    })();
    await waitFor(() => results.length >= 300);
    await ups[1]!.kill();
    await running;
    expect(results.filter((r) => !['k1', 'k2', 'k3'].includes(r))).toEqual([]);
    const route = balancer.status().routes[0]!;
    const dead = route.upstreams.find((u) => u.port === ups[1]!.port)!;
    expect(dead.inRotation).toBe(false);
    expect(dead.ejections).toBe(1);
    // Ejected after `consecutiveErrors` failed attempts, each retried elsewhere; not a flood.
    expect(dead.errors.connect).toBeLessThanOrEqual(5);
    expect(dead.retries).toBe(dead.errors.connect);
  });

  it('answers 504 when an upstream hangs past the headers timeout, and 502 when it refuses', async () => {
    const slow = await startUpstream('slow');
    const { url } = await startBalancer({
      routes: [{ name: 'r', upstreams: [`127.0.0.1:${slow.port}`], ...noHealth }],
      timeouts: { headers: '300ms' },
    });
    const hang = await get(`${url}/hang`);
    expect(hang.status).toBe(504);
    expect(hang.headers['x-portico-error']).toBe('timeout');
    expect(hang.body).toContain('response headers timeout 300ms');
    const refused = await startBalancer({
      routes: [{ name: 'r', upstreams: [`127.0.0.1:${await freePort()}`], ...noHealth }],
    });
    const r = await get(`${refused.url}/`);
    expect(r.status).toBe(502);
    expect(r.headers['x-portico-error']).toBe('connect-failed');
  });

  it('takes an upstream out on failing active health checks and back in with slow start', async () => {
    const [a, b] = await Promise.all([startUpstream('a'), startUpstream('b')]);
    const { url, balancer } = await startBalancer({
      routes: [
        {
          name: 'r',
          upstreams: [a, b].map((u) => `127.0.0.1:${u.port}`),
          healthCheck: { path: '/health', interval: '100ms', timeout: '100ms', rise: 1, fall: 1 },
        },
      ],
      slowStart: '20s',
    });
    b.setHealthy(false);
    await waitFor(() => !balancer.status().routes[0]!.upstreams[1]!.inRotation, {
      what: 'b out of rotation',
    });
    expect(countBy(await load(`${url}/`, 200, 5))).toEqual({ a: 200 });
    b.setHealthy(true);
    await waitFor(() => balancer.status().routes[0]!.upstreams[1]!.inRotation, { what: 'b back' });
    const counts = countBy(await load(`${url}/`, 400, 5));
    // Early in its slow start, b gets far less than an even share.
    expect(counts.b ?? 0).toBeLessThan(400 * 0.3);
    expect(counts.b ?? 0).toBeGreaterThan(0);
  });

  it('fails fast with 503 when the circuit is open (all upstreams at their limit, no queue)', async () => {
    const { url, first } = await slotTaken(0, 500);
    const second = await get(`${url}/`);
    expect(second.status).toBe(503);
    expect(second.headers['x-portico-error']).toBe('circuit-open');
    expect((await first).status).toBe(200);
  });

  // Both exchanges select through `UpstreamPool.selectFor`: the fast path's (a GET) and the
  // undici one (a chunked POST, which the fast path hands to Node's server).
  const sends: Array<[string, (url: string) => Promise<{ status: number; error: unknown }>]> = [
    [
      'fast path',
      async (url) => {
        const r = await get(url);
        return { status: r.status, error: r.headers['x-portico-error'] };
      },
    ],
    [
      'Node path',
      async (url) => {
        // A stream of unknown length: undici sends it chunked.
        const r = await request(url, { method: 'POST', body: Readable.from([Buffer.from('chunked')]) });
        await r.body.dump();
        return { status: r.statusCode, error: r.headers['x-portico-error'] };
      },
    ],
  ];
  for (const [path, send] of sends) {
    it(`${path}: a request waits for a slot when every upstream is full, then goes through`, async () => {
      const { up, url, first } = await slotTaken(1, 400);
      const second = send(`${url}/after`);
      await new Promise((r) => setTimeout(r, 150));
      // Still waiting: the upstream has not seen it while the first holds the only slot.
      expect(up.hits.get('/after') ?? 0).toBe(0);
      expect((await second).status).toBe(200);
      expect((await first).status).toBe(200);
    });

    it(`${path}: 503 no-upstream when no upstream is in rotation (panic mode off)`, async () => {
      const { url, balancer } = await startBalancer({
        // With panic mode (the default), a route whose upstreams are all down uses them anyway.
        outlier: { panicThreshold: 0 },
        routes: [
          {
            name: 'r',
            upstreams: [`127.0.0.1:${await freePort()}`],
            healthCheck: { path: '/health', interval: '100ms', timeout: '100ms', rise: 1, fall: 1 },
          },
        ],
      });
      await waitFor(() => !balancer.status().routes[0]!.upstreams[0]!.inRotation, {
        what: 'out of rotation',
      });
      expect(await send(`${url}/`)).toEqual({ status: 503, error: 'no-upstream' });
    });
  }

  it('a request whose body arrives while it waits for a slot is sent whole', async () => {
    const { url, first } = await slotTaken(1, 400);
    const socket = connect(Number(new URL(url).port), '127.0.0.1');
    let answer = '';
    socket.on('data', (c: Buffer) => {
      answer += c.toString('latin1');
    });
    socket.write('POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n12345');
    // The rest of the body comes while the request waits for the only slot.
    await new Promise((r) => setTimeout(r, 100));
    socket.write('67890');
    await waitFor(() => answer.includes('one received'), { what: 'the answer', timeoutMs: 5000 });
    socket.destroy();
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(answer).toContain('one received 10');
    expect((await first).status).toBe(200);
  });

  it('streams large bodies both ways', async () => {
    const up = await startUpstream('big');
    const { url } = await startBalancer({
      routes: [{ name: 'r', upstreams: [`127.0.0.1:${up.port}`], ...noHealth }],
    });
    expect((await get(`${url}/big`)).body.length).toBe(1 << 20);
    const res = await request(`${url}/upload`, { method: 'POST', body: Buffer.alloc(5 << 20, 1) });
    expect(await res.body.text()).toBe(`big received ${5 << 20}`);
  });

  it('propagates a client abort to the upstream', async () => {
    const up = await startUpstream('abort');
    const { url } = await startBalancer({
      routes: [{ name: 'r', upstreams: [`127.0.0.1:${up.port}`], ...noHealth }],
    });
    const controller = new AbortController();
    const pending = request(`${url}/hang`, { signal: controller.signal }).catch(() => 'aborted');
    await waitFor(() => up.hits.get('/hang') === 1);
    controller.abort();
    expect(await pending).toBe('aborted');
    await waitFor(() => up.closedRequests === 1, { what: 'upstream request closed' });
  });

  it('proxies a WebSocket and echoes through it', async () => {
    const up = await startUpstream('ws');
    const { url } = await startBalancer({
      routes: [{ name: 'r', upstreams: [`127.0.0.1:${up.port}`], ...noHealth }],
    });
    const ws = new WebSocket(`${url.replace('http', 'ws')}/socket`);
    await new Promise((r, j) => {
      ws.once('open', r);
      ws.once('error', j);
    });
    const reply = new Promise<string>((r) => ws.once('message', (m) => r(m.toString())));
    ws.send('hello');
    expect(await reply).toBe('ws: hello');
    ws.close();
  });
});

describe('proxy semantics', () => {
  it('sets X-Forwarded-* from the real client, drops spoofed ones and hop-by-hop headers', async () => {
    const up = await startUpstream('h');
    const { url } = await startBalancer({
      routes: [{ name: 'r', upstreams: [`127.0.0.1:${up.port}`], ...noHealth }],
    });
    // A raw request: HTTP clients refuse to send some of these headers themselves.
    const reply = await raw(
      Number(new URL(url).port),
      'GET /echo-headers HTTP/1.1\r\nHost: shop.localhost\r\nX-Forwarded-For: 6.6.6.6\r\nX-Forwarded-Proto: https\r\n' +
        'Connection: close, X-Secret-Hop\r\nX-Secret-Hop: drop me\r\nProxy-Authorization: Basic Zm9vOmJhcg==\r\nKeep-Alive: timeout=5\r\n\r\n',
    );
    expect(reply).toMatch(/^HTTP\/1\.1 200/);
    const h = up.lastHeaders!;
    expect(h['x-forwarded-for']).toBe('127.0.0.1');
    expect(h['x-forwarded-proto']).toBe('http');
    expect(h['x-forwarded-host']).toBe('shop.localhost');
    expect(h['keep-alive']).toBeUndefined();
    expect(h['x-secret-hop']).toBeUndefined();
    expect(h['proxy-authorization']).toBeUndefined();
  });

  it('extends X-Forwarded-For from a trusted proxy', async () => {
    const up = await startUpstream('t');
    const { url } = await startBalancer({
      routes: [{ name: 'r', upstreams: [`127.0.0.1:${up.port}`], ...noHealth }],
      trustedProxies: ['127.0.0.0/8'],
    });
    await get(`${url}/echo-headers`, { 'x-forwarded-for': '203.0.113.7' });
    expect(up.lastHeaders!['x-forwarded-for']).toBe('203.0.113.7, 127.0.0.1');
  });

  it('rejects smuggling-shaped requests and oversized headers before any upstream sees them', async () => {
    const up = await startUpstream('s');
    const { url } = await startBalancer({
      routes: [{ name: 'r', upstreams: [`127.0.0.1:${up.port}`], ...noHealth }],
      maxHeaderBytes: 4096,
    });
    const port = Number(new URL(url).port);
    const clte = await raw(
      port,
      'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n',
    );
    expect(clte).toMatch(/^HTTP\/1\.1 400/);
    const dup = await raw(
      port,
      'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab',
    );
    expect(dup).toMatch(/^HTTP\/1\.1 400/);
    const big = await raw(port, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(8000)}\r\n\r\n`);
    expect(big).toMatch(/^HTTP\/1\.1 431/);
    expect(up.hits.get('/smuggled')).toBeUndefined();
    expect(up.total()).toBe(0);
  });

  it('closes a slow client that never finishes its headers', async () => {
    const up = await startUpstream('slowloris');
    const { url } = await startBalancer({
      routes: [{ name: 'r', upstreams: [`127.0.0.1:${up.port}`], ...noHealth }],
      timeouts: { clientHeaders: '500ms' },
    });
    const s = connect(Number(new URL(url).port), '127.0.0.1');
    s.write('GET / HTTP/1.1\r\nHost: x\r\n');
    let closed = false;
    s.on('close', () => {
      closed = true;
    });
    s.on('error', () => {});
    s.resume(); // read the 408, so the server's close reaches us
    const drip = setInterval(() => s.writable && s.write('X-a: b\r\n'), 200);
    await waitFor(() => closed, { timeoutMs: 5000, what: 'slow client disconnected' });
    clearInterval(drip);
    expect(up.total()).toBe(0);
  });
});
