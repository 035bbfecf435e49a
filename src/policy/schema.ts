import { z } from 'zod';
import { ruleIds, severities } from './ids.js';

/** "3000-3999" or 3000: a host port range of a tier. */
const portRange = z
  .union([z.number().int().min(1).max(65535), z.string().regex(/^\d{1,5}\s*-\s*\d{1,5}$/, 'a range "A-B"')])
  .transform((value, ctx) => {
    const [start, end] = typeof value === 'number' ? [value, value] : value.split('-').map((p) => Number(p));
    if (!(start! >= 1 && end! <= 65535 && start! <= end!)) {
      ctx.addIssue({ code: 'custom', message: `"${value}" is not a range of ports 1-65535, start ≤ end` });
      return z.NEVER;
    }
    return { start: start!, end: end! };
  });

const tier = z.strictObject({
  ports: portRange,
  services: z.array(z.string().min(1)).default([]),
});

/** A calendar date, as YAML writes it unquoted (2026-12-31). */
const date = z.union([z.string(), z.date()]).transform((value, ctx) => {
  const text = value instanceof Date ? value.toISOString().slice(0, 10) : value;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text) || Number.isNaN(Date.parse(`${text}T00:00:00Z`))) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not a date (YYYY-MM-DD)` });
    return z.NEVER;
  }
  return text;
});

const suppression = z.strictObject({
  rule: z.enum(ruleIds),
  service: z.string().min(1).optional(),
  reason: z.string().trim().min(1, 'a suppression needs a reason'),
  until: date,
});

/** Traffic between two tiers that must be encrypted (`plaintext-between-tiers`). */
const tlsRequirement = z.strictObject({
  between: z.tuple([z.string().min(1), z.string().min(1)]),
});

const allowedExposure = z.strictObject({
  service: z.string().min(1),
  /** Only this container port; every port of the service when absent. */
  port: z.number().int().min(1).max(65535).optional(),
});

/**
 * `policy:` in portico.yaml. Everything is optional: without it the built-in baseline applies
 * (every rule at its default severity, no tiers).
 *
 *   policy:
 *     tiers:
 *       frontend: { ports: 3000-3999, services: [web] }
 *       data:     { ports: 5400-5499, services: [db] }
 *     allowExposed: [{ service: web }]
 *     requireHealthcheck: [api, db]
 *     requireTls: [{ between: [api, data] }]
 *     rules: { privileged-port: off, healthcheck-missing: error }
 *     suppress:
 *       - { rule: network-mode-host, service: agent, reason: "needs the host's netns", until: 2026-12-31 }
 */
export const policySchema = z
  .strictObject({
    tiers: z
      .record(z.string().min(1), tier)
      .default({})
      .superRefine((tiers, ctx) => {
        // One range per service: a service in two tiers would be held to two contradictory ranges.
        const tierOf = new Map<string, string>();
        for (const [name, { services }] of Object.entries(tiers)) {
          for (const [i, service] of services.entries()) {
            const other = tierOf.get(service);
            if (other !== undefined && other !== name) {
              ctx.addIssue({
                code: 'custom',
                path: [name, 'services', i],
                message: `service "${service}" is already in tier ${other}: a service belongs to one tier`,
              });
            }
            tierOf.set(service, other ?? name);
          }
        }
      }),
    allowExposed: z.array(allowedExposure).default([]),
    /** true: every service (the baseline); false: none; a list: those services. */
    requireHealthcheck: z.union([z.boolean(), z.array(z.string().min(1))]).default(true),
    /** Pairs of tiers whose services must talk TLS to each other, in either direction. */
    requireTls: z.array(tlsRequirement).default([]),
    rules: z.partialRecord(z.enum(ruleIds), z.enum([...severities, 'off'])).default({}),
    suppress: z.array(suppression).default([]),
  })
  .superRefine((policy, ctx) => {
    // A requirement naming a tier that is not declared would silently check nothing.
    for (const [i, { between }] of policy.requireTls.entries()) {
      for (const [j, tierName] of between.entries()) {
        if (!Object.hasOwn(policy.tiers, tierName)) {
          const declared = Object.keys(policy.tiers);
          ctx.addIssue({
            code: 'custom',
            path: ['requireTls', i, 'between', j],
            message: `tier "${tierName}" is not declared in policy.tiers${declared.length ? ` (tiers: ${declared.join(', ')})` : ''}`,
          });
        }
      }
      if (between[0] === between[1]) {
        ctx.addIssue({
          code: 'custom',
          path: ['requireTls', i, 'between'],
          message: 'name two different tiers: TLS is required between them',
        });
      }
    }
  });

export type PolicyConfig = z.output<typeof policySchema>;
export type Suppression = PolicyConfig['suppress'][number];
