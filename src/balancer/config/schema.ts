import { z } from 'zod';
import { parseHostPort } from '../../core/address.js';
import { parseDuration } from '../../core/duration.js';

const duration = z.union([z.string(), z.number()]).transform((v, ctx) => {
  try {
    return parseDuration(v);
  } catch {
    ctx.addIssue({ code: 'custom', message: `"${v}" is not a duration (use 500ms, 5s, 1m)` });
    return z.NEVER;
  }
});

const hostPortOf = (allowZero: boolean) =>
  z.string().transform((v, ctx) => {
    try {
      return parseHostPort(v, '127.0.0.1', allowZero);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  });
/** An upstream address: a real port. */
const hostPort = hostPortOf(false);
/** A listen address: port 0 lets the system pick (tests, libraries). */
const listenAddress = hostPortOf(true);

const upstream = z.union([
  hostPort.transform((hp) => ({ address: hp.host, port: hp.port, weight: 1 })),
  z.strictObject({
    address: z.string().min(1),
    port: z.number().int().min(1).max(65535),
    weight: z.number().int().min(1).max(1000).default(1),
    id: z.string().optional(),
  }),
]);

const algorithm = z.enum([
  'round-robin',
  'weighted-round-robin',
  'least-conn',
  'p2c-ewma',
  'consistent-hash',
]);

const health = z.union([
  z.literal(false),
  z.strictObject({
    path: z.string().startsWith('/').optional(),
    interval: duration.default(2000),
    timeout: duration.default(1000),
    rise: z.number().int().min(1).default(2),
    fall: z.number().int().min(1).default(2),
  }),
]);

const route = z
  .strictObject({
    name: z.string().regex(/^[A-Za-z0-9_.-]+$/),
    host: z
      .string()
      .regex(/^(\*\.)?[A-Za-z0-9.-]+$/, 'a host name, or *.domain')
      .optional(),
    pathPrefix: z.string().startsWith('/').optional(),
    stripPrefix: z.boolean().default(false),
    algorithm: algorithm.default('round-robin'),
    hashOn: z
      .strictObject({
        header: z.string().optional(),
        cookie: z.string().optional(),
        clientIp: z.boolean().optional(),
      })
      .optional(),
    upstreams: z.array(upstream).default([]),
    service: z.string().optional(),
    healthCheck: health.optional(),
  })
  .refine((r) => r.upstreams.length > 0 || r.service, {
    message: 'a route needs upstreams or a catalog service',
  })
  .refine((r) => r.algorithm !== 'consistent-hash' || r.hashOn, {
    message: 'consistent-hash needs hashOn (header, cookie or clientIp)',
  });

const tcpRoute = z
  .strictObject({
    name: z.string().regex(/^[A-Za-z0-9_.-]+$/),
    listen: listenAddress,
    algorithm: algorithm.default('least-conn'),
    upstreams: z.array(upstream).default([]),
    service: z.string().optional(),
    healthCheck: health.optional(),
  })
  .refine((r) => r.upstreams.length > 0 || r.service, {
    message: 'a TCP route needs upstreams or a catalog service',
  });

/** The balancer's configuration file (portico-lb.yaml). */
export const balancerConfigSchema = z.strictObject({
  listen: listenAddress.optional(),
  admin: z
    .union([
      listenAddress,
      z
        .strictObject({
          listen: listenAddress,
          /** The bearer token itself (keeps a secret in the file: prefer tokenEnv or tokenFile). */
          token: z.string().min(16).optional(),
          /** Name of an environment variable holding the token. */
          tokenEnv: z
            .string()
            .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name')
            .optional(),
          /** A file holding the token (relative to this file); trailing whitespace is ignored. */
          tokenFile: z.string().min(1).optional(),
        })
        .refine((a) => [a.token, a.tokenEnv, a.tokenFile].filter((x) => x !== undefined).length <= 1, {
          message: 'give one of token, tokenEnv or tokenFile',
        }),
    ])
    .optional(),
  tls: z
    .strictObject({
      listen: listenAddress,
      devCa: z.boolean().default(true),
      cert: z.string().optional(),
      key: z.string().optional(),
      redirectHttp: z.boolean().default(false),
    })
    .optional(),
  catalog: z.boolean().default(false),
  /**
   * Processes (lb serve) or threads (generated nginx worker_processes / HAProxy nbthread) that
   * serve the listeners; `auto` = one per CPU. Absent: 1, lb serve's default.
   */
  workers: z.union([z.literal('auto'), z.number().int().min(1).max(256)]).optional(),
  trustedProxies: z.array(z.string()).default([]),
  timeouts: z
    .strictObject({
      connect: duration.default(2000),
      headers: duration.default(15_000),
      idle: duration.default(60_000),
      total: duration.default(300_000),
      clientHeaders: duration.default(10_000),
      clientKeepAlive: duration.default(5000),
    })
    .default({
      connect: 2000,
      headers: 15_000,
      idle: 60_000,
      total: 300_000,
      clientHeaders: 10_000,
      clientKeepAlive: 5000,
    }),
  maxHeaderBytes: z.number().int().min(1024).max(1_048_576).default(16_384),
  healthCheck: health.default({ interval: 2000, timeout: 1000, rise: 2, fall: 2 }),
  outlier: z
    .strictObject({
      consecutiveErrors: z.number().int().min(1).default(3),
      baseEjection: duration.default(5000),
      maxEjection: duration.default(300_000),
      maxEjectionPercent: z.number().min(0).max(100).default(50),
      panicThreshold: z.number().min(0).max(100).default(50),
    })
    .default({
      consecutiveErrors: 3,
      baseEjection: 5000,
      maxEjection: 300_000,
      maxEjectionPercent: 50,
      panicThreshold: 50,
    }),
  circuit: z
    .strictObject({
      maxConcurrent: z.number().int().min(1).default(1024),
      maxPending: z.number().int().min(0).default(256),
    })
    .default({ maxConcurrent: 1024, maxPending: 256 }),
  retry: z
    .strictObject({
      attempts: z.number().int().min(0).max(5).default(2),
      budgetPercent: z.number().min(0).max(100).default(20),
      minPerSecond: z.number().min(0).default(10),
    })
    .default({ attempts: 2, budgetPercent: 20, minPerSecond: 10 }),
  slowStart: duration.default(10_000),
  drainTimeout: duration.default(10_000),
  upstreamHeader: z
    .string()
    .regex(/^[A-Za-z0-9-]+$/)
    .optional(),
  accessLog: z
    .union([z.enum(['stderr', 'stdout', 'off']), z.strictObject({ file: z.string() })])
    .default('off'),
  routes: z.array(route).default([]),
  tcp: z.array(tcpRoute).default([]),
});

export type BalancerConfigInput = z.input<typeof balancerConfigSchema>;
export type BalancerConfig = z.output<typeof balancerConfigSchema>;
