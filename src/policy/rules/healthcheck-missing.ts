import type { Rule, Violation } from '../model.js';
import { serviceLocation } from './service-location.js';

export const healthcheckMissing: Rule = {
  id: 'healthcheck-missing',
  defaultSeverity: 'warning',
  summary: 'A service has no healthcheck (or it is disabled), so nothing waits for it to be ready.',
  check(ctx) {
    const required = ctx.policy.requireHealthcheck;
    const out: Violation[] = [];
    for (const service of ctx.services) {
      if (required === false || (Array.isArray(required) && !required.includes(service.name))) continue;
      if (service.healthcheck && !service.healthcheck.disabled) continue;
      const location = serviceLocation(ctx, service, 'healthcheck');
      out.push({
        message: `${service.name} has no ${service.healthcheck?.disabled ? 'enabled ' : ''}healthcheck: add one so depends_on (condition: service_healthy) and Portico can tell when it is ready`,
        service: service.name,
        ...(location ? { location } : {}),
      });
    }
    return out;
  },
};
