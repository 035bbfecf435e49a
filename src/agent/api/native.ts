import type { CheckDefinition, CheckState, HealthStatus, Instance } from '../../core/model.js';
import { instanceStatus, worstOf } from '../../discovery/status.js';
import { type AgentContext, type InstanceView, readCatalog } from '../context.js';
import { ApiError } from '../http/router.js';
import { catalogRoute } from './catalog.js';
import { apiChecks } from './checks-input.js';
import { historyQuery, instancesQuery, registerBody, ttlBody } from './native-schemas.js';
import { openApiDocument } from './openapi.js';
import { prometheusSd } from './prometheus.js';
import { type NativeRoute, route } from './route-table.js';

const ttlVerbs: Array<[string, HealthStatus]> = [
  ['pass', 'passing'],
  ['warn', 'warning'],
  ['fail', 'critical'],
];

/** The Portico-native API under /api/v1/: one table, read by the router and by the OpenAPI document. */
export const nativeApi: NativeRoute[] = [
  route({
    method: 'GET',
    path: '/api/v1/agent',
    id: 'getAgent',
    summary: 'What this agent runs: pid, listen address, project, files, reloads.',
    response: { status: 200, description: 'The agent.' },
    handler: (agent) => agent.describe(),
  }),
  route({
    method: 'GET',
    path: '/api/v1/projects',
    id: 'listProjects',
    summary: 'The projects (catalog namespaces) in the store; `watched` marks the agent’s own.',
    response: { status: 200, description: '`{projects: [{name, watched}]}`' },
    handler: async (agent) => {
      const projects = await agent.store().listProjects();
      const current = agent.project();
      const names = projects.includes(current) ? projects : [current, ...projects];
      return { projects: names.sort().map((name) => ({ name, watched: name === current })) };
    },
  }),
  route({
    method: 'GET',
    path: '/api/v1/services',
    id: 'listServices',
    summary: 'The services of the project with their worst instance status.',
    response: {
      status: 200,
      description: '`{project, index, stale, services: [{name, tags, instances, status}]}`',
    },
    handler: async (agent) => {
      const views = await readCatalog(agent.store());
      const byService = new Map<string, InstanceView[]>();
      for (const v of views)
        byService.set(v.instance.service, [...(byService.get(v.instance.service) ?? []), v]);
      return {
        project: agent.project(),
        index: agent.feed.index,
        // Last-known state: etcd did not answer, this is what the agent saw before.
        stale: agent.cluster?.().stale ?? false,
        services: [...byService].map(([name, list]) => serviceView(name, list)),
      };
    },
  }),
  route({
    method: 'GET',
    path: '/api/v1/services/:name',
    id: 'getService',
    summary: 'One service and its instances.',
    response: { status: 200, description: 'The service with `instances`.' },
    handler: async (agent, { params }) => {
      const list = await readCatalog(agent.store(), params.name);
      if (list.length === 0)
        throw new ApiError(
          404,
          'E_API_NOT_FOUND',
          `no service "${params.name}" in project ${agent.project()}`,
        );
      return { ...serviceView(params.name!, list), instances: list.map(instanceView) };
    },
  }),
  route({
    method: 'GET',
    path: '/api/v1/instances',
    id: 'listInstances',
    summary: 'The instances of the project with their checks and status.',
    query: instancesQuery,
    response: { status: 200, description: '`{project, index, stale, instances}`' },
    handler: async (agent, { query }) => {
      const list = await readCatalog(agent.store(), query.service);
      return {
        project: agent.project(),
        index: agent.feed.index,
        stale: agent.cluster?.().stale ?? false,
        instances: list.map(instanceView),
      };
    },
  }),
  route({
    method: 'GET',
    path: '/api/v1/instances/:id',
    id: 'getInstance',
    summary: 'One instance with its checks and status.',
    response: { status: 200, description: 'The instance.' },
    handler: async (agent, { params }) => instanceView(await viewOf(agent, params.id!)),
  }),
  route({
    method: 'POST',
    path: '/api/v1/instances',
    id: 'registerInstance',
    summary: 'Register an instance (checks arrive with origin `api`: never a command).',
    write: true,
    body: { schema: registerBody, name: 'RegisterInstance', required: true },
    response: { status: 201, description: '`{registered: Instance}`' },
    handler: async (agent, { body: b }) => {
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
      return { registered: instance };
    },
  }),
  route({
    method: 'DELETE',
    path: '/api/v1/instances/:id',
    id: 'deregisterInstance',
    summary: 'Remove an instance from the catalog.',
    write: true,
    response: { status: 200, description: '`{deregistered: id}`' },
    handler: async (agent, { params }) => {
      const removed = await agent.store().deregister(params.id!);
      if (!removed)
        throw new ApiError(
          404,
          'E_INSTANCE_UNKNOWN',
          `no instance "${params.id}" in project ${agent.project()}`,
        );
      return { deregistered: params.id };
    },
  }),
  route({
    method: 'GET',
    path: '/api/v1/checks',
    id: 'listChecks',
    summary: 'Every check of the project with its state.',
    response: { status: 200, description: '`{project, checks}`' },
    handler: async (agent) => {
      const views = await readCatalog(agent.store());
      return {
        project: agent.project(),
        checks: views.flatMap((v) => v.instance.checks.map((c) => checkView(v.instance, c, v.states))),
      };
    },
  }),
  route({
    method: 'GET',
    path: '/api/v1/instances/:id/history',
    id: 'getInstanceHistory',
    summary: 'The status changes of an instance’s checks.',
    query: historyQuery,
    response: { status: 200, description: '`{instanceId, since, history}`' },
    handler: async (agent, { params, query }) => {
      await viewOf(agent, params.id!);
      const since = query.since ?? Date.now() - 86_400_000;
      return { instanceId: params.id, since, history: await agent.store().history(params.id!, since) };
    },
  }),
  ...ttlVerbs.map(([verb, status]) =>
    route({
      method: 'PUT',
      path: `/api/v1/instances/:id/checks/:check/${verb}`,
      id: `${verb}TtlCheck`,
      summary: `Report a TTL check as ${status}.`,
      write: true,
      body: { schema: ttlBody, name: 'TtlReport', required: false },
      response: { status: 200, description: '`{reported: TtlRecord}`' },
      handler: async (agent, { params, body }) => {
        const { instance } = await viewOf(agent, params.id!);
        const check = instance.checks.find((c) => c.id === params.check);
        if (check?.kind !== 'ttl')
          throw new ApiError(404, 'E_API_NOT_FOUND', `${instance.id} has no TTL check "${params.check}"`);
        const record = {
          instanceId: instance.id,
          checkId: check.id,
          status,
          output: body?.note ?? '',
          at: Date.now(),
        };
        await agent.reportTtl(record);
        return { reported: record };
      },
    }),
  ),
  route({
    method: 'GET',
    path: '/api/v1/alerts',
    id: 'getAlerts',
    summary: 'Alert rules, receivers (names and types, never URLs) and the alerts firing now.',
    response: { status: 200, description: '`{enabled, intervalMs, rules, receivers, evaluations, firing}`' },
    handler: (agent) => agent.alerts(),
  }),
  route({
    method: 'GET',
    path: '/api/v1/events',
    id: 'streamEvents',
    summary: 'Server-sent events: `catalog` (store changes) and `check` (settled transitions).',
    response: { status: 200, description: 'An event stream.', contentType: 'text/event-stream' },
    handler: (agent, { res }) => {
      agent.events.attach(res);
      return undefined;
    },
  }),
  catalogRoute,
  prometheusSd,
  route({
    method: 'GET',
    path: '/api/v1/openapi.json',
    id: 'getOpenApi',
    summary: 'This API as an OpenAPI 3.1 document, generated from the schemas the routes validate with.',
    response: { status: 200, description: 'The OpenAPI document.' },
    handler: () => openApiDocument(nativeApi),
  }),
];

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
