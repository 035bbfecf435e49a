import type { Rule, Violation } from '../model.js';

/**
 * A policy that names a service compose does not have checks nothing for it: a typo in a tier
 * would let every port of the real service pass. Services left out by profiles are known.
 */
export const policyUnknownService: Rule = {
  id: 'policy-unknown-service',
  defaultSeverity: 'warning',
  summary: 'policy: in portico.yaml names a service that neither a compose file nor portico.yaml defines.',
  check(ctx) {
    const manifest = ctx.project.manifest?.path;
    if (!manifest) return [];
    const known = new Set([
      ...ctx.services.map((s) => s.name),
      ...(ctx.project.compose?.inactiveServices ?? []),
      // portico.yaml services are services of the project too (requireTls reaches them).
      ...Object.keys(ctx.project.manifest?.data.services ?? {}),
    ]);
    const refs: Array<{ name: string; path: Array<string | number>; where: string }> = [];
    for (const [tier, { services }] of Object.entries(ctx.policy.tiers)) {
      for (const [i, name] of services.entries()) {
        refs.push({ name, path: ['policy', 'tiers', tier, 'services', i], where: `tier ${tier}` });
      }
    }
    for (const [i, a] of ctx.policy.allowExposed.entries()) {
      refs.push({ name: a.service, path: ['policy', 'allowExposed', i, 'service'], where: 'allowExposed' });
    }
    const required = Array.isArray(ctx.policy.requireHealthcheck) ? ctx.policy.requireHealthcheck : [];
    for (const [i, name] of required.entries()) {
      refs.push({ name, path: ['policy', 'requireHealthcheck', i], where: 'requireHealthcheck' });
    }
    for (const [i, s] of ctx.policy.suppress.entries()) {
      if (s.service)
        refs.push({ name: s.service, path: ['policy', 'suppress', i, 'service'], where: 'suppress' });
    }
    const out: Violation[] = [];
    for (const ref of refs.filter((r) => !known.has(r.name))) {
      const location = ctx.locate.at(manifest, ref.path);
      out.push({
        message: `policy ${ref.where} names service "${ref.name}", which no compose file or portico.yaml service defines${known.size ? ` (services: ${[...known].sort().join(', ')})` : ''}`,
        service: ref.name,
        ...(location ? { location } : {}),
      });
    }
    return out;
  },
};
