import { z } from 'zod';
import type { CheckDefinition, CheckState, HealthStatus, Instance } from '../../core/model.js';
import { instanceStatus, worstOf } from '../../discovery/status.js';
import { mayWrite } from '../access.js';
import { type AgentContext, type InstanceView, readCatalog } from '../context.js';
import { ApiError, type RouteContext, type Router, readJson } from '../http/router.js';
import { apiChecks, badRequest } from './checks-input.js';

const registerBody = z.strictObject({
  id: z.string().min(1).max(200).optional(),
  service: z
    .string()
    .max(100)
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'letters, digits, "_", "." and "-"'),
  address: z.string().min(1).max(255).default('127.0.0.1'),
  port: z.number().int().min(1).max(65535),
  protocol: z.enum(['tcp', 'udp', 'http', 'https', 'grpc', 'postgres', 'redis', 'mysql']).default('tcp'),
  tags: z.array(z.string().max(200)).max(64).default([]),
  meta: z.record(z.string(), z.string()).default({}),
  checks: z
    .array(z.union([z.string(), z.record(z.string(), z.unknown())]))
    .max(32)
    .default([]),
});

const ttlBody = z.strictObject({ note: z.string().max(4096).optional() }).optional();

/** Refuse a write without the token (when one is configured). */
export function requireWrite(agent: AgentContext, ctx: RouteContext): void {
  if (!mayWrite(agent.access, ctx.req.headers))
    throw new ApiError(
      401,
      'E_API_UNAUTHORIZED',
      'this agent needs a token for writes (Authorization: Bearer)',
    );
}

