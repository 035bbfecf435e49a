import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import { parseDuration } from '../../core/duration.js';
import type { HealthStatus } from '../../core/model.js';
import { mayWrite } from '../access.js';
import { type AgentContext, type InstanceView, readSnapshot } from '../context.js';
import { ApiError, type RouteContext, type Router, readJson, sendJson } from '../http/router.js';
import { cachedBody, type ReadState, sendBody, serviceSummaries } from './cached-read.js';
import { badRequest } from './checks-input.js';
import { parseFilter } from './consul-filter.js';
import { consulRegistration, fromConsul } from './consul-register.js';
import {
  catalogEntry,
  consulCheck,
  consulCheckId,
  healthEntry,
  localNode,
  serfHealth,
} from './consul-shapes.js';

const defaultWaitMs = 5 * 60_000;
const maxWaitMs = 10 * 60_000;
const consulVersion = '1.17.0';

/**
 * The subset of Consul's HTTP API that service-discovery consumers use (Prometheus
 * consul_sd_configs, Traefik's consulCatalog, client libraries), with Consul's field names,
 * plain-text errors and blocking queries on the catalog's change index.
 */
export function consulRoutes(router: Router, agent: AgentContext): void {
  const node = (): ReturnType<typeof localNode> =>
    localNode(
      agent
        .address()
        .replace(/:\d+$/, '')
        .replace(/^\[|\]$/g, ''),
    );
  const get = (path: string, handler: (ctx: RouteContext) => Promise<unknown>): void => {
    router.add(
      'GET',
      path,
      async (ctx) => {
        await block(agent, ctx);
        // The index is read before the data: a change in between makes the client ask again
        // (harmless) instead of missing it. The store's index covers this process's own writes
        // before the watch has reported them.
        const index = Math.max(agent.feed.index, await agent.store().index());
        const body = await handler(ctx);
        sendConsul(ctx.res, index, body);
        return undefined;
      },
      'text',
    );
  };
  const put = (path: string, handler: (ctx: RouteContext) => Promise<unknown>): void => {
    router.add(
      'PUT',
      path,
      async (ctx) => {
        if (!mayWrite(agent.access, ctx.req.headers))
          throw new ApiError(403, 'E_API_UNAUTHORIZED', 'Permission denied');
        const body = await handler(ctx);
        sendConsul(ctx.res, Math.max(agent.feed.index, await agent.store().index()), body ?? null);
        return undefined;
      },
      'text',
    );
  };

  get('/v1/agent/self', async () => {
    const n = node();
    return {
      Config: {
        Datacenter: n.datacenter,
        PrimaryDatacenter: n.datacenter,
        NodeName: n.name,
        NodeID: n.id,
        Server: false,
        Revision: 'portico',
        Version: consulVersion,
      },
      DebugConfig: {},
      Coord: null,
      Member: {
        Name: n.name,
        Addr: n.address,
        Port: 8301,
        Tags: { dc: n.datacenter, role: 'node' },
        Status: 1,
      },
      Meta: { 'portico-project': agent.project() },
      Stats: {},
      xDS: null,
    };
  });

  get('/v1/status/leader', async () => `${node().address}:8300`);

  // The catalog reads: one body per version, feed index and shaping parameters, shared by every
  // client that asks the same (100 blocking queries woken by one change compute it once).
  const read = (
    path: string,
    shape: (url: URL) => unknown[],
    make: (ctx: RouteContext, state: ReadState) => unknown,
  ): void => {
    router.add(
      'GET',
      path,
      async (ctx) => {
        await block(agent, ctx);
        const feedIndex = agent.feed.index;
        const { body, snapshot } = await cachedBody(agent, [path, ctx.params, ...shape(ctx.url)], (state) =>
          make(ctx, state),
        );
        // The version's index was read from the store for this request, before its data was
        // loaded: a change in between makes the client ask again instead of missing it.
        sendBody(ctx.req, ctx.res, body, consulHeaders(Math.max(feedIndex, snapshot.index)));
        return undefined;
      },
      'text',
    );
  };

  read(
    '/v1/catalog/services',
    () => [],
    (_ctx, { snapshot }) => Object.fromEntries(serviceSummaries(snapshot).map((s) => [s.name, s.tags])),
  );

  read('/v1/catalog/service/:name', catalogQuery, ({ params, url }, { snapshot, feedIndex }) => {
    const n = node();
    return filtered(
      url,
      filterTags(snapshot.service(params.name!), url).map((v) => catalogEntry(n, feedIndex, v)),
    );
  });

  read(
    '/v1/health/service/:name',
    (url) => [...catalogQuery(url), passingOnly(url)],
    ({ params, url }, { snapshot, feedIndex }) => {
      const n = node();
      const entries = filterTags(snapshot.service(params.name!), url).map((v) =>
        healthEntry(n, feedIndex, v),
      );
      return filtered(
        url,
        passingOnly(url) ? entries.filter((e) => e.Checks.every((c) => c.Status === 'passing')) : entries,
      );
    },
  );

  read(
    '/v1/health/state/:state',
    (url) => [url.searchParams.get('filter')],
    ({ params, url }, { snapshot, feedIndex }) => {
      const wanted = params.state!;
      if (!['any', 'passing', 'warning', 'critical'].includes(wanted))
        throw new ApiError(400, 'E_API_BAD_REQUEST', 'Bad state');
      const n = node();
      const checks = [
        serfHealth(n, feedIndex),
        ...snapshot.views.flatMap((v) => v.instance.checks.map((c) => consulCheck(n, feedIndex, v, c))),
      ];
      return filtered(url, wanted === 'any' ? checks : checks.filter((c) => c.Status === wanted));
    },
  );

  put('/v1/agent/service/register', async ({ req }) => {
    const parsed = consulRegistration.safeParse(await readJson(req));
    if (!parsed.success) throw badRequest('Request decode failed', parsed.error);
    const { instance, initial } = fromConsul(parsed.data, agent.secrets());
    const store = agent.store();
    await store.register(instance);
    for (const { checkId, status } of initial)
      await agent.reportTtl({ instanceId: instance.id, checkId, status, output: '', at: Date.now() });
    return null;
  });

  put('/v1/agent/service/deregister/:id', async ({ params }) => {
    if (!(await agent.store().deregister(params.id!)))
      throw new ApiError(
        404,
        'E_INSTANCE_UNKNOWN',
        `Unknown service ID "${params.id}". Ensure that the service ID is passed, not the service name.`,
      );
    return null;
  });

  for (const [verb, status] of [
    ['pass', 'passing'],
    ['warn', 'warning'],
    ['fail', 'critical'],
  ] as Array<[string, HealthStatus]>) {
    put(`/v1/agent/check/${verb}/:id`, async ({ params, url }) => {
      await reportTtl(agent, params.id!, status, url.searchParams.get('note') ?? '');
      return null;
    });
  }

  const update = z.looseObject({
    Status: z.enum(['passing', 'warning', 'critical']),
    Output: z.string().optional(),
  });
  put('/v1/agent/check/update/:id', async ({ params, req }) => {
    const parsed = update.safeParse(await readJson(req));
    if (!parsed.success) throw badRequest('Request decode failed', parsed.error);
    await reportTtl(agent, params.id!, parsed.data.Status, parsed.data.Output ?? '');
    return null;
  });
}

