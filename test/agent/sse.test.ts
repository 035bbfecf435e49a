import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { EventHub } from '../../src/agent/http/sse.js';
import { waitFor } from '../helpers/wait.js';

describe('EventHub', () => {
  const hub = new EventHub();
  let server: Server | undefined;
  afterAll(() => {
    hub.close();
    server?.close();
  });

  it('drops a client that stops reading, and keeps delivering to one that reads', async () => {
    server = createServer((_req, res) => hub.attach(res));
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;

    // A client that sends a request and then never reads: its socket fills up.
    const stalled = connect(port, '127.0.0.1');
    stalled.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    stalled.pause();
    await waitFor(() => hub.size === 1, { what: 'the stalled client attached' });
    const big = 'x'.repeat(64 * 1024);
    // Bounded: far more than the kernel's socket buffers plus the 256 KiB allowance.
    for (let i = 0; i < 2000 && hub.size === 1; i++) {
      hub.publish('catalog', { i, big });
      await new Promise((r) => setImmediate(r));
    }
    expect(hub.size).toBe(0);
    stalled.destroy();

    // A reader that keeps up gets every event.
    const received: string[] = [];
    const stream = new AbortController();
    const res = await fetch(`http://127.0.0.1:${port}/`, { signal: stream.signal });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.getReader();
    void (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          received.push(Buffer.from(value).toString());
        }
      } catch {}
    })();
    await waitFor(() => hub.size === 1, { what: 'the reader attached' });
    hub.publish('check', { n: 1 });
    hub.publish('check', { n: 2 });
    await waitFor(
      () => /event: check\ndata: \{"n":1\}[\s\S]*event: check\ndata: \{"n":2\}/.test(received.join('')),
      {
        what: 'both events in order',
      },
    );
    stream.abort();
  });
});
