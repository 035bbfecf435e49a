import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32, show } from './fuzz.js';
import { type ClientRead, ScriptedUpstream } from './node-client.js';
import { type Delimited, delimit, generate, knownBug } from './response-samples.js';

/**
 * The other half of the argument: a response that `parseResponseHead` and `ChunkedEnd` accept
 * and delimit is read by Node's HTTP client (llhttp) with the same status, headers, body bytes
 * and trailers, ending at the same byte (a response written after it must not leak into the
 * body). Where Node's client rejects the bytes, ours must not have accepted them. Being stricter
 * than Node (refusing what it reads) is allowed; being looser is not.
 */

const seed = 0xb0d1;
const samples = 8000;
/** Written after where ours says the response ends: a reader that goes on would take it in. */
const after = 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nAFTER';

function disagreement(ours: Delimited, node: ClientRead): string | undefined {
  if (node.error !== undefined) return `node rejected it (${node.error})`;
  if (node.status !== ours.head.status) return `status ${node.status}`;
  if (JSON.stringify(node.rawHeaders) !== JSON.stringify(ours.head.rawHeaders))
    return `headers ${show(JSON.stringify(node.rawHeaders))}`;
  if (node.body !== ours.body) return `body ${show(node.body ?? '')}, ours ${show(ours.body)}`;
  if (JSON.stringify(node.rawTrailers) !== JSON.stringify(ours.trailers))
    return `trailers ${show(JSON.stringify(node.rawTrailers))}`;
  return undefined;
}

describe('responses: parseResponseHead + ChunkedEnd agree with Node’s client', () => {
  const upstream = new ScriptedUpstream();
  beforeAll(() => upstream.start());
  afterAll(() => upstream.stop());

  it(`${samples} mutated responses: whatever is accepted, Node reads the same, to the same byte`, async () => {
    const rnd = mulberry32(seed);
    const outcome = { accepted: 0, refused: 0, incomplete: 0 };
    const byFraming: Record<string, number> = {};
    const excused = new Map<string, number>();
    const failures: string[] = [];
    const accepted: Array<{ index: number; buf: Buffer; head: boolean; ours: Delimited }> = [];
    for (let index = 0; index < samples; index++) {
      const { bytes, head } = generate(rnd);
      const buf = Buffer.from(bytes, 'latin1');
      const ours = delimit(buf, head);
      if (ours === undefined) outcome.incomplete++;
      else if (ours === 'refused') outcome.refused++;
      else {
        outcome.accepted++;
        byFraming[ours.head.framing] = (byFraming[ours.head.framing] ?? 0) + 1;
        accepted.push({ index, buf, head, ours });
      }
    }
    for (let i = 0; i < accepted.length; i += 8) {
      await Promise.all(
        accepted.slice(i, i + 8).map(async ({ index, buf, head, ours }) => {
          // Node's client takes nothing after a response that closes the connection (an error,
          // HPE_CLOSED_CONNECTION): the boundary is checked on the reusable ones.
          const wire =
            ours.head.framing === 'close'
              ? buf
              : ours.head.reusable
                ? Buffer.concat([buf.subarray(0, ours.end), Buffer.from(after, 'latin1')])
                : buf.subarray(0, ours.end);
          const node = await upstream.read(wire, head);
          const why = disagreement(ours, node);
          if (why === undefined) return;
          const known = knownBug(ours, buf, why);
          if (known) excused.set(known, (excused.get(known) ?? 0) + 1);
          else failures.push(`#${index}${head ? ' (HEAD)' : ''} ${show(buf.subarray(0, ours.end))}: ${why}`);
        }),
      );
    }
    expect(failures).toEqual([]);
    expect(outcome.accepted).toBeGreaterThan(samples / 5);
    expect(outcome.refused).toBeGreaterThan(samples / 10);
    for (const framing of ['none', 'close', 'length', 'chunked'])
      expect(byFraming[framing]).toBeGreaterThan(50);
    console.info('response differential', { ...outcome, byFraming, excused: Object.fromEntries(excused) });
  }, 60_000);
});
