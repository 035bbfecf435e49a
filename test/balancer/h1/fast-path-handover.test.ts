import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fallback, parseRequestHead } from '../../../src/balancer/h1/request-head.js';
import { startBalancer } from '../harness.js';
import { mulberry32, show } from './fuzz.js';
import { RecordingServer, TaggedUpstream, type UpstreamRead } from './node-server.js';
import { generate } from './request-samples.js';

/**
 * The hand-over to Node's server: every request the fast path leaves to Node (`fallback`) is
 * passed on with the bytes already read, neither lost nor read twice. Each such mutated request
 * (with a body as its head frames it, and a sentinel behind) is read once by a bare node:http
 * server, and once through a balancer by a node:http upstream: the upstream may see fewer
 * requests (the balancer may refuse more), never one Node did not read, nor one read otherwise.
 * (Node's path forwards pipelined requests concurrently, so their order is not compared.)
 */

const seed = 0x4a4d;
const wanted = 1200;

const upstream = new TaggedUpstream(() => 'ok');
const seen = upstream.seen;
const direct = new RecordingServer();
let balancerPort = 0;

beforeAll(async () => {
  await direct.start();
  const upstreamPort = await upstream.start();
  const { url } = await startBalancer({
    routes: [{ name: 'r', upstreams: [`127.0.0.1:${upstreamPort}`], healthCheck: false }],
  });
  balancerPort = Number(new URL(url).port);
});
afterAll(async () => {
  await direct.stop();
  await upstream.stop();
});

/** Write `wire` to the balancer; resolves when it closes the connection (bounded). */
function throughBalancer(wire: Buffer, timeoutMs = 3000): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect(balancerPort, '127.0.0.1', () => socket.write(wire));
    const timer = setTimeout(() => socket.destroy(), timeoutMs);
    socket.on('data', () => {});
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** A body as the head seems to frame it: Node decides what it really reads. */
function bodyFor(head: string): string {
  if (/transfer-encoding:[ \t]*chunked/i.test(head)) return '3\r\nbbb\r\n0\r\n\r\n';
  const length = /content-length:[ \t]*(\d{1,4})\r\n/i.exec(head);
  return length ? 'b'.repeat(Number(length[1])) : '';
}

/**
 * Every request in `sub` is one of `list` (each used once). Not in order: Node's server reads
 * pipelined requests ahead, and the balancer forwards them on separate upstream connections.
 */
function isSubset(sub: UpstreamRead[], list: UpstreamRead[]): boolean {
  const left = list.map((s) => JSON.stringify(s));
  for (const s of sub) {
    const at = left.indexOf(JSON.stringify(s));
    if (at < 0) return false;
    left.splice(at, 1);
  }
  return true;
}

describe('hand-over to Node’s server', () => {
  it(`${wanted} requests left to Node: the upstream reads only what Node reads`, async () => {
    const rnd = mulberry32(seed);
    const samples: Array<{ tag: string; wire: Buffer }> = [];
    for (let index = 0; samples.length < wanted && index < wanted * 10; index++) {
      const { bytes } = generate(rnd);
      const eol = bytes.indexOf('\r\n');
      const tagged = `${bytes.slice(0, eol + 2)}X-Sample: ${index}\r\n${bytes.slice(eol + 2)}`;
      if (parseRequestHead(Buffer.from(tagged, 'latin1')) !== fallback) continue;
      const head = tagged.slice(0, tagged.indexOf('\r\n\r\n') + 4);
      const sentinel = `GET /__sentinel HTTP/1.1\r\nHost: s\r\nX-Sample: ${index}\r\nConnection: close\r\n\r\n`;
      samples.push({ tag: String(index), wire: Buffer.from(head + bodyFor(head) + sentinel, 'latin1') });
    }
    const failures: string[] = [];
    let compared = 0;
    let nodeRead = 0;
    /** Node read requests, and the upstream read exactly those: the hand-over lost nothing. */
    let identical = 0;
    for (let i = 0; i < samples.length; i += 8) {
      await Promise.all(
        samples.slice(i, i + 8).map(async ({ tag, wire }) => {
          const node = await direct.send(wire);
          if (node.timedOut) return;
          await throughBalancer(wire);
          compared++;
          const read: UpstreamRead[] = node.requests
            .filter((r) => r.rawHeaders.some((v, k) => k % 2 === 1 && v === tag))
            .map(({ method, url, bodyLength }) => ({ method, url, bodyLength }));
          const got = seen.get(tag) ?? [];
          if (read.length > 0) {
            nodeRead++;
            if (got.length === read.length && isSubset(got, read)) identical++;
          }
          if (!isSubset(got, read))
            failures.push(
              `#${tag} ${show(wire)}: upstream ${show(JSON.stringify(got))}, node ${show(JSON.stringify(read))}`,
            );
        }),
      );
    }
    expect(failures).toEqual([]);
    expect(samples.length).toBe(wanted);
    // Enough of them are requests Node serves, so that the hand-over is exercised.
    expect(nodeRead).toBeGreaterThan(wanted / 10);
    // The rest are the balancer's own refusals (`*` targets, upgrades, two Hosts, Expect, HTTP/2.0).
    expect(identical).toBeGreaterThan(nodeRead / 2);
    console.info('hand-over differential', { samples: samples.length, compared, nodeRead, identical });
  }, 60_000);
});
