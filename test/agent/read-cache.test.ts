import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mountApi } from '../../src/agent/api/mount.js';
import { type AgentContext, invalidateCatalog, readSnapshot } from '../../src/agent/context.js';
import { ChangeFeed } from '../../src/agent/feed.js';
import { Router } from '../../src/agent/http/router.js';
import { EventHub } from '../../src/agent/http/sse.js';
import { createAgentMetrics } from '../../src/agent/metrics.js';
import type { Instance } from '../../src/core/model.js';
import { Monitor } from '../../src/discovery/monitor.js';
import { openStore, type Store } from '../../src/store/index.js';
import { tempDir } from '../helpers/tmp.js';
import { waitFor } from '../helpers/wait.js';

/**
 * The agent's API served from one catalog version at a time (bodies serialized once per version):
 * in-process with the real router, SQLite store, change feed and monitor, plus a second store
 * handle on the same file standing for another process (a CLI command) writing meanwhile.
 */
describe('agent reads: cached bodies are never older than the store', () => {
  let store: Store;
  let otherProcess: Store;
  let server: Server;
  let url: string;
  let stop: AbortController;
  let done: Promise<unknown>;
  /** Only the TTL test runs checks (elsewhere the test writes check states itself). */
  let monitor: Monitor | undefined;
  let feed: ChangeFeed;

  const instance = (id: string, service: string, tags: string[] = []): Instance => ({
    id,
    service,
    address: '127.0.0.1',
    port: 7000 + Number(id.replace(/\D/g, '') || 0),
    protocol: 'http',
    tags,
    meta: {},
    source: 'cli',
    checks: [],
  });

  beforeEach(async () => {
    const db = `sqlite://${join(tempDir('portico-read-cache-'), 'catalog.db')}`;
    store = await openStore(db, {}, 'shop');
    otherProcess = await openStore(db, {}, 'shop');
    stop = new AbortController();
    feed = new ChangeFeed();
    const events = new EventHub();
    feed.subscribe((event) => invalidateCatalog(store, event.index));
    done = feed.run(store, stop.signal).catch(() => undefined);
    const agent: AgentContext = {
      store: () => store,
      project: () => 'shop',
      secrets: () => ({ allowEnv: [] }),
      access: { exposed: false },
      feed,
      events,
      metrics: createAgentMetrics({
        project: 'shop',
        catalog: async () => (await readSnapshot(store)).views.slice(),
        index: () => feed.index,
        sseClients: () => events.size,
        startedAt: Date.now(),
      }),
      alerts: () => ({}) as never,
      describe: () => ({}),
      reportTtl: async (record) => {
        await store.reportTtl(record);
        monitor?.ttlReported(record);
      },
      address: () => '127.0.0.1:8500',
      startedAt: Date.now(),
      signal: stop.signal,
    };
    const router = new Router();
    mountApi(router, agent);
    server = createServer((req, res) => void router.handle(req, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    monitor = undefined;
    stop.abort();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await done;
    await store.close();
    await otherProcess.close();
  });

  const get = async (path: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${url}${path}`, { headers, signal: AbortSignal.timeout(10_000) });
    const text = await res.text();
    return { status: res.status, etag: res.headers.get('etag'), headers: res.headers, text };
  };
  const json = async (path: string) => JSON.parse((await get(path)).text);
  const send = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(10_000),
    });
    expect(res.status, await res.text()).toBeLessThan(300);
  };
  const names = (services: Array<{ name: string }>) => services.map((s) => s.name);
  const ids = (entries: Array<{ Service: { ID: string } }>) => entries.map((e) => e.Service.ID);

  it('shows a register, a deregister and a status change on the next read, through the API or another process', async () => {
    await send('POST', '/api/v1/instances', { id: 'a1', service: 'api', address: '127.0.0.1', port: 7001 });
    // Warm every cached body on this version first: the next reads must not be served from it.
    expect(names((await json('/api/v1/services')).services)).toEqual(['api']);
    expect(Object.keys(await json('/v1/catalog/services'))).toEqual(['api']);
    expect(ids(await json('/v1/health/service/api'))).toEqual(['a1']);

    await otherProcess.register(instance('w2', 'web'));
    expect(names((await json('/api/v1/services')).services)).toEqual(['api', 'web']);
    expect(Object.keys(await json('/v1/catalog/services'))).toEqual(['api', 'web']);
    expect((await json('/api/v1/instances?service=web')).instances.map((i: Instance) => i.id)).toEqual([
      'w2',
    ]);

    await send('DELETE', '/api/v1/instances/a1');
    expect(names((await json('/api/v1/services')).services)).toEqual(['web']);
    expect(ids(await json('/v1/health/service/api'))).toEqual([]);

    await otherProcess.register({
      ...instance('w3', 'web'),
      checks: [{ id: 'ttl', kind: 'ttl', ttlMs: 60_000 } as Instance['checks'][number]],
    });
    expect(ids(await json('/v1/health/service/web?passing'))).toEqual(['w2']);
    await otherProcess.putCheckState({
      instanceId: 'w3',
      checkId: 'ttl',
      status: 'passing',
      output: 'ok',
      since: Date.now(),
    });
    expect(ids(await json('/v1/health/service/web?passing'))).toEqual(['w2', 'w3']);
    expect((await json('/api/v1/services')).services[0].status).toBe('passing');

    await otherProcess.deregister('w2');
    expect(ids(await json('/v1/health/service/web'))).toEqual(['w3']);
    expect((await json('/api/v1/instances/w3')).status).toBe('passing');
  });

  it('shows a TTL report once the monitor has settled it in the store', async () => {
    const running = new Monitor({
      store,
      sources: [],
      env: {},
      signal: stop.signal,
      onError: () => {},
      // As the agent does: a settled check whose status did not move the index still shows.
      onEvent: () => invalidateCatalog(store),
    });
    monitor = running;
    done = Promise.allSettled([done, running.run()]);
    await send('PUT', '/v1/agent/service/register', {
      Name: 'pay',
      ID: 'pay-1',
      Port: 7100,
      Check: { TTL: '30s' },
    });
    const before = await json('/v1/health/state/critical');
    expect(before.map((c: { CheckID: string }) => c.CheckID)).toContain('service:pay-1');
    // The monitor picks the registration up from the watch; a report before that has no check to settle.
    await waitFor(() => running.current().some((v) => v.instance.id === 'pay-1'), {
      what: 'the monitor to schedule the new check',
    });
    await send('PUT', '/v1/agent/check/pass/service:pay-1?note=fine');
    // Poll the store, not the API: once the store holds it, the very next read must show it.
    await waitFor(async () => (await store.checkStates('pay-1'))[0]?.status === 'passing', {
      what: 'the monitor to settle the TTL check',
    });
    const passing = await json('/v1/health/state/passing');
    expect(passing.find((c: { CheckID: string }) => c.CheckID === 'service:pay-1')?.Output).toBe('fine');
    expect(ids(await json('/v1/health/service/pay?passing=true'))).toEqual(['pay-1']);
  });

  it('serves the same bytes as a fresh computation, and distinct queries get distinct bodies', async () => {
    await otherProcess.register(instance('a1', 'api', ['v1', 'blue']));
    await otherProcess.register(instance('a2', 'api', ['v2']));
    await otherProcess.register({
      ...instance('a3', 'api', ['v1']),
      checks: [{ id: 'ttl', kind: 'ttl', ttlMs: 60_000 } as Instance['checks'][number]],
    });
    const byId = `/v1/health/service/api?filter=${encodeURIComponent('Service.ID == "a2"')}`;
    const paths = [
      '/v1/health/service/api',
      '/v1/health/service/api?tag=v1',
      '/v1/health/service/api?tag=v1&tag=blue',
      '/v1/health/service/api?passing',
      '/v1/health/service/api?passing=false',
      byId,
      '/v1/catalog/service/api?tag=v2',
      '/v1/health/state/any',
      '/v1/health/state/critical',
      '/api/v1/instances',
      '/api/v1/instances?service=api',
      '/api/v1/services',
    ];
    // Consul bodies carry the feed's index: let the watch catch up so it stays put meanwhile.
    const storeIndex = await store.index();
    await waitFor(() => feed.index >= storeIndex, { what: 'the watch to report the writes' });
    const first = new Map<string, string>();
    for (const p of paths) first.set(p, (await get(p)).text);
    // Served again from the cache (same version): the very same bytes.
    for (const p of paths) expect((await get(p)).text, p).toBe(first.get(p));
    // A fresh load of the catalog (the cache dropped) computes the same bodies.
    invalidateCatalog(store);
    for (const p of paths) expect((await get(p)).text, p).toBe(first.get(p));

    const body = (p: string) => JSON.parse(first.get(p)!);
    expect(ids(body('/v1/health/service/api'))).toEqual(['a1', 'a2', 'a3']);
    expect(ids(body('/v1/health/service/api?tag=v1'))).toEqual(['a1', 'a3']);
    expect(ids(body('/v1/health/service/api?tag=v1&tag=blue'))).toEqual(['a1']);
    expect(ids(body('/v1/health/service/api?passing'))).toEqual(['a1', 'a2']);
    expect(ids(body('/v1/health/service/api?passing=false'))).toEqual(['a1', 'a2', 'a3']);
    expect(ids(body(byId))).toEqual(['a2']);
    expect(body('/v1/catalog/service/api?tag=v2').map((e: { ServiceID: string }) => e.ServiceID)).toEqual([
      'a2',
    ]);
    // Tags in another order are the same question: the same body.
    expect((await get('/v1/health/service/api?tag=blue&tag=v1')).text).toBe(
      first.get('/v1/health/service/api?tag=v1&tag=blue'),
    );
  });

  it('answers a matching If-None-Match with 304, and a changed catalog with a new ETag', async () => {
    await otherProcess.register(instance('a1', 'api'));
    const first = await get('/api/v1/services');
    expect(first.etag).toMatch(/^"[\w-]+"$/);
    const again = await get('/api/v1/services', { 'if-none-match': first.etag! });
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
    await otherProcess.register(instance('b2', 'billing'));
    const changed = await get('/api/v1/services', { 'if-none-match': first.etag! });
    expect(changed.status).toBe(200);
    expect(changed.etag).not.toBe(first.etag);
    expect(names(JSON.parse(changed.text).services)).toEqual(['api', 'billing']);
  });

  it('wakes blocking queries on a change with the new body and a higher index', async () => {
    await otherProcess.register(instance('a1', 'api'));
    const start = await get('/v1/health/service/api');
    const index = Number(start.headers.get('x-consul-index'));
    expect(index).toBeGreaterThan(0);
    const waiting = Array.from({ length: 20 }, () => get(`/v1/health/service/api?index=${index}&wait=20s`));
    await otherProcess.register(instance('a2', 'api'));
    const woken = await Promise.all(waiting);
    for (const w of woken) {
      expect(Number(w.headers.get('x-consul-index'))).toBeGreaterThan(index);
      expect(ids(JSON.parse(w.text))).toEqual(['a1', 'a2']);
      // One body for all of them.
      expect(w.text).toBe(woken[0]!.text);
    }
    // …computed once: the version they read holds that one body and nothing else.
    expect((await readSnapshot(store)).bodyStats).toMatchObject({ entries: 1 });
  });
});
