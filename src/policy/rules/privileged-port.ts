import { bindText } from '../classify.js';
import type { Rule, Violation } from '../model.js';

export const privilegedPort: Rule = {
  id: 'privileged-port',
  defaultSeverity: 'warning',
  summary: 'A host port below 1024 is published: it needs root (or a lowered unprivileged-port start).',
  check(ctx) {
    const out: Violation[] = [];
    for (const service of ctx.services) {
      for (const port of service.ports) {
        const low = port.hostPort ?? port.hostPortRange?.start;
        if (low === undefined || low >= 1024) continue;
        out.push({
          message: `${service.name} publishes privileged host port ${low} (${bindText(port)}): use a port ≥ 1024 in development, a proxy in front in production`,
          service: service.name,
          port: low,
          location: ctx.locate.port(port),
        });
      }
    }
    return out;
  },
};
