import { z } from 'zod';
import { parseDuration } from '../../core/duration.js';

/** 5s, 1m, 500ms (a bare number is seconds), as everywhere else in portico.yaml. */
const duration = z.union([z.string(), z.number()]).transform((v, ctx) => {
  try {
    return parseDuration(v);
  } catch {
    ctx.addIssue({
      code: 'custom',
      message: `"${v}" is not a duration (use 500ms, 5s, 1m; a bare number means seconds)`,
    });
    return z.NEVER;
  }
});

const envName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name, e.g. SLACK_WEBHOOK_URL');

/** A secret is never written in portico.yaml: only the name of the variable that holds it. */
const fromEnv = z.strictObject({ env: envName });

/** Header names whose values are credentials: they must come from the environment. */
const secretHeader = /authorization|token|secret|key|password|cookie|signature/i;

/** A URL written in portico.yaml (or the name of the variable holding one, read at load). */
const url = z.union([z.string(), fromEnv]).transform((text, ctx) => {
  if (typeof text !== 'string') return text;
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not a URL` });
    return z.NEVER;
  }
  const problem = urlProblem(parsed);
  if (problem) {
    ctx.addIssue({ code: 'custom', message: problem });
    return z.NEVER;
  }
  return parsed.href;
});

/** Why a receiver URL cannot be used (also checked for URLs read from the environment). */
export function urlProblem(parsed: URL): string | undefined {
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    return 'the URL must be http:// or https://';
  if (parsed.username || parsed.password)
    return 'no credentials in the URL: give them as a header from the environment (headers: { Authorization: { env: NAME } })';
  return undefined;
}

const delivery = {
  /** The webhook's address, written here or named by a variable (a Slack webhook URL is a secret). */
  url,
  headers: z
    .record(z.string().regex(/^[A-Za-z0-9-]+$/, 'a header name'), z.union([z.string(), fromEnv]))
    .superRefine((headers, ctx) => {
      for (const [name, value] of Object.entries(headers))
        if (typeof value === 'string' && secretHeader.test(name))
          ctx.addIssue({
            code: 'custom',
            path: [name],
            message: `header ${name} carries a secret: name the variable that holds it ({ env: NAME }), never the value`,
          });
    })
    .default({}),
  /** Sent as Authorization: Bearer <value of the variable>. */
  token: fromEnv.optional(),
  /** Per attempt. */
  timeout: duration.default(5000),
  /** Attempts in all (the first included) on connection errors, timeouts, 5xx, 408 and 429. */
  attempts: z.number().int().min(1).max(10).default(5),
  /** Wait before the first retry; doubled after each, with jitter, at most 5 minutes. */
  backoff: duration.default(1000),
};

const receiver = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('webhook'), ...delivery }),
  z.strictObject({
    type: z.literal('slack'),
    ...delivery,
    /** For chat.postMessage-style endpoints that take the channel in the body. */
    channel: z.string().min(1).optional(),
  }),
]);

const name = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, 'use letters, digits, ".", "_" and "-" (max 63)');

export const alertSeverities = ['info', 'warning', 'error'] as const;
export type AlertSeverity = (typeof alertSeverities)[number];

const common = {
  /** Part of every alert key of the rule; defaults to its kind. */
  name: name.optional(),
  /** Receiver names; all receivers when absent. */
  notify: z.array(name).min(1).optional(),
};

const rule = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('instance-down'),
    ...common,
    /** Critical for at least this long (0: at once). */
    for: duration.default(0),
    service: z.string().min(1).optional(),
  }),
  z.strictObject({
    kind: z.literal('finding'),
    ...common,
    /** The lowest severity that fires. */
    severity: z.enum(alertSeverities).default('warning'),
    service: z.string().min(1).optional(),
  }),
  z.strictObject({
    kind: z.literal('certificate-expiring'),
    ...common,
    /** Days left at which it fires (an expired certificate always fires). */
    within: z.number().int().min(0).max(3650),
    service: z.string().min(1).optional(),
  }),
  z.strictObject({
    kind: z.literal('port-conflict'),
    ...common,
    severity: z.enum(['warning', 'error']).default('error'),
  }),
]);

/**
 * `alerts:` in portico.yaml. Receivers (and so every URL the agent posts to) come only from
 * here, never from labels or the API; credentials only as names of environment variables.
 *
 *   alerts:
 *     interval: 15s
 *     receivers:
 *       ops: { type: webhook, url: https://hooks.example.com/portico, token: { env: OPS_TOKEN } }
 *       team: { type: slack, url: { env: SLACK_WEBHOOK_URL } }
 *     rules:
 *       - { kind: instance-down, for: 30s }
 *       - { kind: certificate-expiring, within: 14, notify: [team] }
 */
export const alertsSchema = z
  .strictObject({
    /** How often the rules are evaluated (also after every check transition). */
    interval: duration.default(15_000),
    receivers: z.record(name, receiver),
    rules: z.array(rule).default([]),
  })
  .superRefine((alerts, ctx) => {
    if (alerts.interval < 100)
      ctx.addIssue({ code: 'custom', path: ['interval'], message: 'at least 100ms' });
    const seen = new Set<string>();
    alerts.rules.forEach((r, i) => {
      const id = r.name ?? r.kind;
      if (seen.has(id))
        ctx.addIssue({
          code: 'custom',
          path: ['rules', i, 'name'],
          message: `two rules are named "${id}": give each a distinct name`,
        });
      seen.add(id);
      for (const target of r.notify ?? [])
        if (!(target in alerts.receivers))
          ctx.addIssue({
            code: 'custom',
            path: ['rules', i, 'notify'],
            message: `no receiver "${target}" under alerts.receivers`,
          });
    });
    if (Object.keys(alerts.receivers).length === 0)
      ctx.addIssue({ code: 'custom', path: ['receivers'], message: 'alerts need at least one receiver' });
  });

export type AlertsConfig = z.output<typeof alertsSchema>;
export type AlertRule = AlertsConfig['rules'][number];
export type ReceiverConfig = AlertsConfig['receivers'][string];
