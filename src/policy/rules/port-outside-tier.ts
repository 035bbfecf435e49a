import { bindText } from '../classify.js';
import type { Rule, Violation } from '../model.js';

export const portOutsideTier: Rule = {
  id: 'port-outside-tier',
  defaultSeverity: 'error',
  summary: "A service publishes a host port outside its tier's range (policy.tiers).",
  check(ctx) {
    const out: Violation[] = [];
    for (const [tierName, tier] of Object.entries(ctx.policy.tiers)) {
      const { start, end } = tier.ports;
      for (const service of ctx.services.filter((s) => tier.services.includes(s.name))) {
        for (const port of service.ports) {
          const low = port.hostPort ?? port.hostPortRange?.start;
          const high = port.hostPort ?? port.hostPortRange?.end;
          if (low === undefined || high === undefined) continue; // Docker picks an ephemeral port
          if (low >= start && high <= end) continue;
          out.push({
            message: `${service.name} (tier ${tierName}, ports ${start}-${end}) publishes ${bindText(port)}: pick a host port in ${start}-${end}`,
            service: service.name,
            ...(port.hostPort !== undefined ? { port: port.hostPort } : {}),
            location: ctx.locate.port(port),
          });
        }
      }
    }
    return out;
  },
};
