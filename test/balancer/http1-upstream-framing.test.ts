import { createHash, randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait.js';
import { startBalancer } from './harness.js';
import { header, type Message, RawClient, type RawExchange, rawUpstream } from './raw-http.js';

/**
 * HTTP/1.1 conformance of the balancer towards its upstreams (RFC 9112 §6, RFC 9110 §7.6.1):
 * node:net upstreams write exact response bytes, well-formed or not, and a node:net client reads
 * what the balancer makes of them. Whatever an upstream sends, a client gets one well-framed
 * answer per request, or a broken connection: never a truncated success or a smuggled response.
 */

async function balancerTo(upstreamPort: number): Promise<number> {
  const { url } = await startBalancer({
    routes: [{ name: 'r', upstreams: [`127.0.0.1:${upstreamPort}`], healthCheck: false }],
  });
  return Number(new URL(url).port);
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const pathOf = (m: Message): string => m.startLine.split(' ')[1]!;
const ok = (body: string, extra = ''): string =>
  `HTTP/1.1 200 OK\r\nContent-Length: ${Buffer.byteLength(body, 'latin1')}\r\n${extra}\r\n${body}`;
const get = (path: string): string => `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`;

/** An upstream answering each request with `answers[path]` (bytes), or 200 `path`. */
async function scripted(answers: Record<string, (x: RawExchange) => void>) {
  return await rawUpstream((x) => {
    const answer = answers[pathOf(x.request)];
    if (answer) answer(x);
    else x.socket.write(ok(pathOf(x.request)));
  });
}

describe('response bodies from the upstream', () => {
  it('a chunked response with chunk extensions and trailers: the exact decoded body', async () => {
    const up = await scripted({
      '/chunked': ({ socket }) =>
        socket.write(
          'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-T\r\n\r\n' +
            '5;ext=1\r\nhello\r\n6;a="b c";d\r\n world\r\n0\r\nX-T: v\r\n\r\n',
        ),
    });
    const c = await RawClient.open(await balancerTo(up.port));
    await c.write(get('/chunked'));
    const r = await c.response();
    expect(r.status).toBe(200);
    expect(r.body.toString()).toBe('hello world');
    await c.write(get('/after'));
    expect((await c.response()).body.toString()).toBe('/after');
  });

  it('a response delimited by closing the connection arrives whole, framed for the client', async () => {
    const body = 'no length, no chunks: read until the upstream closes';
    const up = await scripted({
      '/eof': ({ socket }) => socket.end(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n${body}`),
    });
    const c = await RawClient.open(await balancerTo(up.port));
    await c.write(get('/eof'));
    const r = await c.response();
    expect(r.status).toBe(200);
    expect(r.body.toString()).toBe(body);
    if (r.framing === 'close') expect(c.ended).toBe(true);
    else {
      // Re-framed (chunked or with a length): the client connection goes on.
      await c.write(get('/after'));
      expect((await c.response()).body.toString()).toBe('/after');
    }
  });

  it('204 and 304 carry no body; the next request on the connection works', async () => {
    const up = await scripted({
      '/204': ({ socket }) => socket.write('HTTP/1.1 204 No Content\r\nX-A: 1\r\n\r\n'),
      '/304': ({ socket }) => socket.write('HTTP/1.1 304 Not Modified\r\nETag: "v1"\r\n\r\n'),
    });
    const c = await RawClient.open(await balancerTo(up.port));
    await c.write(get('/204'));
    expect((await c.response()).status).toBe(204);
    await c.write(get('/304'));
    const notModified = await c.response();
    expect(notModified.status).toBe(304);
    expect(header(notModified, 'etag')).toBe('"v1"');
    await c.write(get('/after'));
    const after = await c.response();
    expect(after.status).toBe(200);
    expect(after.body.toString()).toBe('/after');
    expect(c.rest().length).toBe(0);
  });

  it('103 Early Hints then 200: the client gets the 200 and its body (the 103 may or may not pass)', async () => {
    const up = await scripted({
      '/hints': ({ socket }) =>
        socket.write(`HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n${ok('final body')}`),
    });
    const c = await RawClient.open(await balancerTo(up.port));
    await c.write(get('/hints'));
    const { final, interim } = await c.finalResponse();
    expect(final.status).toBe(200);
    expect(final.body.toString()).toBe('final body');
    for (const i of interim) expect(i.status).toBe(103);
    await c.write(get('/after'));
    expect((await c.response()).body.toString()).toBe('/after');
  });

  it('a response written one byte per write, with an empty reason phrase, arrives whole', async () => {
    const up = await scripted({
      '/drip': ({ socket }) => {
        const bytes = Buffer.from(
          'HTTP/1.1 200 \r\nTransfer-Encoding: chunked\r\nX-A: b\r\n\r\n4\r\ndrip\r\n0\r\n\r\n',
        );
        let i = 0;
        const next = (): void => {
          if (i < bytes.length && !socket.destroyed)
            socket.write(bytes.subarray(i, ++i), () => setImmediate(next));
        };
        next();
      },
    });
    const c = await RawClient.open(await balancerTo(up.port));
    await c.write(get('/drip'));
    const r = await c.response();
    expect(r.status).toBe(200);
    expect(header(r, 'x-a')).toBe('b');
    expect(r.body.toString()).toBe('drip');
  });

  it('HEAD answered with Transfer-Encoding: chunked and no body: headers only, the connection goes on', async () => {
    const up = await scripted({
      '/head': ({ socket }) =>
        socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: b\r\n\r\n'),
    });
    const c = await RawClient.open(await balancerTo(up.port));
    await c.write('HEAD /head HTTP/1.1\r\nHost: x\r\n\r\n');
    const head = await c.response({ headRequest: true });
    expect(head.status).toBe(200);
    expect(header(head, 'x-a')).toBe('b');
    await c.write(get('/after'));
    expect((await c.response()).body.toString()).toBe('/after');
    expect(c.rest().length).toBe(0);
  });

  it('a 5 MB chunked response arrives intact', async () => {
    const payload = randomBytes(5 << 20);
    const up = await scripted({
      '/big': ({ socket }) => {
        socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n');
        // Uneven chunk sizes, so chunk and read boundaries fall everywhere.
        for (let off = 0, i = 0; off < payload.length; i++) {
          const n = Math.min(payload.length - off, 1 + ((i * 7919) % 65_536));
          socket.write(`${n.toString(16)}\r\n`);
          socket.write(payload.subarray(off, off + n));
          socket.write('\r\n');
          off += n;
        }
        socket.write('0\r\n\r\n');
      },
    });
    const c = await RawClient.open(await balancerTo(up.port));
    await c.write(get('/big'));
    const r = await c.response({ timeoutMs: 20_000 });
    expect(r.status).toBe(200);
    expect(r.body.length).toBe(payload.length);
    expect(createHash('sha256').update(r.body).digest('hex')).toBe(
      createHash('sha256').update(payload).digest('hex'),
    );
  });
  it('two 4 MB responses to clients that stop reading for a while arrive intact (reads share one buffer)', async () => {
    const payloads = { '/a': randomBytes(4 << 20), '/b': randomBytes(4 << 20) };
    const up = await scripted(
      Object.fromEntries(
        Object.entries(payloads).map(([path, body]) => [
          path,
          ({ socket }: RawExchange) => {
            socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`);
            socket.write(body);
          },
        ]),
      ),
    );
    const port = await balancerTo(up.port);
    const fetchSlowly = async (path: string): Promise<Buffer> => {
      const socket = connect(port, '127.0.0.1');
      socket.pause();
      socket.write(get(path));
      // Writes to this client back up while the other response is read: a pending write that
      // kept the shared read buffer would carry the other response's bytes.
      await sleep(300);
      const chunks: Buffer[] = [];
      let total = 0;
      return await new Promise<Buffer>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${path}: ${total} bytes in 20 s`)), 20_000);
        socket.on('data', (c: Buffer) => {
          chunks.push(c);
          total += c.length;
          const all = Buffer.concat(chunks);
          const end = all.indexOf('\r\n\r\n');
          if (end >= 0 && all.length - end - 4 >= 4 << 20) {
            clearTimeout(timer);
            socket.destroy();
            resolve(all.subarray(end + 4));
          }
        });
        socket.on('error', reject);
        socket.resume();
      });
    };
    const [a, b] = await Promise.all([fetchSlowly('/a'), fetchSlowly('/b')]);
    expect(sha(a)).toBe(sha(payloads['/a']));
    expect(sha(b)).toBe(sha(payloads['/b']));
  });
});

describe('upstream connections closing', () => {
  it('Connection: close from the upstream: the next request on the client connection still succeeds', async () => {
    const up = await rawUpstream(({ socket, request }) =>
      socket.end(ok(`${pathOf(request)} then close`, 'Connection: close\r\n')),
    );
    const c = await RawClient.open(await balancerTo(up.port));
    await c.write(get('/one'));
    expect((await c.response()).body.toString()).toBe('/one then close');
    await c.write(get('/two'));
    expect((await c.response()).body.toString()).toBe('/two then close');
    expect(up.connections()).toBe(2);
  });

  for (const how of ['FIN', 'RST'] as const) {
    it(`an idle keep-alive upstream connection closed by the upstream (${how}) does not fail the next request`, async () => {
      let closed = 0;
      const up = await rawUpstream(({ socket, request }) => {
        socket.write(ok(pathOf(request)));
        socket.once('close', () => closed++);
        // Idle after one response, then gone: the balancer's pooled connection is now stale.
        setTimeout(() => (how === 'FIN' ? socket.end() : socket.resetAndDestroy()), 50);
      });
      const c = await RawClient.open(await balancerTo(up.port));
      await c.write(get('/first'));
      expect((await c.response()).body.toString()).toBe('/first');
      await waitFor(() => closed === 1, { timeoutMs: 3000, what: 'upstream closed its idle connection' });
      await sleep(100); // "a bit later", as the next request of a real client would come
      await c.write(get('/second'));
      const r = await c.response();
      expect(r.status).toBe(200);
      expect(r.body.toString()).toBe('/second');
    });
  }
});

describe('broken or hostile upstream responses', () => {
  it('bytes that are not HTTP: 502', async () => {
    const up = await rawUpstream(({ socket }) => socket.end('\x00\x01 this is not HTTP at all\r\n\r\n'));
    const c = await RawClient.open(await balancerTo(up.port));
    await c.write(get('/garbage'));
    expect((await c.response()).status).toBe(502);
  });

  for (const [what, head] of [
    ['a status code of four digits', 'HTTP/1.1 2000 OK\r\nContent-Length: 2\r\n\r\nok'],
    ['a header line without a colon', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nno colon here\r\n\r\nok'],
    ['a space before the colon', 'HTTP/1.1 200 OK\r\nContent-Length : 2\r\n\r\nok'],
    ['an invalid chunk size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nok\r\n0\r\n\r\n'],
  ] as const) {
    it(`${what}: 502 (or a broken connection), never a success`, async () => {
      const up = await rawUpstream(({ socket }) => socket.write(head));
      const c = await RawClient.open(await balancerTo(up.port));
      await c.write(get('/bad'));
      const r = await c.response().catch((error: Error) => error);
      if (r instanceof Error) expect(r.message).toMatch(/closed before a complete response/);
      else expect(r.status).toBe(502);
    });
  }

  it('an upstream that closes inside its header block: 502', async () => {
    const up = await rawUpstream(({ socket }) =>
      socket.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Half'),
    );
    const c = await RawClient.open(await balancerTo(up.port));
    await c.write(get('/half-head'));
    expect((await c.response()).status).toBe(502);
  });

  it('two different Content-Length values: 502', async () => {
    const up = await rawUpstream(({ socket }) =>
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!'),
    );
    const c = await RawClient.open(await balancerTo(up.port));
    await c.write(get('/two-lengths'));
    expect((await c.response()).status).toBe(502);
  });

  it('Content-Length and Transfer-Encoding together: one answer per request, never the smuggled one', async () => {
    const up = await scripted({
      // Read by Transfer-Encoding, the body is empty and a second response follows; read by
      // Content-Length, the body is "0\r\n\r\n" and the rest is left on the connection.
      '/first': ({ socket }) =>
        socket.write(
          `HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${ok('smuggled')}`,
        ),
    });
    const c = await RawClient.open(await balancerTo(up.port));
    await c.write(get('/first'));
    const first = await c.response();
    // RFC 9112 §6.3: an error (502), or Transfer-Encoding wins and the body is empty.
    if (first.status !== 502) {
      expect(first.status).toBe(200);
      expect(first.body.toString()).toBe('');
    }
    if (!c.ended) {
      await c.write(get('/second'));
      const second = await c.response();
      expect(second.body.toString()).toBe('/second');
    }
    expect(c.received().toString('latin1')).not.toContain('smuggled');
  });

  it('a response the client never asked for (bytes after the body) never reaches the client', async () => {
    const up = await scripted({ '/first': ({ socket }) => socket.write(`${ok('first')}${ok('unasked')}`) });
    const c = await RawClient.open(await balancerTo(up.port));
    await c.write(get('/first'));
    expect((await c.response()).body.toString()).toBe('first');
    await c.write(get('/second'));
    expect((await c.response()).body.toString()).toBe('/second');
    expect(c.received().toString('latin1')).not.toContain('unasked');
  });

  it('a body after a HEAD response is not passed on, nor taken as the next response', async () => {
    const up = await scripted({ '/head': ({ socket }) => socket.write(`${ok('stray')}`) });
    const c = await RawClient.open(await balancerTo(up.port));
    await c.write('HEAD /head HTTP/1.1\r\nHost: x\r\n\r\n');
    const head = await c.response({ headRequest: true });
    expect(head.status).toBe(200);
    expect(header(head, 'content-length')).toBe('5');
    await c.write(get('/second'));
    expect((await c.response()).body.toString()).toBe('/second');
    expect(c.received().toString('latin1')).not.toContain('stray');
  });

  for (const how of ['RST', 'FIN'] as const) {
    it(`an upstream that stops mid-body (${how}): the client never sees a complete response`, async () => {
      const up = await rawUpstream(({ socket }) => {
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n');
        socket.write('x'.repeat(100), () =>
          setImmediate(() => (how === 'RST' ? socket.resetAndDestroy() : socket.end())),
        );
      });
      const c = await RawClient.open(await balancerTo(up.port));
      await c.write(get('/cut'));
      let outcome: Message | Error;
      try {
        outcome = await c.response();
      } catch (error) {
        outcome = error as Error;
      }
      // Either a 502 (had nothing been sent yet) or a connection closed before the body ended.
      if (outcome instanceof Error) expect(outcome.message).toMatch(/closed before a complete response/);
      else expect(outcome.status).toBe(502);
      expect(await c.closedWithin(3000)).toBe(true);
      expect(c.received().toString('latin1')).not.toContain('x'.repeat(101));
    });
  }
});

describe('response headers', () => {
  it('drops what the upstream Connection names, and its Keep-Alive', async () => {
    const up = await rawUpstream(({ socket }) =>
      socket.write(
        ok('h', 'Connection: x-up, keep-alive\r\nX-Up: 1\r\nKeep-Alive: timeout=77\r\nX-Kept: yes\r\n'),
      ),
    );
    const c = await RawClient.open(await balancerTo(up.port));
    await c.write(get('/h'));
    const r = await c.response();
    expect(r.status).toBe(200);
    expect(header(r, 'x-up')).toBeUndefined();
    expect(header(r, 'keep-alive') ?? '').not.toContain('77');
    expect(header(r, 'x-kept')).toBe('yes');
  });

  it('latin1 bytes (0x80-0xFF) in a header value pass through unchanged', async () => {
    const value = 'caf\xe9 \x80\xa0\xff end';
    const up = await rawUpstream(({ socket }) => socket.write(ok('l', `X-Latin: ${value}\r\n`)));
    const c = await RawClient.open(await balancerTo(up.port));
    await c.write(get('/latin'));
    const r = await c.response();
    expect(r.status).toBe(200);
    expect(header(r, 'x-latin')).toBe(value);
  });
});

describe('response header injection from the upstream', () => {
  it('several Set-Cookie fields stay separate fields, values intact', async () => {
    const cookies = ['a=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT; Path=/', 'b=2; HttpOnly', 'c=3'];
    const up = await rawUpstream(({ socket }) =>
      socket.write(ok('c', cookies.map((v) => `Set-Cookie: ${v}\r\n`).join(''))),
    );
    const c = await RawClient.open(await balancerTo(up.port));
    await c.write(get('/cookies'));
    const r = await c.response();
    expect(r.headers.filter(([n]) => n.toLowerCase() === 'set-cookie').map(([, v]) => v)).toEqual(cookies);
  });

  const hostile: Record<string, string> = {
    'a bare CR': 'X-A: a\rSet-Cookie: planted=1',
    NUL: 'X-A: a\x00Set-Cookie: planted=1',
    'obs-fold': 'X-A: a\r\n Set-Cookie: planted=1',
  };
  for (const [what, line] of Object.entries(hostile)) {
    it(`${what} in an upstream header value: 502 or a cleaned value, never a planted header`, async () => {
      const up = await scripted({ '/bad': ({ socket }) => socket.write(ok('body', `${line}\r\n`)) });
      const c = await RawClient.open(await balancerTo(up.port));
      await c.write(get('/bad'));
      const r = await c.response();
      expect(header(r, 'set-cookie')).toBeUndefined();
      if (r.status !== 502) {
        expect(r.status).toBe(200);
        expect(r.body.toString()).toBe('body');
        expect(header(r, 'x-a') ?? '').not.toMatch(/[\x00\r\n]/);
      }
      // The client connection is still in step.
      if (!c.ended) {
        await c.write(get('/after'));
        expect((await c.response()).body.toString()).toBe('/after');
      }
    });
  }
});

/** Cases undici got wrong before the fast HTTP/1.1 path (src/balancer/h1); "before:" says what it did. */
describe('cases the Node/undici path got wrong', () => {
  // before: undici takes the 304's Content-Length as a body length ("Response body length does not
  // match"), and the client connection is destroyed without a byte.
  it('a 304 with a Content-Length has no body: passed on, and the connection goes on', async () => {
    // RFC 9110 §8.6: a 304's Content-Length is the size of the representation it stands for.
    const up = await scripted({
      '/304': ({ socket }) =>
        socket.write('HTTP/1.1 304 Not Modified\r\nETag: "v1"\r\nContent-Length: 5\r\n\r\n'),
    });
    const c = await RawClient.open(await balancerTo(up.port));
    await c.write(get('/304'));
    const notModified = await c.response();
    expect(notModified.status).toBe(304);
    expect(header(notModified, 'content-length')).toBe('5');
    await c.write(get('/after'));
    expect((await c.response()).body.toString()).toBe('/after');
  });

  // before: the chunking is removed and Transfer-Encoding dropped; the client gets gzip bytes
  // re-chunked as if they were the content.
  it('a response with Transfer-Encoding: gzip, chunked: the client gets the gzip coding or the decoded content', async () => {
    // Dropping the field after removing only "chunked" hands the client gzip bytes as content.
    const zipped = gzipSync('the content');
    const up = await scripted({
      '/gz': ({ socket }) => {
        socket.write(
          `HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n${zipped.length.toString(16)}\r\n`,
        );
        socket.write(zipped);
        socket.write('\r\n0\r\n\r\n');
      },
    });
    const c = await RawClient.open(await balancerTo(up.port));
    await c.write(get('/gz'));
    // The strict parser refuses "gzip, chunked", so read the raw bytes.
    await waitFor(() => c.ended || c.received().includes('0\r\n\r\n'), { timeoutMs: 3000 });
    const text = c.received().toString('latin1');
    const te = /\r\ntransfer-encoding: *([^\r]*)/i.exec(text)?.[1] ?? '';
    if (/gzip/i.test(te)) expect(te.toLowerCase().replace(/ /g, '')).toBe('gzip,chunked');
    else expect(text).toContain('the content');
  });
});