/** The Portico-native API under /api/v1/. */
export function nativeRoutes(router: Router, agent: AgentContext): void {
  router.add('GET', '/api/v1/projects', async () => {
    const projects = await agent.store().listProjects();
    const current = agent.project();
    const names = projects.includes(current) ? projects : [current, ...projects];
    return { projects: names.sort().map((name) => ({ name, watched: name === current })) };
  });

  router.add('GET', '/api/v1/services', async () => {
    const views = await readCatalog(agent.store());
    const byService = new Map<string, InstanceView[]>();
    for (const v of views)
      byService.set(v.instance.service, [...(byService.get(v.instance.service) ?? []), v]);
    return {
      project: agent.project(),
      index: agent.feed.index,
      stale: agent.cluster?.().stale ?? false,
      services: [...byService].map(([name, list]) => serviceView(name, list)),
    };
  });

  router.add('GET', '/api/v1/services/:name', async ({ params }) => {
    const list = await readCatalog(agent.store(), params.name);
    if (list.length === 0)
      throw new ApiError(404, 'E_API_NOT_FOUND', `no service "${params.name}" in project ${agent.project()}`);
    return { ...serviceView(params.name!, list), instances: list.map(instanceView) };
  });

  router.add('GET', '/api/v1/instances', async ({ url }) => {
    const service = url.searchParams.get('service') ?? undefined;
    const list = await readCatalog(agent.store(), service);
    return {
      project: agent.project(),
      index: agent.feed.index,
      // Last-known state: etcd did not answer, this is what the agent saw before.
      stale: agent.cluster?.().stale ?? false,
      instances: list.map(instanceView),
    };
  });

  router.add('GET', '/api/v1/instances/:id', async ({ params }) =>
    instanceView(await viewOf(agent, params.id!)),
  );

  router.add('POST', '/api/v1/instances', async (ctx) => {
    requireWrite(agent, ctx);
    const parsed = registerBody.safeParse(await readJson(ctx.req));
    if (!parsed.success) throw badRequest('body', parsed.error);
    const b = parsed.data;
    const instance: Instance = {
      id: b.id ?? `api:${b.service}:${b.address}:${b.port}`,
      service: b.service,
      address: b.address,
      port: b.port,
      protocol: b.protocol,
      tags: b.tags,
      meta: b.meta,
      source: 'api',
      checks: apiChecks(b.checks, agent.secrets()),
    };
    await agent.store().register(instance);
    ctx.res.statusCode = 201;
    return { registered: instance };
  });

  router.add('DELETE', '/api/v1/instances/:id', async (ctx) => {
    requireWrite(agent, ctx);
    const removed = await agent.store().deregister(ctx.params.id!);
    if (!removed)
      throw new ApiError(
        404,
        'E_INSTANCE_UNKNOWN',
        `no instance "${ctx.params.id}" in project ${agent.project()}`,
      );
    return { deregistered: ctx.params.id };
  });

  router.add('GET', '/api/v1/checks', async () => {
    const views = await readCatalog(agent.store());
    return {
      project: agent.project(),
      checks: views.flatMap((v) => v.instance.checks.map((c) => checkView(v.instance, c, v.states))),
    };
  });

  router.add('GET', '/api/v1/instances/:id/history', async ({ params, url }) => {
    await viewOf(agent, params.id!);
    const since = Number(url.searchParams.get('since') ?? Date.now() - 86_400_000);
    if (!Number.isFinite(since)) throw new ApiError(400, 'E_API_BAD_REQUEST', 'since: epoch milliseconds');
    return { instanceId: params.id, since, history: await agent.store().history(params.id!, since) };
  });

  for (const [verb, status] of [
    ['pass', 'passing'],
    ['warn', 'warning'],
    ['fail', 'critical'],
  ] as Array<[string, HealthStatus]>) {
    router.add('PUT', `/api/v1/instances/:id/checks/:check/${verb}`, async (ctx) => {
      requireWrite(agent, ctx);
      const body = ttlBody.safeParse(await readJson(ctx.req));
      if (!body.success) throw badRequest('body', body.error);
      const { instance } = await viewOf(agent, ctx.params.id!);
      const check = instance.checks.find((c) => c.id === ctx.params.check);
      if (check?.kind !== 'ttl')
        throw new ApiError(404, 'E_API_NOT_FOUND', `${instance.id} has no TTL check "${ctx.params.check}"`);
      const record = {
        instanceId: instance.id,
        checkId: check.id,
        status,
        output: body.data?.note ?? '',
        at: Date.now(),
      };
      await agent.reportTtl(record);
      return { reported: record };
    });
  }

  router.add('GET', '/api/v1/events', ({ res }) => {
    agent.events.attach(res);
    return undefined;
  });
}

async function viewOf(agent: AgentContext, id: string): Promise<InstanceView> {
  const store = agent.store();
  const instance = await store.getInstance(id);
  if (!instance)
    throw new ApiError(404, 'E_INSTANCE_UNKNOWN', `no instance "${id}" in project ${agent.project()}`);
  return { instance, states: await store.checkStates(id) };
}

function serviceView(name: string, list: InstanceView[]) {
  return {
    name,
    tags: [...new Set(list.flatMap((v) => v.instance.tags))].sort(),
    instances: list.length,
    status: worstOf(list.map((v) => instanceStatus(v.instance, v.states))),
  };
}

export function instanceView(v: InstanceView) {
  return {
    ...v.instance,
    status: instanceStatus(v.instance, v.states),
    checks: v.instance.checks.map((c) => checkView(v.instance, c, v.states)),
  };
}

function checkView(instance: Instance, check: CheckDefinition, states: CheckState[]) {
  const state = states.find((s) => s.checkId === check.id);
  return {
    instanceId: instance.id,
    service: instance.service,
    checkId: check.id,
    kind: check.kind,
    origin: check.origin ?? null,
    intervalMs: check.intervalMs,
    status: state?.status ?? 'unknown',
    output: state?.output ?? '',
    ...(state?.reason ? { reason: state.reason } : {}),
    since: state?.since ?? null,
    lastResult: state?.lastResult ?? null,
  };
}