async function reportTtl(
  agent: AgentContext,
  checkId: string,
  status: HealthStatus,
  output: string,
): Promise<void> {
  const matches = (await readSnapshot(agent.store())).views.flatMap((v) =>
    v.instance.checks.filter((c) => consulCheckId(v.instance, c) === checkId).map((c) => ({ v, c })),
  );
  if (matches.length === 0)
    throw new ApiError(
      404,
      'E_API_NOT_FOUND',
      `Unknown check ID "${checkId}". Ensure that the check ID is passed, not the check name.`,
    );
  if (matches.length > 1)
    throw new ApiError(
      400,
      'E_API_BAD_REQUEST',
      `check ID "${checkId}" is ambiguous: ${matches.length} instances have it`,
    );
  const { v, c } = matches[0]!;
  if (c.kind !== 'ttl')
    throw new ApiError(400, 'E_API_BAD_REQUEST', `CheckID "${checkId}" does not have associated TTL`);
  await agent.reportTtl({ instanceId: v.instance.id, checkId: c.id, status, output, at: Date.now() });
}

/** The query parameters a catalog or health list depends on: tags (any order) and the filter. */
function catalogQuery(url: URL): unknown[] {
  return [url.searchParams.getAll('tag').sort(), url.searchParams.get('filter')];
}

/** `?passing` (any value but "false"): only entries whose every check passes. */
function passingOnly(url: URL): boolean {
  return url.searchParams.has('passing') && url.searchParams.get('passing') !== 'false';
}

/** `?filter=` (the basics of Consul's expression language) applied to the response entries. */
function filtered<T>(url: URL, entries: T[]): T[] {
  const text = url.searchParams.get('filter');
  return text ? entries.filter(parseFilter(text)) : entries;
}

/** Services must carry every `tag` given (the parameter repeats). */
function filterTags(list: readonly InstanceView[], url: URL): readonly InstanceView[] {
  const tags = url.searchParams.getAll('tag');
  return tags.length === 0 ? list : list.filter((v) => tags.every((t) => v.instance.tags.includes(t)));
}

/**
 * A blocking query: with `?index=N`, hold the request until the catalog's change index passes N
 * or `wait` (default 5m, at most 10m) runs out; the response then carries the new index.
 */
async function block(agent: AgentContext, { url, res }: RouteContext): Promise<void> {
  const raw = url.searchParams.get('index');
  if (raw === null) return;
  const index = Number(raw);
  if (!Number.isInteger(index) || index < 0)
    throw new ApiError(400, 'E_API_BAD_REQUEST', `Invalid index "${raw}"`);
  let waitMs = defaultWaitMs;
  const wait = url.searchParams.get('wait');
  if (wait !== null) {
    try {
      waitMs = Math.min(parseDuration(wait, 'wait'), maxWaitMs);
    } catch {
      throw new ApiError(400, 'E_API_BAD_REQUEST', `Invalid wait time "${wait}"`);
    }
  }
  // One controller per query, its listeners removed when the wait ends: AbortSignal.any on the
  // agent's lifelong signal, and a 'close' that aborts after every answer, cost each of many
  // parked queries work (and the agent's signal a dependant) on every wake-up.
  if (agent.signal.aborted || res.destroyed) return;
  const stop = new AbortController();
  const abort = (): void => stop.abort();
  res.once('close', abort);
  agent.signal.addEventListener('abort', abort, { once: true });
  try {
    // Consul spreads wake-ups of many clients with a little jitter (wait / 16) on timeouts.
    await agent.feed.wait(index, waitMs + Math.floor(Math.random() * (waitMs / 16)), stop.signal);
  } finally {
    res.off('close', abort);
    agent.signal.removeEventListener('abort', abort);
  }
}

function sendConsul(res: ServerResponse, index: number, body: unknown): void {
  if (res.destroyed) return;
  sendJson(res, 200, body, consulHeaders(index));
}

function consulHeaders(index: number): Record<string, string> {
  return {
    'x-consul-index': String(Math.max(1, index)),
    'x-consul-knownleader': 'true',
    'x-consul-lastcontact': '0',
    'x-consul-effective-consistency': 'leader',
  };
}
