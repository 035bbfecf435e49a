import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { balancerConfigSchema } from '../../src/balancer/config/schema.js';
import { configToSpec } from '../../src/balancer/config/to-spec.js';
import { startUpstream } from '../helpers/upstreams.js';
import { waitFor } from '../helpers/wait.js';
import { get, startBalancer } from './harness.js';

const noHealth = { healthCheck: false as const };

describe('Balancer.drain (in process)', () => {
  it('lets in-flight requests finish, then closes WebSocket tunnels and reports both', async () => {
    const up = await startUpstream('d');
    const { balancer, url } = await startBalancer({
      routes: [{ name: 'r', upstreams: [`127.0.0.1:${up.port}`], ...noHealth }],
    });
    const ws = new WebSocket(`${url.replace('http', 'ws')}/`);
    await new Promise((r) => ws.once('open', r));
    const wsClosed = new Promise((r) => ws.once('close', r));
    const slow = request(`${url}/slow?ms=400`);
    await waitFor(() => up.hits.get('/slow') === 1, { what: 'the request in flight' });
    const report = await balancer.drain(5000);
    const res = await slow;
    expect(res.statusCode).toBe(200);
    expect(res.headers.connection).toBe('close');
    expect(await res.body.text()).toBe('d');
    await wsClosed;
    expect(report).toMatchObject({ inFlight: 1, completed: 1, cut: 0, tunnelsClosed: 1 });
  });

  it('cuts requests still running at the timeout and counts them', async () => {
    const up = await startUpstream('h');
    const { balancer, url } = await startBalancer({
      routes: [{ name: 'r', upstreams: [`127.0.0.1:${up.port}`], ...noHealth }],
    });
    const hung = request(`${url}/hang`).then(
      () => 'answered',
      () => 'cut',
    );
    await waitFor(() => up.hits.get('/hang') === 1, { what: 'the request in flight' });
    const report = await balancer.drain(100);
    expect(await hung).toBe('cut');
    expect(report).toMatchObject({ inFlight: 1, completed: 0, cut: 1 });
  });
});

describe('Balancer.reload (in process)', () => {
  const spec = (input: object) =>
    configToSpec(balancerConfigSchema.parse({ listen: '127.0.0.1:0', admin: '127.0.0.1:0', ...input }));

  it('changes a picker, removes a route, takes new policies, and names what needs a restart', async () => {
    const [a, b] = await Promise.all([startUpstream('ra'), startUpstream('rb')]);
    const ups = [`127.0.0.1:${a.port}`, `127.0.0.1:${b.port}`];
    const { balancer, url } = await startBalancer({
      routes: [
        { name: 'main', upstreams: ups, ...noHealth },
        { name: 'old', pathPrefix: '/old', upstreams: ups, ...noHealth },
      ],
    });
    expect((await get(`${url}/old/x`)).status).toBe(200);
    const report = balancer.reload({
      ...spec({
        routes: [
          {
            name: 'main',
            algorithm: 'consistent-hash',
            hashOn: { header: 'x-user' },
            upstreams: ups,
            ...noHealth,
          },
        ],
        upstreamHeader: 'x-upstream',
        listen: '127.0.0.1:1', // cannot move a listener live
      }),
    });
    expect(report).toEqual({ added: [], changed: ['main'], removed: ['old'], needsRestart: ['listen'] });
    // Still on the original listener; the new picker pins a user to one upstream.
    const seen = new Set<string>();
    for (let i = 0; i < 20; i++) seen.add((await get(`${url}/`, { 'x-user': 'alice' })).body);
    expect(seen.size).toBe(1);
    expect((await get(`${url}/`)).headers['x-upstream']).toMatch(/^127\.0\.0\.1:\d+$/);
    expect((await get(`${url}/old/x`)).status).toBe(200); // now served by main (prefix /)
    expect(balancer.routeNames()).toEqual(['main']);

    // A spec that cannot apply changes nothing.
    const before = balancer.spec;
    expect(() => balancer.reload({ ...spec({ routes: [] }), trustedProxies: ['not-an-ip'] })).toThrow(
      /trustedProxies/,
    );
    expect(balancer.spec).toBe(before);
    expect(balancer.routeNames()).toEqual(['main']);
  });

  it('keeps what needs a restart as it was, and takes a new admin token', async () => {
    const up = await startUpstream('k');
    const { balancer } = await startBalancer({
      routes: [{ name: 'r', upstreams: [`127.0.0.1:${up.port}`], ...noHealth }],
    });
    const before = balancer.spec;
    const report = balancer.reload(
      spec({
        listen: '127.0.0.1:1',
        admin: { listen: '127.0.0.1:2', token: 'a-new-token-of-16+' },
        accessLog: 'stderr',
        routes: [{ name: 'r', upstreams: [`127.0.0.1:${up.port}`], ...noHealth }],
      }),
    );
    expect(report.needsRestart).toEqual(['listen', 'admin', 'accessLog']);
    expect(balancer.spec.listen).toEqual(before.listen);
    expect(balancer.spec.admin).toEqual({ ...before.admin, token: 'a-new-token-of-16+' });
    expect('accessLog' in balancer.spec).toBe(false);
    expect('tls' in balancer.spec).toBe(false);
  });
});
