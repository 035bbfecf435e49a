import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { balancerConfigSchema } from '../../src/balancer/config/schema.js';
import { configToSpec } from '../../src/balancer/config/to-spec.js';
import { waitFor } from '../helpers/wait.js';
import { get, startBalancer } from './harness.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function serve(handler: Parameters<typeof createServer>[1]): Promise<number> {
  const s = createServer(handler);
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return (s.address() as AddressInfo).port;
}

describe('a reload that replaces a pool while a request is in flight', () => {
  it('retries the request on the new pool when its upstream fails after the reload', async () => {
    let resetArrived = 0;
    // A takes the request, then resets the connection a moment later (after the reload).
    const a = await serve((req) => {
      resetArrived++;
      setTimeout(() => req.socket.destroy(), 300);
    });
    const b = await serve((_req, res) => res.end('B'));
    const { balancer, url } = await startBalancer({
      routes: [{ name: 'main', upstreams: [`127.0.0.1:${a}`], healthCheck: false }],
    });
    const pending = get(`${url}/x`);
    await waitFor(() => resetArrived === 1, { what: 'the request at A' });
    // A new picker: the route gets a new pool (A and B); the old one is emptied.
    const report = balancer.reload(
      configToSpec(
        balancerConfigSchema.parse({
          listen: `127.0.0.1:${balancer.addresses.http!.port}`,
          admin: `127.0.0.1:${balancer.addresses.admin!.port}`,
          routes: [
            {
              name: 'main',
              algorithm: 'least-conn',
              upstreams: [`127.0.0.1:${a}`, `127.0.0.1:${b}`],
              healthCheck: false,
            },
          ],
        }),
      ),
    );
    expect(report.changed).toEqual(['main']);
    const res = await pending;
    expect(res.status).toBe(200);
    expect(res.body).toBe('B');
    expect(resetArrived).toBe(1);
  });
});
