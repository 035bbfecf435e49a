import type { CheckDefinition, CheckState, HealthStatus, Instance } from '../../core/model.js';
import { instanceStatus, worstOf } from '../../discovery/status.js';
import type { CatalogSnapshot } from '../catalog-snapshot.js';
import { type AgentContext, type InstanceView, readSnapshot } from '../context.js';
import { ApiError } from '../http/router.js';
import { sendCachedRead, serviceSummaries } from './cached-read.js';
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
    handler: (agent, { req, res }) =>
      sendCachedRead(agent, req, res, ['services'], ({ snapshot, feedIndex, stale }) => ({
        project: agent.project(),
        index: feedIndex,
        // Last-known state: etcd did not answer, this is what the agent saw before.
        stale,
        services: serviceSummaries(snapshot),
      })),
  }),
  route({
    method: 'GET',
    path: '/api/v1/services/:name',
    id: 'getService',
    summary: 'One service and its instances.',
    response: { status: 200, description: 'The service with `instances`.' },
    handler: (agent, { params, req, res }) =>
      sendCachedRead(agent, req, res, ['service', params.name], ({ snapshot }) => {
        const list = snapshot.service(params.name!);
        if (list.length === 0)
          throw new ApiError(
            404,
            'E_API_NOT_FOUND',
            `no service "${params.name}" in project ${agent.project()}`,
          );
        return { ...serviceView(params.name!, list), instances: list.map(instanceView) };
      }),
  }),
  route({
    method: 'GET',
    path: '/api/v1/instances',
    id: 'listInstances',
    summary: 'The instances of the project with their checks and status.',
    query: instancesQuery,
    response: { status: 200, description: '`{project, index, stale, instances}`' },
    handler: (agent, { query, req, res }) =>
      sendCachedRead(agent, req, res, ['instances', query.service ?? null], (read) => ({
        project: agent.project(),
        index: read.feedIndex,
        stale: read.stale,
        instances: (query.service === undefined
          ? read.snapshot.views
          : read.snapshot.service(query.service)
        ).map(instanceView),
      })),
  }),
  route({
    method: 'GET',
    path: '/api/v1/instances/:id',
    id: 'getInstance',
    summary: 'One instance with its checks and status.',
    response: { status: 200, description: 'The instance.' },
    handler: (agent, { params, req, res }) =>
      sendCachedRead(agent, req, res, ['instance', params.id], ({ snapshot }) =>
        instanceView(found(agent, snapshot, params.id!)),
      ),
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
    handler: (agent, { req, res }) =>
      sendCachedRead(agent, req, res, ['checks'], ({ snapshot }) => ({
        project: agent.project(),
        checks: snapshot.views.flatMap((v) =>
          v.instance.checks.map((c) => checkView(v.instance, c, v.states)),
        ),
      })),
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

/** One instance from the shared version (never older than the store, like every read). */
async function viewOf(agent: AgentContext, id: string): Promise<InstanceView> {
  return found(agent, await readSnapshot(agent.store()), id);
}

function found(agent: AgentContext, snapshot: CatalogSnapshot, id: string): InstanceView {
  const view = snapshot.instance(id);
  if (!view)
    throw new ApiError(404, 'E_INSTANCE_UNKNOWN', `no instance "${id}" in project ${agent.project()}`);
  return view;
}

function serviceView(name: string, list: readonly InstanceView[]) {
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
