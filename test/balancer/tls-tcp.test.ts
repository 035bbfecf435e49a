import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apply } from '../../src/balancer/catalog.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { describeWith, hasBinary, isCI } from '../helpers/requirements.js';
import { type PostgresServer, pgBin, startPostgres } from '../helpers/servers/postgres.js';
import { tempDir } from '../helpers/tmp.js';
import { startUpstream } from '../helpers/upstreams.js';
import { get, startBalancer } from './harness.js';

describe('TLS termination with the development CA', () => {
  it('serves a certificate for the requested name, verified by a real client against the CA', async () => {
    const home = tempDir();
    const up = await startUpstream('secure');
    const { balancer } = await startBalancer(
      {
        tls: { listen: '127.0.0.1:0' },
        routes: [
          { name: 'api', host: 'api.localhost', upstreams: [`127.0.0.1:${up.port}`], healthCheck: false },
        ],
      },
      { ...process.env, PORTICO_HOME: home },
    );
    const port = balancer.addresses.https!.port;
    const ca = readFileSync(join(home, 'ca', 'portico-dev-ca.crt'));
    const body = await new Promise<string>((resolve, reject) => {
      const req = httpsRequest(
        {
          host: '127.0.0.1',
          port,
          path: '/',
          servername: 'api.localhost',
          headers: { host: 'api.localhost' },
          ca,
        },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => {
            text += c.toString();
          });
          res.on('end', () => resolve(text));
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(body).toBe('secure');
    // curl is installed by the CI script; locally it is optional.
    if (hasBinary('curl') || isCI) {
      // Async: the balancer runs in this process, so a blocking call would deadlock it.
      const { stdout } = await promisify(execFile)('curl', [
        '-sS',
        '--max-time',
        '5',
        '--cacert',
        join(home, 'ca', 'portico-dev-ca.crt'),
        '--resolve',
        `api.localhost:${port}:127.0.0.1`,
        `https://api.localhost:${port}/`,
      ]);
      expect(stdout).toBe('secure');
    }
    // A name the balancer does not serve gets no certificate.
    await expect(
      new Promise((resolve, reject) => {
        const req = httpsRequest(
          { host: '127.0.0.1', port, path: '/', servername: 'evil.example.com', ca },
          resolve,
        );
        req.on('error', reject);
        req.end();
      }),
    ).rejects.toThrow();
  });

  it('redirects plain HTTP to HTTPS when asked', async () => {
    const up = await startUpstream('r');
    const { url } = await startBalancer(
      {
        tls: { listen: '127.0.0.1:0', redirectHttp: true },
        routes: [{ name: 'r', upstreams: [`127.0.0.1:${up.port}`], healthCheck: false }],
      },
      { ...process.env, PORTICO_HOME: tempDir() },
    );
    const r = await get(`${url}/path?q=1`, { host: 'app.localhost' });
    expect(r.status).toBe(308);
    expect(r.headers.location).toMatch(/^https:\/\/app\.localhost:\d+\/path\?q=1$/);
  });
});

describeWith(
  [`${pgBin}/initdb`, 'runuser', { root: true }],
  'TCP (layer 4) mode to a real PostgreSQL',
  () => {
    let server: PostgresServer;
    beforeAll(async () => {
      server = await startPostgres();
    });
    afterAll(() => server?.stop());

    it('carries the PostgreSQL protocol and balances connections', async () => {
      const { balancer } = await startBalancer({
        tcp: [
          {
            name: 'pg',
            listen: '127.0.0.1:0',
            upstreams: [`127.0.0.1:${server.port}`],
            healthCheck: { interval: '200ms' },
          },
        ],
      });
      const port = balancer.addresses.tcp.pg!.port;
      const client = new pg.Client({
        host: '127.0.0.1',
        port,
        user: 'app',
        password: 'app-secret',
        database: 'app',
      });
      await client.connect();
      const r = await client.query<{ n: number }>('SELECT 40 + 2 AS n');
      expect(r.rows[0]!.n).toBe(42);
      expect(balancer.status().tcp[0]!.upstreams[0]!.active).toBe(1);
      await client.end();
    });
  },
);

describe('metrics and catalog routing', () => {
  it('exposes Prometheus metrics per route and upstream on the admin endpoint', async () => {
    const up = await startUpstream('m');
    const { url, admin } = await startBalancer({
      routes: [{ name: 'api', upstreams: [`127.0.0.1:${up.port}`], healthCheck: false }],
    });
    for (let i = 0; i < 5; i++) await get(`${url}/`);
    await get(`${url}/status/500`);
    const text = (await get(`http://${admin}/metrics`)).body;
    expect(text).toContain(
      `portico_lb_requests_total{route="api",upstream="127.0.0.1:${up.port}",code="2xx"} 5`,
    );
    expect(text).toContain(
      `portico_lb_requests_total{route="api",upstream="127.0.0.1:${up.port}",code="5xx"} 1`,
    );
    expect(text).toMatch(
      /portico_lb_request_duration_seconds_bucket\{route="api",upstream="[^"]+",le="\+Inf"\} 6/,
    );
    expect(text).toContain('portico_lb_upstream_healthy{route="api"');
    const status = JSON.parse((await get(`http://${admin}/status`)).body) as {
      routes: Array<{ upstreams: Array<{ requests: number }> }>;
    };
    expect(status.routes[0]!.upstreams[0]!.requests).toBe(6);
  });

  it('routes <service>.localhost to catalog instances and follows their health', async () => {
    const [a, b] = await Promise.all([startUpstream('cat-a'), startUpstream('cat-b')]);
    const store = new SqliteStore({ path: join(tempDir(), 'catalog.db') });
    const inst = (id: string, port: number) => ({
      id,
      service: 'orders',
      address: '127.0.0.1',
      port,
      protocol: 'http' as const,
      tags: [],
      meta: {},
      source: 'cli',
      checks: [{ id: 'tcp', kind: 'tcp' as const, intervalMs: 1000, timeoutMs: 500, rise: 1, fall: 1 }],
    });
    await store.register(inst('a', a.port));
    await store.register(inst('b', b.port));
    const { url, balancer } = await startBalancer({ catalog: true });
    apply(balancer, await store.listInstances(), await store.checkStates());
    const seen = new Set<string>();
    for (let i = 0; i < 10; i++) seen.add((await get(`${url}/`, { host: 'orders.localhost' })).body);
    expect([...seen].sort()).toEqual(['cat-a', 'cat-b']);
    await store.putCheckState({
      instanceId: 'b',
      checkId: 'tcp',
      status: 'critical',
      output: 'refused',
      since: Date.now(),
    });
    apply(balancer, await store.listInstances(), await store.checkStates());
    for (let i = 0; i < 10; i++)
      expect((await get(`${url}/`, { host: 'orders.localhost' })).body).toBe('cat-a');
    await store.deregister('a');
    await store.deregister('b');
    apply(balancer, await store.listInstances(), await store.checkStates());
    expect((await get(`${url}/`, { host: 'orders.localhost' })).status).toBe(404);
    await store.close();
  });
});
