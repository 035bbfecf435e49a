import { z } from 'zod';
import { alertsSchema } from '../../../agent/alerts/schema.js';
import { balancersSchema } from '../../../agent/balancers-schema.js';
import { checkInputSchema } from '../../../checks/define.js';
import { gatewaysSchema } from '../../../cluster/gateways-schema.js';
import { policySchema } from '../../../policy/schema.js';
import { storeConfigSchema } from '../../../store/config-schema.js';

const name = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, 'use letters, digits, ".", "_" and "-" (max 63)');

const endpoint = z.strictObject({
  address: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(1).max(65535),
  id: z.string().min(1).optional(),
  tags: z.array(z.string()).default([]),
  meta: z.record(z.string(), z.string()).default({}),
});

const service = z.strictObject({
  protocol: z.enum(['tcp', 'udp', 'http', 'https', 'grpc', 'postgres', 'redis', 'mysql']).default('tcp'),
  tags: z.array(z.string()).default([]),
  meta: z.record(z.string(), z.string()).default({}),
  endpoints: z.array(endpoint).min(1, 'a service needs at least one endpoint'),
  checks: z.array(checkInputSchema).default([]),
});

const secrets = z.strictObject({
  /** Variables that labels (untrusted) may name as passwordEnv, besides PORTICO_*. */
  allowEnv: z
    .array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name, e.g. REDIS_PASSWORD'))
    .default([]),
});

/**
 * portico.yaml:
 *
 *   services:
 *     auth-service:
 *       protocol: http
 *       endpoints:
 *         - { address: 127.0.0.1, port: 3001 }
 *       checks:
 *         - { kind: http, path: /health, interval: 5s }
 *   secrets:
 *     allowEnv: [REDIS_PASSWORD]   # labels may send these variables as passwords
 *   policy:                        # `portico policy` (src/policy/schema.ts); baseline when absent
 *     tiers: { frontend: { ports: 3000-3999, services: [web] } }
 *   alerts:                        # `portico agent` alerting (src/agent/alerts/schema.ts)
 *     receivers: { ops: { type: webhook, url: https://hooks.example.com/portico } }
 *     rules: [{ kind: instance-down, for: 30s }]
 *   store:                         # the catalog (src/store/config-schema.ts); --store wins
 *     url: etcd://10.0.0.1:2379
 *   balancers:                     # run by `portico agent` (src/agent/balancers-schema.ts)
 *     - { name: edge, config: lb/portico-lb.yaml }
 *   gateways:                      # synced by the elected agent (src/cluster/gateways-schema.ts)
 *     - { name: edge, target: haproxy, to: gateway/haproxy.cfg, listen: 127.0.0.1:8080 }
 */
export const manifestSchema = z.strictObject({
  version: z.literal(1).default(1),
  services: z.record(name, service).default({}),
  secrets: secrets.default({ allowEnv: [] }),
  policy: policySchema.optional(),
  /** `portico agent`'s alert rules and receivers (src/agent/alerts/schema.ts). */
  alerts: alertsSchema.optional(),
  /** Which catalog this project uses (src/store/config-schema.ts). */
  store: storeConfigSchema.optional(),
  /** Embedded balancers `portico agent` runs (src/agent/balancers-schema.ts). */
  balancers: balancersSchema.optional(),
  /** External gateways one elected agent keeps in sync (src/cluster/gateways-schema.ts). */
  gateways: gatewaysSchema.optional(),
});

export type Manifest = z.output<typeof manifestSchema>;
