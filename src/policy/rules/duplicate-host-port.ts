import type { PublishedPort } from '../../compose/model.js';
import { addressScope } from '../../core/address.js';
import { bindText } from '../classify.js';
import type { PortRef, Rule, Violation } from '../model.js';

/** Two bindings collide when one is on every interface or both name the same address. */
function collide(a: PublishedPort, b: PublishedPort): boolean {
  if (a.protocol !== b.protocol) return false;
  const ipA = a.hostIp ?? '';
  const ipB = b.hostIp ?? '';
  return addressScope(ipA) === 'all' || addressScope(ipB) === 'all' || ipA === ipB;
}

export const duplicateHostPort: Rule = {
  id: 'duplicate-host-port',
  defaultSeverity: 'error',
  summary: 'Two port entries publish the same host port: the second container fails to start.',
  check(ctx) {
    const out: Violation[] = [];
    const seen: PortRef[] = [];
    for (const service of ctx.services) {
      for (const port of service.ports) {
        if (port.hostPort === undefined) continue;
        const first = seen.find((r) => r.port.hostPort === port.hostPort && collide(r.port, port));
        if (first) {
          const where = `${first.port.origin.file.split('/').pop()}:${first.port.origin.line}`;
          out.push({
            message: `${service.name} publishes host port ${port.hostPort} (${bindText(port)}), already published by ${first.service.name} (${where}): give one of them another port`,
            service: service.name,
            port: port.hostPort,
            location: ctx.locate.port(port),
          });
        } else {
          seen.push({ service, port });
        }
      }
    }
    return out;
  },
};
