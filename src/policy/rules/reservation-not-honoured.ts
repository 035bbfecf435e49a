import type { Rule, Violation } from '../model.js';

/**
 * Reservations (`portico ports reserve`) are named `<service>` or `<service>:<containerPort>`
 * (the names `ports fix` uses). A compose port that ignores its own reservation, or takes a port
 * reserved for another name, defeats the point of reserving.
 */
export const reservationNotHonoured: Rule = {
  id: 'reservation-not-honoured',
  defaultSeverity: 'warning',
  summary:
    'A published host port differs from the port reserved for it, or takes a port reserved for another name.',
  check(ctx) {
    const out: Violation[] = [];
    const project = ctx.project.name;
    for (const service of ctx.services) {
      for (const port of service.ports) {
        if (port.hostPort === undefined) continue;
        const names = [`${service.name}:${port.containerPort}`, service.name];
        const own = ctx.reservations.find((r) => r.project === project && names.includes(r.name));
        const taken = ctx.reservations.find((r) => r.port === port.hostPort);
        let message: string | undefined;
        if (own && own.port !== port.hostPort) {
          message = `${service.name} publishes host port ${port.hostPort} but port ${own.port} is reserved for it ("${own.name}"): use ${own.port}`;
        } else if (taken && !(taken.project === project && names.includes(taken.name))) {
          message = `${service.name} publishes host port ${port.hostPort}, reserved for "${taken.name}" in project ${taken.project}: reserve a port for ${service.name} (portico ports reserve ${service.name}:${port.containerPort})`;
        }
        if (message) {
          out.push({ message, service: service.name, port: port.hostPort, location: ctx.locate.port(port) });
        }
      }
    }
    return out;
  },
};
