import type { ComposeService } from '../../compose/model.js';
import { isLoopbackAddress } from '../../core/address.js';
import type { Location, Rule, RuleContext, Violation } from '../model.js';
import { type ConnectionRef, connectionRefs } from './connection-refs.js';
import { serviceLocation } from './service-location.js';

/** Who a host (and port) written in a connection string names, among one tier's services. */
function targetIn(ctx: RuleContext, tier: string, ref: ConnectionRef): string | undefined {
  const members = new Set(ctx.policy.tiers[tier]?.services ?? []);
  const host = ref.host.toLowerCase();
  const loopback = host === 'localhost' || host === 'host.docker.internal' || isLoopbackAddress(host);
  for (const service of ctx.services.filter((s) => members.has(s.name))) {
    if (host === service.name.toLowerCase() || host === service.containerName?.toLowerCase())
      return service.name;
    // Through the host: a published port reached on loopback.
    if (loopback && ref.port !== undefined && service.ports.some((p) => p.hostPort === ref.port))
      return service.name;
  }
  for (const [name, declared] of Object.entries(ctx.project.manifest?.data.services ?? {})) {
    if (!members.has(name)) continue;
    if (host === name.toLowerCase()) return name;
    if (declared.endpoints.some((e) => e.port === ref.port && (e.address.toLowerCase() === host || loopback)))
      return name;
  }
  return undefined;
}

function envLocation(ctx: RuleContext, service: ComposeService, key: string): Location | undefined {
  for (const file of [...(ctx.project.compose?.files ?? [])].reverse()) {
    const found = ctx.locate.envEntry(file, service.name, key);
    if (found) return found;
  }
  // Set through env_file or a file brought in by include: point at the service.
  return serviceLocation(ctx, service, 'environment');
}

/**
 * `policy.requireTls: [{ between: [api, data] }]`: a service of one tier that is configured to
 * reach a service of the other over plaintext (http://, redis://, postgres:// without
 * sslmode=require, a bare host:6379) sends that traffic readable to anyone on the path.
 */
export const plaintextBetweenTiers: Rule = {
  id: 'plaintext-between-tiers',
  defaultSeverity: 'error',
  summary:
    'A service connects to a service of another tier over plaintext where policy.requireTls requires TLS between the two tiers.',
  check(ctx) {
    const out: Violation[] = [];
    for (const { between } of ctx.policy.requireTls) {
      const [a, b] = between;
      for (const [from, to] of [
        [a, b],
        [b, a],
      ] as const) {
        const sources = new Set(ctx.policy.tiers[from]?.services ?? []);
        for (const service of ctx.services.filter((s) => sources.has(s.name))) {
          for (const [key, value] of Object.entries(service.environment).sort(([x], [y]) =>
            x.localeCompare(y),
          )) {
            for (const ref of connectionRefs(value)) {
              if (!ref.plaintext) continue;
              const target = targetIn(ctx, to, ref);
              if (!target) continue;
              const location = envLocation(ctx, service, key);
              out.push({
                message: `${service.name} (tier ${from}) reaches ${target} (tier ${to}) over plaintext in ${key}=${ref.text}: ${ref.plaintext}; policy.requireTls requires TLS between ${a} and ${b}`,
                service: service.name,
                ...(ref.port !== undefined ? { port: ref.port } : {}),
                ...(location ? { location } : {}),
              });
            }
          }
        }
      }
    }
    return out;
  },
};
