import { beyondLoopback, bindText, datastoreReason } from '../classify.js';
import type { Rule, Violation } from '../model.js';
import { exposureAllowed } from './exposure.js';

export const datastoreExposed: Rule = {
  id: 'datastore-exposed',
  defaultSeverity: 'error',
  summary: 'A database, cache or broker port is published beyond loopback.',
  check(ctx) {
    const out: Violation[] = [];
    for (const service of ctx.services) {
      for (const port of service.ports) {
        const reason = datastoreReason(service, port);
        if (!reason || !beyondLoopback(port) || exposureAllowed(ctx, service, port)) continue;
        out.push({
          message: `${service.name} publishes ${reason} on ${bindText(port)}: reachable from other hosts; bind it to 127.0.0.1 ("127.0.0.1:${port.hostPort ?? port.containerPort}:${port.containerPort}") or drop the mapping`,
          service: service.name,
          ...(port.hostPort !== undefined ? { port: port.hostPort } : {}),
          location: ctx.locate.port(port),
        });
      }
    }
    return out;
  },
};
