import { isIP } from 'node:net';
import { type LbRoute, readLbRoutes } from '../lb-routes.js';
import type { Location, Rule, RuleContext, Violation } from '../model.js';

/** Names a route may send to: compose services (profiles included), container names, portico.yaml services. */
function knownServices(ctx: RuleContext): Set<string> {
  return new Set([
    ...ctx.services.flatMap((s) => (s.containerName ? [s.name, s.containerName] : [s.name])),
    ...(ctx.project.compose?.inactiveServices ?? []),
    ...Object.keys(ctx.project.manifest?.data.services ?? {}),
  ]);
}

function routePath(route: LbRoute): Array<string | number> {
  return [route.kind === 'http' ? 'routes' : 'tcp', route.index];
}

function label(route: LbRoute): string {
  return route.name ? `route ${route.name}` : `${route.kind === 'http' ? 'routes' : 'tcp'}[${route.index}]`;
}

/**
 * The project's portico-lb.yaml against the project: a route that sends to a service nobody
 * defines answers 502 (or nothing) from the first request; two routes with one name, or one
 * matcher, leave the second unreachable and make metrics and `lb` commands ambiguous.
 */
export const routeIntegrity: Rule = {
  id: 'route-integrity',
  defaultSeverity: 'error',
  summary:
    'A balancer route (portico-lb.yaml) names a service the project does not define, or repeats the name, host and path, or listen address of another route.',
  check(ctx) {
    const lb = readLbRoutes(ctx.project.dir);
    if (!lb) return [];
    const at = (path: Array<string | number>): Location =>
      ctx.locate.at(lb.file, path) ?? { file: lb.file, line: 1, col: 1 };
    if (lb.error) return [{ message: `${lb.file} is not valid YAML: ${lb.error}`, location: at([]) }];
    const out: Violation[] = [];
    const known = knownServices(ctx);
    const list = [
      ...new Set([
        ...ctx.services.map((s) => s.name),
        ...Object.keys(ctx.project.manifest?.data.services ?? {}),
      ]),
    ]
      .sort()
      .join(', ');
    const firstBy = new Map<string, LbRoute>();
    const repeat = (
      key: string,
      route: LbRoute,
      path: Array<string | number>,
      what: string,
      consequence: string,
    ): void => {
      const first = firstBy.get(key);
      if (!first) {
        firstBy.set(key, route);
        return;
      }
      const firstLine = ctx.locate.at(lb.file, routePath(first))?.line;
      out.push({
        message: `${label(route)} ${what} as ${label(first)}${firstLine ? ` (line ${firstLine})` : ''}: ${consequence}`,
        location: at(path),
      });
    };
    for (const route of lb.routes) {
      const path = routePath(route);
      if (route.name)
        repeat(
          `name ${route.name}`,
          route,
          [...path, 'name'],
          'has the same name',
          'give each route its own name',
        );
      if (route.kind === 'http') {
        const matcher = `${(route.host ?? '*').toLowerCase()} ${route.pathPrefix ?? '/'}`;
        repeat(
          `http ${matcher}`,
          route,
          [...path, route.host ? 'host' : route.pathPrefix ? 'pathPrefix' : 'name'],
          `matches the same host and path (${route.host ?? 'any host'} ${route.pathPrefix ?? '/'})`,
          'the second never receives a request; merge the two or change one',
        );
      } else if (route.listen) {
        repeat(
          `listen ${route.listen}`,
          route,
          [...path, 'listen'],
          `listens on the same address (${route.listen})`,
          'the balancer cannot bind it twice; give it its own port',
        );
      }
      if (route.service && !known.has(route.service)) {
        out.push({
          message: `${label(route)} sends to service "${route.service}", which the project does not define${list ? ` (services: ${list})` : ''}: fix the name or declare the service`,
          service: route.service,
          location: at([...path, 'service']),
        });
      }
      for (const up of route.upstreams) {
        // Compose service names are single DNS labels; a dotted name or an address is outside the project.
        const host = up.host.toLowerCase();
        if (isIP(host) || host.includes('.') || host === 'localhost' || known.has(up.host)) continue;
        out.push({
          message: `${label(route)} has upstream ${up.host}${up.port ? `:${up.port}` : ''}, but no service of the project is named ${up.host}${list ? ` (services: ${list})` : ''}: the name will not resolve on the compose network`,
          service: up.host,
          ...(up.port ? { port: up.port } : {}),
          location: at([...path, 'upstreams', up.index]),
        });
      }
    }
    return out;
  },
};
