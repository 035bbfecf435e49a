import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Consul from 'consul';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp.js';
import { waitFor } from '../helpers/wait.js';
import { type AgentProcess, api, type Json, startAgent } from './agent-process.js';

/** The real `consul` npm client against the agent: the shapes and semantics Consul users rely on. */
describe('portico agent: Consul-compatible API with the consul client', () => {
  let agent: AgentProcess;
  let consul: Consul;
  let server: Server;
  let healthy = true;
  let port = 0;
  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.statusCode = healthy ? 200 : 500;
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
    agent = await startAgent(['--no-discover'], {
      env: { PORTICO_HOME: tempDir('portico-consul-home-') },
      cwd: tempDir('portico-consul-cwd-'),
    });
    consul = new Consul({ host: '127.0.0.1', port: agent.port });
  });
  afterAll(async () => {
    await agent?.stop();
    server?.close();
  });

  it('agent/self, status/leader', async () => {
    const self = (await consul.agent.self()) as Json;
    expect(self.Config).toMatchObject({ Datacenter: 'dc1', Server: false });
    expect(typeof self.Config.NodeName).toBe('string');
    expect(await consul.status.leader()).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it('registers a service with a TTL check; pass turns it passing in health/service?passing', async () => {
    await consul.agent.service.register({
      name: 'payments',
      id: 'payments-1',
      port: 7100,
      tags: ['v1', 'primary'],
      meta: { team: 'billing' },
      check: { ttl: '30s' } as Json,
    });
    const all = (await consul.health.service('payments')) as Json[];
    expect(all).toHaveLength(1);
    expect(all[0].Service).toMatchObject({
      ID: 'payments-1',
      Service: 'payments',
      Port: 7100,
      Tags: ['v1', 'primary'],
    });
    expect(all[0].Service.Meta).toEqual({ team: 'billing' });
    expect(all[0].Node).toMatchObject({ Datacenter: 'dc1', Address: '127.0.0.1' });
    const check = all[0].Checks.find((c: Json) => c.CheckID === 'service:payments-1');
    expect(check).toMatchObject({ Status: 'critical', ServiceID: 'payments-1', Type: 'ttl' });
    expect(await consul.health.service({ service: 'payments', passing: true })).toEqual([]);

    await waitFor(
      async () => {
        await consul.agent.check.pass({ id: 'service:payments-1', note: 'all good' });
        return ((await consul.health.service({ service: 'payments', passing: true })) as Json[]).length === 1;
      },
      { what: 'payments to pass' },
    );
    const passing = (await consul.health.state('passing')) as Json[];
    expect(passing.map((c) => c.CheckID)).toEqual(
      expect.arrayContaining(['serfHealth', 'service:payments-1']),
    );
    expect(passing.find((c) => c.CheckID === 'service:payments-1').Output).toBe('all good');

    await consul.agent.check.fail({ id: 'service:payments-1' });
    await waitFor(async () =>
      ((await consul.health.state('critical')) as Json[]).some((c) => c.CheckID === 'service:payments-1'),
    );
  });

  it('HTTP checks run against the service; catalog endpoints and tag filters', async () => {
    await consul.agent.service.register({
      name: 'web',
      id: 'web-1',
      address: '127.0.0.1',
      port,
      tags: ['blue'],
      check: { http: `http://127.0.0.1:${port}/health`, interval: '200ms', timeout: '1s' } as Json,
    });
    await consul.agent.service.register({
      name: 'web',
      id: 'web-2',
      address: '127.0.0.1',
      port: port + 1,
      tags: ['green'],
    });
    const services = (await consul.catalog.service.list()) as Json;
    expect(services.web).toEqual(['blue', 'green']);
    const nodes = (await consul.catalog.service.nodes('web')) as Json[];
    expect(nodes.map((n) => n.ServiceID).sort()).toEqual(['web-1', 'web-2']);
    expect(nodes[0]).toMatchObject({ ServiceName: 'web', Datacenter: 'dc1', ServiceAddress: '127.0.0.1' });
    const blue = (await consul.health.service({ service: 'web', tag: 'blue' })) as Json[];
    expect(blue.map((e) => e.Service.ID)).toEqual(['web-1']);
    const none = await api(`${agent.url}/v1/health/service/web?tag=blue&tag=green`);
    expect(none.body).toEqual([]);
    const filter = encodeURIComponent('"green" in Service.Tags and Service.Port != "0"');
    const green = await api(`${agent.url}/v1/health/service/web?filter=${filter}`);
    expect(green.body.map((e: Json) => e.Service.ID)).toEqual(['web-2']);
    const badFilter = await api(
      `${agent.url}/v1/catalog/service/web?filter=${encodeURIComponent('Tags = 1')}`,
    );
    expect(badFilter.status).toBe(400);
    await waitFor(
      async () =>
        ((await consul.health.service({ service: 'web', passing: true })) as Json[]).some(
          (e) => e.Service.ID === 'web-1',
        ),
      {
        what: 'web-1 passing by its HTTP check',
      },
    );
    healthy = false;
    await waitFor(
      async () =>
        !((await consul.health.service({ service: 'web', passing: true })) as Json[]).some(
          (e) => e.Service.ID === 'web-1',
        ),
      {
        what: 'web-1 critical after the server fails',
      },
    );
    healthy = true;
    await waitFor(
      async () =>
        ((await consul.health.service({ service: 'web', passing: true })) as Json[]).some(
          (e) => e.Service.ID === 'web-1',
        ),
      { what: 'web-1 passing again' },
    );
    // Leave the catalog quiet for the blocking-query test: a settled check no longer moves the
    // index, and the instances go.
    await consul.agent.service.deregister('web-1');
    await consul.agent.service.deregister('web-2');
  });

  it('refuses script checks and checks aimed at another host (400), registering nothing', async () => {
    const refusal = async (check: Json): Promise<{ status: number; body: string }> => {
      const error = (await consul.agent.service.register({ name: 'evil', id: 'evil-1', port: 1, check }).then(
        () => undefined,
        (e: unknown) => e,
      )) as Json;
      return { status: error?.response?.statusCode, body: String(error?.response?.body) };
    };
    expect(await refusal({ args: ['/bin/sh', '-c', 'id'], interval: '10s' })).toEqual({
      status: 400,
      body: expect.stringMatching(/script checks cannot be registered/),
    });
    expect(await refusal({ http: 'http://10.1.2.3/', interval: '10s' })).toEqual({
      status: 400,
      body: expect.stringMatching(/own address 127\.0\.0\.1, not 10\.1\.2\.3/),
    });
    expect(Object.keys((await consul.catalog.service.list()) as Json)).not.toContain('evil');
  });

  it('blocking queries: X-Consul-Index is never 0, only grows, and a change wakes the query', async () => {
    const first = await api(`${agent.url}/v1/catalog/services`);
    const index = Number(first.headers.get('x-consul-index'));
    expect(index).toBeGreaterThan(0);
    // Nothing changes: the query is held for its whole wait (a lower bound, never flaky).
    const quietStart = Date.now();
    const quiet = await api(`${agent.url}/v1/catalog/services?index=${index}&wait=300ms`);
    expect(Date.now() - quietStart).toBeGreaterThanOrEqual(290);
    expect(Number(quiet.headers.get('x-consul-index'))).toBe(index);

    // A change wakes a query waiting up to 30 s; the answer carries the new, larger index.
    const blocked = api(`${agent.url}/v1/catalog/services?index=${index}&wait=30s`);
    await consul.agent.service.register({ name: 'late', id: 'late-1', port: 7200 });
    const woke = await blocked;
    expect(Number(woke.headers.get('x-consul-index'))).toBeGreaterThan(index);
    expect(Object.keys(woke.body)).toContain('late');
  });

  it("the client's watch sees registrations and deregistrations", async () => {
    const seen: string[][] = [];
    const watch = consul.watch({ method: consul.catalog.service.list, options: { wait: '5s' } });
    watch.on('change', (data: Json) => seen.push(Object.keys(data).sort()));
    watch.on('error', () => {});
    try {
      await waitFor(() => seen.length >= 1, { what: 'the first watch result' });
      await consul.agent.service.register({ name: 'watched', id: 'watched-1', port: 7300 });
      await waitFor(() => seen.some((s) => s.includes('watched')), { what: 'watch to see watched' });
      await consul.agent.service.deregister('watched-1');
      await waitFor(() => !seen[seen.length - 1]!.includes('watched'), { what: 'watch to see it go' });
    } finally {
      watch.end();
    }
    const unknown = await api(`${agent.url}/v1/agent/service/deregister/nope`, { method: 'PUT' });
    expect(unknown.status).toBe(404);
  });
});
