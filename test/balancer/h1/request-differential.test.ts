import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fallback, parseRequestHead, type RequestHead } from '../../../src/balancer/h1/request-head.js';
import { mulberry32, show } from './fuzz.js';
import { type NodeRead, RecordingServer } from './node-server.js';
import { generate, knownBug } from './request-samples.js';

/**
 * The fast path's security argument, tested: every request head `parseRequestHead` accepts is
 * read by Node's own parser (llhttp) exactly the same way — method, target, header names and
 * values in order, the body's length, and where the request ends (a sentinel request written
 * after it must be Node's next request). Heads are built by seeded mutation of valid ones; only
 * accepted heads go to Node (a refusal or a fallback is never a disagreement).
 */

const seed = 0x5eed;
const samples = 15_000;
const sentinel = 'GET /__sentinel HTTP/1.1\r\nHost: s\r\nConnection: close\r\n\r\n';

/** How Node's reading differs from ours, or undefined when it is the same. */
function disagreement(ours: RequestHead, node: NodeRead): string | undefined {
  const first = node.requests[0];
  if (!first) return `node read no request (${node.error ?? (node.timedOut ? 'timeout' : 'closed')})`;
  if (first.method !== ours.method) return `method ${first.method}`;
  if (first.url !== ours.target) return `url ${show(first.url)}`;
  if (JSON.stringify(first.rawHeaders) !== JSON.stringify(ours.rawHeaders))
    return `headers ${show(JSON.stringify(first.rawHeaders))}`;
  if (first.bodyLength !== ours.contentLength) return `body length ${first.bodyLength}`;
  if (!ours.close) {
    const next = node.requests[1];
    if (node.requests.length !== 2 || next?.url !== '/__sentinel' || node.error)
      return `next request ${show(JSON.stringify(next ?? null))} (${node.error ?? ''})`;
  }
  return undefined;
}

describe('request heads: parseRequestHead agrees with llhttp', () => {
  const server = new RecordingServer();
  beforeAll(() => server.start());
  afterAll(() => server.stop());

  it(`${samples} mutated heads: whatever is accepted, Node reads the same, to the same boundary`, async () => {
    const rnd = mulberry32(seed);
    const outcome = { accepted: 0, fallback: 0, refused: 0, incomplete: 0 };
    const excused = new Map<string, number>();
    const failures: string[] = [];
    const accepted: Array<{ index: number; head: string; ours: RequestHead }> = [];
    for (let index = 0; index < samples; index++) {
      const { bytes } = generate(rnd);
      const r = parseRequestHead(Buffer.from(bytes, 'latin1'));
      if (r === undefined) outcome.incomplete++;
      else if (r === fallback) outcome.fallback++;
      else if ('refuse' in r) outcome.refused++;
      else {
        outcome.accepted++;
        accepted.push({ index, head: bytes.slice(0, r.headBytes), ours: r });
      }
    }
    // Eight connections at a time: bounded, and quick enough on a busy machine.
    for (let i = 0; i < accepted.length; i += 8) {
      await Promise.all(
        accepted.slice(i, i + 8).map(async ({ index, head, ours }) => {
          const wire = head + 'b'.repeat(ours.contentLength) + sentinel;
          const node = await server.send(Buffer.from(wire, 'latin1'));
          const why = disagreement(ours, node);
          if (why === undefined) return;
          const known = knownBug(ours, head, why);
          if (known) excused.set(known, (excused.get(known) ?? 0) + 1);
          else failures.push(`#${index} ${show(head)}: ${why}`);
        }),
      );
    }
    expect(failures).toEqual([]);
    // The generator must keep exercising both sides of the subset.
    // About a fifth of the samples are accepted whatever the seed (2,900-3,100 of 15,000 seen).
    expect(outcome.accepted).toBeGreaterThan(samples / 6);
    expect(outcome.fallback).toBeGreaterThan(samples / 10);
    expect(outcome.refused).toBeGreaterThan(samples / 50);
    console.info('request differential', { ...outcome, excused: Object.fromEntries(excused) });
  }, 60_000);
});
