import { createHash, randomBytes } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait.js';
import { startBalancer } from './harness.js';
import { header, RawClient, rawUpstream, recordingUpstream } from './raw-http.js';

/**
 * HTTP/1.1 conformance of the balancer as a client sees it (RFC 9110, RFC 9112): exact bytes in
 * through node:net, strict parsing of what comes back, and a recording upstream that counts what
 * reached it. Black-box: it pins down proxy behaviour whatever implements the hot path.
 */

async function balancerTo(upstreamPort: number, extra: Record<string, unknown> = {}): Promise<number> {
  const { url } = await startBalancer({
    routes: [{ name: 'r', upstreams: [`127.0.0.1:${upstreamPort}`], healthCheck: false }],
    ...extra,
  });
  return Number(new URL(url).port);
}

/**
 * A well-formed request on a fresh connection, answered: whatever the balancer would have
 * forwarded from an earlier connection has had its chance to reach the upstream by now.
 */
async function barrier(port: number): Promise<void> {
  const c = await RawClient.open(port);
  await c.write('GET /barrier HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  expect((await c.response()).body.toString()).toBe('/barrier');
  c.destroy();
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('request framing from the client', () => {
  it('answers three pipelined GETs sent in one write, in order', async () => {
    const up = await recordingUpstream();
    const c = await RawClient.open(await balancerTo(up.port));
    await c.write(
      'GET /one HTTP/1.1\r\nHost: x\r\n\r\nGET /two HTTP/1.1\r\nHost: x\r\n\r\nGET /three HTTP/1.1\r\nHost: x\r\n\r\n',
    );
    const bodies: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await c.response();
      expect(r.status).toBe(200);
      bodies.push(r.body.toString());
    }
    expect(bodies).toEqual(['/one', '/two', '/three']);
    expect(up.requests.map((r) => r.url)).toEqual(['/one', '/two', '/three']);
  });

  it('forwards a Content-Length body byte-exact (every byte value)', async () => {
    const up = await recordingUpstream();
    const c = await RawClient.open(await balancerTo(up.port));
    const body = Buffer.from(Array.from({ length: 512 }, (_, i) => i % 256));
    await c.write(
      Buffer.concat([Buffer.from(`POST /cl HTTP/1.1\r\nHost: x\r\nContent-Length: 512\r\n\r\n`), body]),
    );
    expect((await c.response()).status).toBe(200);
    expect(up.requests).toHaveLength(1);
    expect(up.requests[0]!.body.equals(body)).toBe(true);
    expect(up.requests[0]!.headers['content-length']).toBe('512');
  });

  it('forwards a chunked body decoded (extensions and trailer fields do not leak into it)', async () => {
    const up = await recordingUpstream();
    const c = await RawClient.open(await balancerTo(up.port));
    await c.write(
      'POST /chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n' +
        '5;name=value\r\nhello\r\n1\r\n \r\n10\r\n0123456789abcdef\r\n0\r\nX-Trailer: t\r\n\r\n',
    );
    const r = await c.response();
    expect(r.status).toBe(200);
    expect(up.requests).toHaveLength(1);
    expect(up.requests[0]!.body.toString('latin1')).toBe('hello 0123456789abcdef');
    // The connection still frames the next request correctly.
    await c.write('GET /after HTTP/1.1\r\nHost: x\r\n\r\n');
    expect((await c.response()).body.toString()).toBe('/after');
  });

  it('streams a 1 MB request body intact', async () => {
    const up = await recordingUpstream((req, res) => res.end(sha(req.body)));
    const c = await RawClient.open(await balancerTo(up.port));
    const body = randomBytes(1 << 20);
    await c.write(`POST /big HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n`);
    for (let off = 0; off < body.length; off += 64 * 1024) await c.write(body.subarray(off, off + 64 * 1024));
    const r = await c.response({ timeoutMs: 10_000 });
    expect(r.status).toBe(200);
    expect(r.body.toString()).toBe(sha(body));
  });

  it('a Content-Length POST and a GET pipelined behind it in one write: the body boundary holds', async () => {
    const up = await recordingUpstream();
    const c = await RawClient.open(await balancerTo(up.port));
    // A body that looks like a request: only the length says where it ends.
    const body = 'GET /inside-body HTTP/1.1\r\nX: y\r\n\r\n';
    await c.write(
      `POST /post HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n${body}` +
        'GET /behind HTTP/1.1\r\nHost: x\r\n\r\n',
    );
    expect((await c.response()).body.toString()).toBe('/post');
    expect((await c.response()).body.toString()).toBe('/behind');
    expect(up.requests.map((r) => r.url)).toEqual(['/post', '/behind']);
    expect(up.requests[0]!.body.toString()).toBe(body);
  });

  it('a chunked POST and a GET pipelined behind it in one write: the body boundary holds', async () => {
    const up = await recordingUpstream();
    const c = await RawClient.open(await balancerTo(up.port));
    const body = 'GET /inside-body HTTP/1.1\r\n\r\n';
    await c.write(
      'POST /post HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n' +
        `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\nGET /behind HTTP/1.1\r\nHost: x\r\n\r\n`,
    );
    expect((await c.response()).body.toString()).toBe('/post');
    expect((await c.response()).body.toString()).toBe('/behind');
    // Node's server forwards pipelined requests concurrently: the one without a body may reach
    // the upstream first. What must hold is the boundary: the body is the POST's, whole.
    expect(up.requests.map((r) => r.url).sort()).toEqual(['/behind', '/post']);
    expect(up.requests.find((r) => r.url === '/post')!.body.toString()).toBe(body);
  });

  it('the request target reaches the upstream byte-exact (query, percent-encoding, odd but legal characters)', async () => {
    const up = await recordingUpstream();
    const c = await RawClient.open(await balancerTo(up.port));
    const target = "/p/a%20b/%2F..%2f/;x=1?q=a%26b&empty=&q=2&u=%E2%9C%93&t=!$'()*+,;:@~";
    await c.write(`GET ${target} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect((await c.response()).status).toBe(200);
    expect(up.requests[0]!.url).toBe(target);
  });

  it('a POST with Content-Length: 0 and a body-less DELETE are forwarded without a body', async () => {
    const up = await recordingUpstream((req, res) => res.end(`${req.method} ${req.body.length}`));
    const c = await RawClient.open(await balancerTo(up.port));
    await c.write(
      'POST /empty HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\nDELETE /d HTTP/1.1\r\nHost: x\r\n\r\n',
    );
    expect((await c.response()).body.toString()).toBe('POST 0');
    expect((await c.response()).body.toString()).toBe('DELETE 0');
  });

  it('pipelined GETs keep their order when the first answer is the slowest', async () => {
    const up = await recordingUpstream((req, res) => {
      if (req.url === '/slow') setTimeout(() => res.end(req.url), 300);
      else res.end(req.url);
    });
    const c = await RawClient.open(await balancerTo(up.port));
    await c.write(
      `${['/slow', '/fast1', '/fast2'].map((p) => `GET ${p} HTTP/1.1\r\nHost: x\r\n\r\n`).join('')}`,
    );
    const bodies: string[] = [];
    for (let i = 0; i < 3; i++) bodies.push((await c.response()).body.toString());
    expect(bodies).toEqual(['/slow', '/fast1', '/fast2']);
  });

  it('Connection: close on the first of two pipelined requests: the second is never forwarded', async () => {
    const up = await recordingUpstream();
    const port = await balancerTo(up.port);
    const c = await RawClient.open(port);
    await c.write(
      'GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n',
    );
    await c.response();
    expect(await c.closedWithin(3000)).toBe(true);
    expect(c.rest().length).toBe(0);
    await barrier(port);
    expect(up.arrived).not.toContain('/b');
  });

  it('a chunked body written one byte per write, with "Chunked" in any case, arrives decoded', async () => {
    const up = await recordingUpstream();
    const c = await RawClient.open(await balancerTo(up.port));
    await c.write('POST /drip HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\n\r\n');
    await c.writeBytewise('3;x=1\r\nabc\r\nA\r\n0123456789\r\n0\r\n\r\n');
    expect((await c.response()).status).toBe(200);
    expect(up.requests[0]!.body.toString()).toBe('abc0123456789');
  });

  it('repeated fields reach the upstream in order (as separate fields or one comma list)', async () => {
    const up = await recordingUpstream();
    const c = await RawClient.open(await balancerTo(up.port));
    await c.write(
      'GET /dup HTTP/1.1\r\nHost: x\r\nX-Dup: a\r\nX-Other: o\r\nX-Dup: b\r\nX-Pad:   padded  \r\n\r\n',
    );
    expect((await c.response()).status).toBe(200);
    const raw = up.requests[0]!.rawHeaders;
    const dups = raw.filter((_, i) => i % 2 === 1 && raw[i - 1]!.toLowerCase() === 'x-dup');
    expect(dups.join(', ')).toBe('a, b');
    expect(up.requests[0]!.headers['x-pad']).toBe('padded');
  });

  it('a request head written one byte per write is still understood', async () => {
    const up = await recordingUpstream();
    const c = await RawClient.open(await balancerTo(up.port));
    await c.writeBytewise('GET /split HTTP/1.1\r\nHost: x\r\nX-Split: yes\r\n\r\n');
    const r = await c.response();
    expect(r.status).toBe(200);
    expect(r.body.toString()).toBe('/split');
    expect(up.requests[0]!.headers['x-split']).toBe('yes');
  });
});

describe('connection management', () => {
  it('HTTP/1.0 without keep-alive: a complete response without chunked coding, then close', async () => {
    const up = await recordingUpstream((req, res) => {
      // No Content-Length: the upstream chunks it, the proxy must not to an HTTP/1.0 client.
      res.write('part one, ');
      res.end(`then ${req.url}`);
    });
    const c = await RawClient.open(await balancerTo(up.port));
    await c.write('GET /ten HTTP/1.0\r\nHost: x\r\n\r\n');
    const r = await c.response();
    expect(r.status).toBe(200);
    expect(r.framing).not.toBe('chunked');
    expect(r.body.toString()).toBe('part one, then /ten');
    expect(await c.closedWithin(3000)).toBe(true);
  });

  it('HTTP/1.0 with keep-alive: either kept open (with a length) for a next request, or closed', async () => {
    const up = await recordingUpstream();
    const c = await RawClient.open(await balancerTo(up.port));
    await c.write('GET /a HTTP/1.0\r\nHost: x\r\nConnection: keep-alive\r\n\r\n');
    const r = await c.response();
    expect(r.body.toString()).toBe('/a');
    expect(r.framing).not.toBe('chunked');
    if (header(r, 'connection')?.toLowerCase() === 'keep-alive') {
      expect(r.framing).toBe('length');
      await c.write('GET /b HTTP/1.0\r\nHost: x\r\nConnection: keep-alive\r\n\r\n');
      expect((await c.response()).body.toString()).toBe('/b');
    } else {
      expect(await c.closedWithin(3000)).toBe(true);
    }
  });

  it('Connection: close from the client: the response ends and the connection closes', async () => {
    const up = await recordingUpstream();
    const c = await RawClient.open(await balancerTo(up.port));
    await c.write('GET /bye HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    const r = await c.response();
    expect(r.status).toBe(200);
    expect(r.body.toString()).toBe('/bye');
    expect(await c.closedWithin(3000)).toBe(true);
    expect(c.rest().length).toBe(0);
  });

  it('HEAD: the upstream Content-Length comes back, no body, and the connection stays usable', async () => {
    const up = await recordingUpstream((req, res) => {
      if (req.method === 'HEAD') {
        res.writeHead(200, { 'content-length': '1000' });
        res.end();
      } else res.end(req.url);
    });
    const c = await RawClient.open(await balancerTo(up.port));
    await c.write('HEAD /thing HTTP/1.1\r\nHost: x\r\n\r\n');
    const head = await c.response({ headRequest: true });
    expect(head.status).toBe(200);
    expect(header(head, 'content-length')).toBe('1000');
    await c.write('GET /next HTTP/1.1\r\nHost: x\r\n\r\n');
    // Had any body bytes followed the HEAD answer, this would not parse as the GET's response.
    const next = await c.response();
    expect(next.status).toBe(200);
    expect(next.body.toString()).toBe('/next');
    expect(up.requests.map((r) => r.method)).toEqual(['HEAD', 'GET']);
  });
});

describe('a client that goes away mid-request', () => {
  it('a body cut short by the client never reaches the upstream as a complete request', async () => {
    const up = await rawUpstream(({ socket }) =>
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'),
    );
    const c = await RawClient.open(await balancerTo(up.port));
    await c.write('POST /partial HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc');
    // Let the head reach the upstream (a balancer that buffers the body first sends nothing).
    await waitFor(() => up.connections() > 0, { timeoutMs: 1000 }).catch(() => {});
    c.destroy();
    // The aborted request's upstream connection must close: nothing can finish that body.
    if (up.connections() > 0)
      await waitFor(() => up.closed() > 0, { timeoutMs: 3000, what: 'upstream closed' });
    expect(up.requests).toEqual([]);
  });
});

describe('hop-by-hop request headers', () => {
  it('drops what Connection names, and Keep-Alive, TE, Upgrade and Proxy-Connection', async () => {
    const up = await recordingUpstream();
    const c = await RawClient.open(await balancerTo(up.port));
    await c.write(
      'GET /hop HTTP/1.1\r\nHost: x\r\nConnection: x-secret, keep-alive\r\nX-Secret: 1\r\n' +
        'Keep-Alive: timeout=9\r\nTE: trailers\r\nUpgrade: h2c-ish/1\r\nProxy-Connection: keep-alive\r\nX-Kept: 2\r\n\r\n',
    );
    const r = await c.response();
    expect(r.status).toBe(200);
    const names = up.requests[0]!.rawHeaders.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
    for (const gone of ['x-secret', 'keep-alive', 'te', 'upgrade', 'proxy-connection'])
      expect(names).not.toContain(gone);
    expect(up.requests[0]!.headers['x-kept']).toBe('2');
    // The client's Connection options are its own: the upstream sees none of them.
    expect(up.requests[0]!.headers.connection ?? 'keep-alive').toMatch(/^keep-alive$/i);
  });
});

/** Requests no correct HTTP/1.1 server may act on; each is sent alone on a fresh connection. */
const malformed: Record<string, string> = {
  'Transfer-Encoding before Content-Length':
    'POST /te-cl HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n',
  'two different Content-Length values in one field':
    'POST /cl-list HTTP/1.1\r\nHost: x\r\nContent-Length: 3, 4\r\n\r\nabcd',
  'Content-Length with a sign': 'POST /cl-sign HTTP/1.1\r\nHost: x\r\nContent-Length: +3\r\n\r\nabc',
  'Content-Length in hex': 'POST /cl-hex HTTP/1.1\r\nHost: x\r\nContent-Length: 0x3\r\n\r\nabc',
  'Transfer-Encoding: xchunked':
    'POST /xchunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n',
  'Transfer-Encoding: chunked, identity':
    'POST /chunked-identity HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n',
  'two Transfer-Encoding fields, chunked not last':
    'POST /two-te HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n0\r\n\r\n',
  'obs-fold in a header value': 'GET /fold HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n',
  'obs-fold hiding Transfer-Encoding':
    'POST /fold-te HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n',
  'bare LF line endings': 'GET /lf HTTP/1.1\nHost: x\n\n',
  'a bare LF inside the header block': 'GET /lf2 HTTP/1.1\r\nHost: x\nX-A: b\r\n\r\n',
  'a bare CR inside a header value': 'GET /cr HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n',
  'NUL in a header value': 'GET /nul HTTP/1.1\r\nHost: x\r\nX-A: a\x00b\r\n\r\n',
  'a control character in a header value': 'GET /ctl HTTP/1.1\r\nHost: x\r\nX-A: a\x01b\r\n\r\n',
  'DEL in a header value': 'GET /del HTTP/1.1\r\nHost: x\r\nX-A: a\x7fb\r\n\r\n',
  'space before the colon': 'GET /sp HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n',
  'an empty header name': 'GET /empty HTTP/1.1\r\nHost: x\r\n: b\r\n\r\n',
  'a header line starting with a space': 'GET /lead HTTP/1.1\r\n Host: x\r\n\r\n',
  'invalid characters in the method': 'G(T /m HTTP/1.1\r\nHost: x\r\n\r\n',
  'a space inside the request target': 'GET /a b HTTP/1.1\r\nHost: x\r\n\r\n',
  'a control character in the request target': 'GET /a\x01b HTTP/1.1\r\nHost: x\r\n\r\n',
  'a tab in the request target': 'GET /a\tb HTTP/1.1\r\nHost: x\r\n\r\n',
  'an invalid chunk size':
    'POST /chunk HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3x\r\nabc\r\n0\r\n\r\n',
  'HTTP/1.2': 'GET /v12 HTTP/1.2\r\nHost: x\r\n\r\n',
  'a lowercase HTTP version': 'GET /lower http/1.1\r\nHost: x\r\n\r\n',
  'a chunk size that overflows 64 bits':
    'POST /overflow HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000003\r\nabc\r\n0\r\n\r\n',
  'a Content-Length beyond 64 bits':
    'POST /huge-cl HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n',
  'a quote in a header name': 'GET /quote HTTP/1.1\r\nHost: x\r\nX"A: b\r\n\r\n',
};

describe('smuggling-shaped and malformed requests: 400, closed, never forwarded', () => {
  for (const [what, bytes] of Object.entries(malformed)) {
    it(what, async () => {
      const up = await recordingUpstream();
      const port = await balancerTo(up.port);
      const c = await RawClient.open(port);
      // A well-formed request pipelined behind: a desynchronised parser would forward it.
      await c.write(`${bytes}GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n`);
      const r = await c.response();
      expect(r.status).toBe(400);
      expect(await c.closedWithin(3000)).toBe(true);
      expect(r.body.toString('latin1')).not.toMatch(/HTTP\/1\.[01] \d{3}/);
      expect(c.rest().length).toBe(0);
      await barrier(port);
      expect(up.arrived).toEqual(['/barrier']);
    });
  }

  it('HTTP/1.0 with Transfer-Encoding: at most that message is processed, then the connection closes', async () => {
    // RFC 9112 §6.1: treat the framing as faulty and close after this message.
    const up = await recordingUpstream();
    const port = await balancerTo(up.port);
    const c = await RawClient.open(port);
    await c.write(
      'POST /ten-te HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n' +
        'GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n',
    );
    const r = await c.response();
    expect([200, 400]).toContain(r.status);
    expect(await c.closedWithin(3000)).toBe(true);
    expect(r.body.toString('latin1')).not.toMatch(/HTTP\/1\.[01] \d{3}/);
    expect(c.rest().length).toBe(0);
    await barrier(port);
    expect(up.arrived).not.toContain('/smuggled');
  });

  it('HTTP/1.1 without Host: 400, closed, never forwarded', async () => {
    const up = await recordingUpstream();
    const port = await balancerTo(up.port);
    const c = await RawClient.open(port);
    await c.write('GET /nohost HTTP/1.1\r\n\r\n');
    expect((await c.response()).status).toBe(400);
    expect(await c.closedWithin(3000)).toBe(true);
    await barrier(port);
    expect(up.arrived).toEqual(['/barrier']);
  });

  it('two Host fields: never forwarded', async () => {
    const up = await recordingUpstream();
    const port = await balancerTo(up.port);
    const c = await RawClient.open(port);
    await c.write('GET /two-hosts HTTP/1.1\r\nHost: a.localhost\r\nHost: b.localhost\r\n\r\n');
    const r = await c.response();
    expect(r.status).toBeGreaterThanOrEqual(400);
    await barrier(port);
    expect(up.arrived).toEqual(['/barrier']);
  });

  it('CONNECT: never forwarded (refused or closed)', async () => {
    const up = await recordingUpstream();
    const port = await balancerTo(up.port);
    const c = await RawClient.open(port);
    await c.write('CONNECT 127.0.0.1:9 HTTP/1.1\r\nHost: 127.0.0.1:9\r\n\r\n');
    const r = await c.response().catch(() => undefined);
    if (r) expect(r.status).toBeGreaterThanOrEqual(400);
    expect(await c.closedWithin(3000)).toBe(true);
    await barrier(port);
    expect(up.arrived).toEqual(['/barrier']);
  });

  it('an oversized header block: 431, closed, never forwarded', async () => {
    const up = await recordingUpstream();
    const port = await balancerTo(up.port, { maxHeaderBytes: 4096 });
    const c = await RawClient.open(port);
    const fields = Array.from({ length: 40 }, (_, i) => `X-Filler-${i}: ${'v'.repeat(200)}\r\n`).join('');
    await c.write(`GET /huge HTTP/1.1\r\nHost: x\r\n${fields}\r\n`);
    const r = await c.response();
    expect(r.status).toBe(431);
    expect(await c.closedWithin(3000)).toBe(true);
    await barrier(port);
    expect(up.arrived).toEqual(['/barrier']);
  });
});

/**
 * Cases Node's server with undici got wrong before the fast HTTP/1.1 path (src/balancer/h1):
 * what they did is written above each, as "before:".
 */
describe('cases the Node/undici path got wrong', () => {
  // Node's path (a chunked body): Node's server answers 100 itself, the body goes on.
  it('Expect: 100-continue with a chunked body (left to Node): 100, and the body arrives', async () => {
    const up = await recordingUpstream();
    const c = await RawClient.open(await balancerTo(up.port));
    await c.write(
      'POST /expect-chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n',
    );
    const first = await c.response();
    expect([100, 200]).toContain(first.status);
    await c.write('5\r\nhello\r\n0\r\n\r\n');
    const final = first.status === 100 ? (await c.finalResponse()).final : first;
    expect(final.status).toBe(200);
    expect(up.requests).toHaveLength(1);
    expect(up.requests[0]!.body.toString()).toBe('hello');
  });

  // before: node:http sends "100 Continue", then undici refuses the Expect header
  // ("expect header not supported"): 502 bad-upstream, nothing reaches the upstream.
  it('Expect: 100-continue: the client gets 100 (or the final answer) and the body arrives', async () => {
    const up = await recordingUpstream();
    const c = await RawClient.open(await balancerTo(up.port));
    await c.write('POST /expect HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n');
    const first = await c.response();
    expect([100, 200]).toContain(first.status);
    await c.write('hello');
    const final = first.status === 100 ? (await c.finalResponse()).final : first;
    expect(final.status).toBe(200);
    expect(up.requests).toHaveLength(1);
    expect(up.requests[0]!.body.toString()).toBe('hello');
  });

  // before: node:http accepts it, undici refuses the forwarded duplicate Host: 502, not 400.
  it('two Host fields: 400 (RFC 9112 §3.2)', async () => {
    const up = await recordingUpstream();
    const c = await RawClient.open(await balancerTo(up.port));
    await c.write('GET /two-hosts HTTP/1.1\r\nHost: a.localhost\r\nHost: b.localhost\r\n\r\n');
    expect((await c.response()).status).toBe(400);
    expect(up.arrived).toEqual([]);
  });

  // before: node:http accepts "gzip, chunked", removes the chunking and the field: the upstream
  // gets the gzip bytes with Content-Length, as if they were the content.
  it('a request with Transfer-Encoding: gzip, chunked: refused (501/400) or forwarded with its gzip coding', async () => {
    // RFC 9112 §6.1: transfer codings are hop-by-hop; removing only "chunked" and dropping the
    // field hands the upstream gzip bytes as if they were the content.
    const up = await recordingUpstream();
    const c = await RawClient.open(await balancerTo(up.port));
    const zipped = gzipSync('the content');
    await c.write(
      Buffer.concat([
        Buffer.from(
          `POST /gz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n${zipped.length.toString(16)}\r\n`,
        ),
        zipped,
        Buffer.from('\r\n0\r\n\r\n'),
      ]),
    );
    const r = await c.response();
    if (r.status === 400 || r.status === 501) expect(up.arrived).toEqual([]);
    else {
      expect(r.status).toBe(200);
      const got = up.requests[0]!;
      const decoded = /gzip/i.test(String(got.headers['transfer-encoding'] ?? ''))
        ? gunzipSync(got.body)
        : got.body;
      expect(decoded.toString()).toBe('the content');
    }
  });

  // before: llhttp flags the pipelined bytes after "close" (HPE_CLOSED_CONNECTION) and the
  // clientError handler writes a 400 at once, while /a still reaches the upstream: the client
  // is told 400 for a request that was executed.
  it('Connection: close on the first of two pipelined requests: answered, and the second is never forwarded', async () => {
    const up = await recordingUpstream();
    const c = await RawClient.open(await balancerTo(up.port));
    // RFC 9112 §9.6: answer the request that said close, then close; process nothing after it.
    await c.write(
      'GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n',
    );
    expect((await c.response()).body.toString()).toBe('/a');
    expect(await c.closedWithin(3000)).toBe(true);
    expect(c.rest().length).toBe(0);
    expect(up.requests.map((r) => r.url)).toEqual(['/a']);
  });

  // before: node:http answers the Host-less request 400 itself, but keeps parsing and emits the
  // pipelined /smuggled as a request: it reaches the upstream.
  it('HTTP/1.1 without Host, with a request pipelined behind it: 400, and the one behind is never forwarded', async () => {
    const up = await recordingUpstream();
    const port = await balancerTo(up.port);
    const c = await RawClient.open(port);
    await c.write('GET /nohost HTTP/1.1\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n');
    expect((await c.response()).status).toBe(400);
    expect(await c.closedWithin(3000)).toBe(true);
    await barrier(port);
    expect(up.arrived).toEqual(['/barrier']);
  });

  // before: any Upgrade request is spliced into a raw tunnel (websocket.ts) whatever the
  // upstream answers; after a refusal the client's next requests reach that upstream raw, with
  // its own X-Forwarded-For (and no routing).
  for (const upgrade of ['websocket', 'h2c']) {
    it(`an Upgrade: ${upgrade} the upstream refuses: later requests on the connection are still proxied`, async () => {
      // The upstream answers 200 instead of 101 and keeps its connection open. Spliced into a
      // raw tunnel, the client's next requests would reach it with no routing and no header rules.
      const up = await recordingUpstream((req, res) => res.end(req.url));
      const port = await balancerTo(up.port);
      const c = await RawClient.open(port);
      await c.write(
        `GET /up HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: ${upgrade}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
      const refused = await c.response();
      expect(refused.status).toBe(200);
      expect(refused.body.toString()).toBe('/up');
      if (!(await c.closedWithin(300))) {
        await c.write('GET /behind HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 6.6.6.6\r\n\r\n');
        const behind = await c.response().catch(() => undefined);
        if (behind) {
          expect(behind.body.toString()).toBe('/behind');
          expect(up.requests.find((r) => r.url === '/behind')?.headers['x-forwarded-for']).toBe('127.0.0.1');
        }
      }
      await barrier(port);
      for (const r of up.requests) expect(r.headers['x-forwarded-for']).toBe('127.0.0.1');
    });
  }

  // before: routed by the Host header (b) and the absolute target passed on as is, so the
  // balancer's routing and an RFC-following upstream disagree on the host.
  it('an absolute-form target is routed by its own authority (RFC 9112 §3.2.2), or refused', async () => {
    const a = await recordingUpstream((r, res) => res.end(`A ${r.headers.host}`));
    const b = await recordingUpstream((r, res) => res.end(`B ${r.headers.host}`));
    const { url } = await startBalancer({
      routes: [
        { name: 'a', host: 'a.localhost', upstreams: [`127.0.0.1:${a.port}`], healthCheck: false },
        { name: 'b', host: 'b.localhost', upstreams: [`127.0.0.1:${b.port}`], healthCheck: false },
      ],
    });
    const c = await RawClient.open(Number(new URL(url).port));
    await c.write('GET http://a.localhost/x?q=1 HTTP/1.1\r\nHost: b.localhost\r\n\r\n');
    const r = await c.response();
    if (r.status === 400) expect([...a.arrived, ...b.arrived]).toEqual([]);
    else {
      expect(r.body.toString()).toBe('A a.localhost');
      expect(['/x?q=1', 'http://a.localhost/x?q=1']).toContain(a.requests[0]!.url);
    }
  });

  // before: node:http keeps a limited number of header fields (maxHeadersCount) and drops the
  // rest silently, here the Content-Length: the body is read from the client, never forwarded.
  it('more header fields than the balancer keeps: 431, or every field and the body forwarded', async () => {
    const up = await rawUpstream(({ socket, request }) =>
      socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${request.body.length}\r\n\r\n${request.body}`),
    );
    const port = await balancerTo(up.port, { maxHeaderBytes: 1_048_576 });
    const c = await RawClient.open(port);
    const fields = Array.from({ length: 1100 }, (_, i) => `X-N${i}: ${i}\r\n`).join('');
    await c.write(`POST /many HTTP/1.1\r\nHost: x\r\n${fields}Content-Length: 5\r\n\r\nhello`);
    const r = await c.response();
    if (r.status === 431) expect(up.requests).toEqual([]);
    else {
      expect(r.body.toString()).toBe('hello');
      expect(up.requests[0]!.headers.filter(([n]) => n.startsWith('X-N'))).toHaveLength(1100);
    }
  });

  // before: undici refuses the "*" target ("path must be an absolute URL or start with a slash")
  // and the client gets 502 bad-upstream, blaming an upstream that was never asked.
  it('OPTIONS * is forwarded or answered by the balancer, not failed as a bad upstream', async () => {
    const up = await recordingUpstream();
    const c = await RawClient.open(await balancerTo(up.port));
    await c.write('OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n');
    const r = await c.response();
    expect(r.status === 501 || r.status < 500).toBe(true);
    if (up.requests.length > 0) expect(up.requests[0]!.url).toBe('*');
  });
});
