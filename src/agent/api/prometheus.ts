import { instanceStatus, worstOf } from '../../discovery/status.js';
import type { AgentContext, InstanceView } from '../context.js';
import type { Router } from '../http/router.js';
import { sendCachedRead } from './cached-read.js';
import { type NativeRoute, route } from './route-table.js';

/**
 * `/metrics`, and Prometheus's HTTP service discovery (`prometheusSd`, in the native table). http_sd wants exactly an array of
 * `{targets: ["host:port"], labels: {…}}` with string label values. One group per service:
 * labels apply to a whole group, so they say what the service shares (project, service, its
 * worst health); Prometheus names each target's `instance` after its address itself, and the
 * `__meta_portico_instances` label lists the catalog ids for relabelling.
 */
export function metricsRoute(router: Router, agent: AgentContext): void {
  router.add('GET', '/metrics', async ({ res }) => {
    const text = await agent.metrics.registry.metrics();
    res.writeHead(200, { 'content-type': agent.metrics.registry.contentType });
    res.end(text);
    return undefined;
  });
}

export const prometheusSd: NativeRoute = route({
  method: 'GET',
  path: '/api/v1/sd/prometheus',
  id: 'prometheusHttpSd',
  summary: 'Prometheus http_sd_configs targets: one group per service, labels project, service, health.',
  response: { status: 200, description: '`[{targets: ["host:port"], labels: {…}}]`' },
  handler: (agent, { req, res }) =>
    sendCachedRead(agent, req, res, ['sd'], ({ snapshot }) =>
      [...snapshot.byService]
        .map(([service, all]) => [service, all.filter((v) => v.instance.port > 0)] as const)
        .filter(([, list]) => list.length > 0)
        .map(([service, list]) => group(agent.project(), service, list)),
    ),
});

function group(project: string, service: string, list: readonly InstanceView[]) {
  const health = worstOf(list.map((v) => instanceStatus(v.instance, v.states)));
  const tags = [...new Set(list.flatMap((v) => v.instance.tags))].sort();
  return {
    targets: list.map(
      ({ instance: i }) => `${i.address.includes(':') ? `[${i.address}]` : i.address}:${i.port}`,
    ),
    labels: {
      project,
      service,
      health,
      __meta_portico_project: project,
      __meta_portico_service: service,
      __meta_portico_health: health,
      __meta_portico_instances: list.map((v) => v.instance.id).join(','),
      __meta_portico_tags: tags.length ? `,${tags.join(',')},` : '',
    },
  };
}
