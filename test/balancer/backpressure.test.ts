import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait.js';
import { startBalancer } from './harness.js';

const total = 128 * 1024 * 1024;
const chunk = Buffer.alloc(64 * 1024, 120);
const servers: Server[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

/** An upstream that sends `total` bytes as fast as its socket takes them, counting what it wrote. */
async function startFirehose() {
  const state = { written: 0, waitingForDrain: false };
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-length': total });
    const pump = (): void => {
      state.waitingForDrain = false;
      while (state.written < total) {
        state.written += chunk.length;
        if (!res.write(chunk)) {
          state.waitingForDrain = true;
          res.once('drain', pump);
          return;
        }
      }
      res.end();
    };
    pump();
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { state, port: (server.address() as AddressInfo).port };
}

describe('backpressure', () => {
  it('stops reading the upstream while the client does not read, then delivers every byte', async () => {
    const up = await startFirehose();
    const { url } = await startBalancer({
      routes: [{ name: 'r', upstreams: [`127.0.0.1:${up.port}`], healthCheck: false }],
    });
    const client = connect(Number(new URL(url).port), '127.0.0.1');
    client.pause(); // read nothing yet: the kernel buffers fill, then the balancer must stop
    client.write('GET /stream HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n');
    // The upstream is blocked and stays blocked (its count stops moving between polls).
    let last = -1;
    await waitFor(
      () => {
        const stalled = up.state.waitingForDrain && up.state.written === last;
        last = up.state.written;
        return stalled;
      },
      { intervalMs: 200, timeoutMs: 20_000, what: 'the upstream to be held back' },
    );
    // Only socket buffers in between (a few MB each on loopback), not the whole body in memory.
    expect(up.state.written).toBeLessThan(total / 3);
    let received = 0;
    let headerEnd = -1;
    const done = new Promise<void>((resolve, reject) => {
      client.on('data', (c: Buffer) => {
        if (headerEnd < 0) {
          headerEnd = c.indexOf('\r\n\r\n');
          if (headerEnd >= 0) received += c.length - headerEnd - 4;
        } else received += c.length;
      });
      client.on('end', resolve);
      client.on('error', reject);
    });
    client.resume();
    await done;
    expect(headerEnd).toBeGreaterThan(0);
    expect(received).toBe(total);
  }, 60_000);
});
