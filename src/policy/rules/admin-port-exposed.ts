import { adminReason, beyondLoopback, bindText } from '../classify.js';
import type { Rule, Violation } from '../model.js';
import { exposureAllowed } from './exposure.js';

export const adminPortExposed: Rule = {
  id: 'admin-port-exposed',
  defaultSeverity: 'error',
  summary: 'An admin or debug port (management UI, debugger, control API) is published beyond loopback.',
  check(ctx) {
    const out: Violation[] = [];
    for (const service of ctx.services) {
      for (const port of service.ports) {
        const reason = adminReason(service, port);
        if (!reason || !beyondLoopback(port) || exposureAllowed(ctx, service, port)) continue;
        out.push({
          message: `${service.name} publishes ${reason} on ${bindText(port)}: bind it to 127.0.0.1`,
          service: service.name,
          ...(port.hostPort !== undefined ? { port: port.hostPort } : {}),
          location: ctx.locate.port(port),
        });
      }
    }
    return out;
  },
};
