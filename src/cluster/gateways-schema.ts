import { z } from 'zod';
import { parseDuration } from '../core/duration.js';

/**
 * portico.yaml `gateways:` — external gateways (HAProxy, Caddy, nginx, Traefik) that follow the
 * catalog, kept in sync by ONE agent of the project: the elected one (etcd election), or the only
 * one on SQLite. What each pass does is `portico lb sync` (src/exporters/sync.ts):
 *
 *   gateways:
 *     - name: edge
 *       target: haproxy                 # haproxy | caddy | nginx | traefik
 *       to: gateway/haproxy.cfg         # the file the gateway runs (relative to portico.yaml)
 *       runtimeApi: gateway/haproxy.sock   # HAProxy: apply server changes live through this socket
 *       listen: 127.0.0.1:8080          # without `config`: where the gateway listens
 *       config: lb/portico-lb.yaml      # or: routes in the `lb serve --config` format
 *       runtimeDir: gateway/run         # default: <target>-run beside `to`
 *       admin: 127.0.0.1:2019           # Caddy: its admin API (default 127.0.0.1:2019)
 *       debounce: 200ms                 # quiet time after a catalog change before a pass
 *
 * Only portico.yaml (a local, trusted file) declares gateways: labels and the API cannot.
 */
const hostPort = z
  .string()
  .regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'use host:port, e.g. 127.0.0.1:8080');

const duration = z.union([z.string(), z.number()]).transform((v, ctx) => {
  try {
    return parseDuration(v);
  } catch {
    ctx.addIssue({
      code: 'custom',
      message: `"${v}" is not a duration (use 50ms, 1s; a bare number means seconds)`,
    });
    return z.NEVER;
  }
});

const path = (what: string) => z.string().min(1, `${what} (relative to portico.yaml)`);

export const gatewaySchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, 'use letters, digits, ".", "_" and "-" (max 63)'),
    target: z.enum(['haproxy', 'caddy', 'nginx', 'traefik']),
    to: path('the configuration file the gateway runs'),
    config: path('a portico-lb.yaml with the routes').optional(),
    /** Every catalog service as a route (lb sync --from-catalog). Default: yes without `config`. */
    fromCatalog: z.boolean().optional(),
    listen: hostPort.optional(),
    runtimeApi: path("HAProxy's runtime API socket").optional(),
    runtimeDir: path('the folder for the gateway’s pid, sockets and logs').optional(),
    admin: hostPort.optional(),
    debounce: duration.optional(),
  })
  .superRefine((g, ctx) => {
    if (g.runtimeApi !== undefined && g.target !== 'haproxy')
      ctx.addIssue({
        code: 'custom',
        path: ['runtimeApi'],
        message:
          'runtimeApi is HAProxy only (Caddy syncs through /load, nginx by a reload, Traefik by its file)',
      });
    if (g.admin !== undefined && g.target !== 'caddy')
      ctx.addIssue({ code: 'custom', path: ['admin'], message: "admin is Caddy's admin API: Caddy only" });
    if (g.listen !== undefined && g.config !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['listen'],
        message: 'give listen or config, not both: with config, the file says where to listen',
      });
  });

export const gatewaysSchema = z.array(gatewaySchema).superRefine((list, ctx) => {
  const names = new Set<string>();
  const files = new Set<string>();
  list.forEach((g, i) => {
    if (names.has(g.name))
      ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `gateway "${g.name}" is declared twice` });
    if (files.has(g.to))
      ctx.addIssue({
        code: 'custom',
        path: [i, 'to'],
        message: `two gateways write ${g.to}: each needs its own file`,
      });
    names.add(g.name);
    files.add(g.to);
  });
});

export type GatewayConfig = z.output<typeof gatewaySchema>;
