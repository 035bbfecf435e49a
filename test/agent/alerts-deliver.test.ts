import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type DeliveryTarget, deliver } from '../../src/agent/alerts/deliver.js';
import { freePort } from '../helpers/net.js';
import { waitFor } from '../helpers/wait.js';
import { AlertReceiver } from './alert-receiver.js';

const secret = 'sekret-header-value-0123456789';

describe('alert delivery against a real receiver on 127.0.0.1', () => {
  let receiver: AlertReceiver;
  let logs: string[];
  const stop = new AbortController();
  const target = (over: Partial<DeliveryTarget> = {}): DeliveryTarget => ({
    name: 'ops',
    url: `${receiver.url}/hook?key=url-secret`,
    headers: { authorization: `Bearer ${secret}` },
    timeoutMs: 2000,
    attempts: 4,
    backoffMs: 20,
    ...over,
  });
  const options = () => ({ signal: stop.signal, what: 'firing r:x', warn: (m: string) => logs.push(m) });

  beforeAll(async () => {
    receiver = await AlertReceiver.start();
  });
  beforeEach(() => {
    receiver.reset();
    logs = [];
  });
  afterAll(async () => {
    stop.abort();
    await receiver.close();
  });

  it('retries after a 503 and succeeds with the same body', async () => {
    receiver.answer(503);
    const outcome = await deliver(target(), { hello: 'world' }, options());
    expect(outcome).toEqual({ ok: true, attempts: 2, last: 'HTTP 200' });
    expect(receiver.requests).toHaveLength(2);
    expect(receiver.requests[0]!.body).toEqual({ hello: 'world' });
    expect(receiver.requests[1]!.body).toEqual({ hello: 'world' });
    expect(receiver.requests[1]!.headers.authorization).toBe(`Bearer ${secret}`);
    expect(receiver.requests[1]!.headers['content-type']).toBe('application/json');
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(
      /receiver "ops": firing r:x failed \(HTTP 503\) on attempt 1\/4, retrying in \d+ms/,
    );
  });

  it('gives up after the configured attempts and logs it, naming the receiver only', async () => {
    receiver.answer(503, 502, 500, 503);
    const outcome = await deliver(target({ attempts: 3 }), { n: 1 }, options());
    expect(outcome).toEqual({ ok: false, attempts: 3, last: 'HTTP 500' });
    expect(receiver.requests).toHaveLength(3);
    expect(logs.at(-1)).toBe(
      'alerts: receiver "ops": gave up on firing r:x after 3 attempt(s) (last: HTTP 500)',
    );
    for (const line of logs) {
      expect(line).not.toContain(secret);
      expect(line).not.toContain('url-secret');
      expect(line).not.toContain(receiver.url);
    }
  });

  it('does not retry a 4xx other than 408/429', async () => {
    receiver.answer(404);
    const outcome = await deliver(target(), {}, options());
    expect(outcome).toEqual({ ok: false, attempts: 1, last: 'HTTP 404' });
    expect(receiver.requests).toHaveLength(1);
    expect(logs).toEqual(['alerts: receiver "ops" refused firing r:x (HTTP 404); not retried']);
  });

  it('bounds each attempt by the timeout when the receiver never answers', async () => {
    receiver.answer('hang', 'hang');
    const outcome = await deliver(target({ attempts: 2, timeoutMs: 300 }), {}, options());
    expect(outcome).toEqual({ ok: false, attempts: 2, last: 'no answer within 300ms' });
    expect(receiver.requests).toHaveLength(2);
  });

  it('retries connection errors and reports their code, never the URL', async () => {
    const closed = await freePort();
    const outcome = await deliver(
      target({ url: `http://127.0.0.1:${closed}/hook?key=url-secret`, attempts: 2 }),
      {},
      options(),
    );
    expect(outcome).toEqual({ ok: false, attempts: 2, last: 'ECONNREFUSED' });
    expect(logs.at(-1)).toBe(
      'alerts: receiver "ops": gave up on firing r:x after 2 attempt(s) (last: ECONNREFUSED)',
    );
    expect(logs.join('\n')).not.toContain(String(closed));
  });

  it('stops retrying at once when the agent stops', async () => {
    const own = new AbortController();
    receiver.answer(503, 503, 503, 503);
    const pending = deliver(target({ backoffMs: 60_000 }), {}, { ...options(), signal: own.signal });
    // Stop once the first attempt has failed: during the minute-long backoff.
    await waitFor(() => logs.some((l) => l.includes('retrying in')), {
      what: 'the first retry to be planned',
    });
    own.abort();
    expect(await pending).toEqual({ ok: false, attempts: 1, last: 'agent stopping' });
    expect(receiver.requests).toHaveLength(1);
  });
});
