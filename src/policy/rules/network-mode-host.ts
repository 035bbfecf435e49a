import type { Rule, Violation } from '../model.js';
import { serviceLocation } from './service-location.js';

export const networkModeHost: Rule = {
  id: 'network-mode-host',
  defaultSeverity: 'error',
  summary: "A service uses network_mode: host: every port it opens is on the host's interfaces.",
  check(ctx) {
    const out: Violation[] = [];
    for (const service of ctx.services.filter((s) => s.networkMode === 'host')) {
      const location = serviceLocation(ctx, service, 'network_mode');
      out.push({
        message: `${service.name} uses network_mode: host: whatever it listens on is exposed on every host interface and bypasses port mappings; use a network and publish the ports it needs`,
        service: service.name,
        ...(location ? { location } : {}),
      });
    }
    return out;
  },
};
