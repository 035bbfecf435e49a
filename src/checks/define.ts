import { z } from 'zod';
import { parseDuration } from '../core/duration.js';
import { PorticoError } from '../core/errors.js';
import type { CheckDefinition, CheckOrigin } from '../core/model.js';
import { noSecretPolicy, refusal, type SecretPolicy } from './trust.js';

/** Defaults shared by every way of defining a check (manifest, labels, CLI). */
export const checkDefaults = { intervalMs: 10_000, timeoutMs: 2_000, rise: 2, fall: 3 } as const;

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

const statusRanges = z.union([z.string(), z.number(), z.array(z.number())]).transform((v, ctx) => {
  const parts = Array.isArray(v) ? v.map(String) : String(v).split(',');
  const ranges: Array<[number, number]> = [];
  for (const part of parts) {
    const m = /^\s*(\d{3})\s*(?:-\s*(\d{3}))?\s*$/.exec(part);
    if (!m) {
      ctx.addIssue({ code: 'custom', message: `"${part}" is not a status code or range like 200-399` });
      return z.NEVER;
    }
    ranges.push([Number(m[1]), Number(m[2] ?? m[1])]);
  }
  return ranges;
});

const port = z.number().int().min(1).max(65535);

const common = {
  id: z.string().min(1).max(64).optional(),
  interval: duration.optional(),
  timeout: duration.optional(),
  rise: z.number().int().min(1).max(100).optional(),
  fall: z.number().int().min(1).max(100).optional(),
  deregisterAfter: duration.optional(),
};

/** A check as users write it in portico.yaml (and, via parseCheckSpec, on the command line). */
export const checkInputSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('http'),
    ...common,
    scheme: z.enum(['http', 'https']).default('http'),
    method: z
      .string()
      .regex(/^[A-Z]+$/)
      .default('GET'),
    path: z.string().startsWith('/').default('/'),
    headers: z.record(z.string(), z.string()).default({}),
    expectStatus: statusRanges.default([[200, 399]]),
    expectBody: z.string().optional(),
    tlsVerify: z.boolean().default(true),
    port: port.optional(),
  }),
  z.strictObject({ kind: z.literal('tcp'), ...common, port: port.optional() }),
  z.strictObject({
    kind: z.literal('tls'),
    ...common,
    serverName: z.string().optional(),
    tlsVerify: z.boolean().default(true),
    expiryWarningDays: z.number().int().min(0).default(14),
    port: port.optional(),
  }),
  z.strictObject({
    kind: z.literal('postgres'),
    ...common,
    user: z.string().default('postgres'),
    database: z.string().optional(),
    passwordEnv: z.string().optional(),
    port: port.optional(),
  }),
  z.strictObject({
    kind: z.literal('redis'),
    ...common,
    username: z.string().optional(),
    passwordEnv: z.string().optional(),
    port: port.optional(),
  }),
  z.strictObject({
    kind: z.literal('mysql'),
    ...common,
    user: z.string().default('root'),
    database: z.string().optional(),
    passwordEnv: z.string().optional(),
    port: port.optional(),
  }),
  z.strictObject({
    kind: z.literal('command'),
    ...common,
    argv: z.array(z.string()).min(1),
    container: z.string().optional(),
  }),
  z.strictObject({ kind: z.literal('ttl'), ...common, ttl: duration }),
  z.strictObject({ kind: z.literal('docker-health'), ...common, container: z.string() }),
]);

export type CheckInput = z.input<typeof checkInputSchema>;

/**
 * Turn validated input into a CheckDefinition with defaults; ids default to the kind. The origin
 * is stamped on the definition: it decides what the check may do (see trust.ts).
 */
export function toCheckDefinition(
  input: z.output<typeof checkInputSchema>,
  origin: CheckOrigin,
): CheckDefinition {
  const { interval, timeout, deregisterAfter, rise, fall, id, ttl, ...rest } = input as z.output<
    typeof checkInputSchema
  > & {
    ttl?: number;
  };
  const intervalMs =
    interval ?? (ttl !== undefined ? Math.max(1000, Math.floor(ttl / 2)) : checkDefaults.intervalMs);
  return {
    ...rest,
    id: id ?? input.kind,
    origin,
    intervalMs,
    timeoutMs: Math.min(timeout ?? checkDefaults.timeoutMs, intervalMs),
    rise: rise ?? checkDefaults.rise,
    fall: fall ?? checkDefaults.fall,
    ...(deregisterAfter !== undefined ? { deregisterAfterMs: deregisterAfter } : {}),
    ...(ttl !== undefined ? { ttlMs: ttl } : {}),
  } as CheckDefinition;
}

/** Give duplicate ids a suffix so every check of an instance is addressable. */
export function uniqueIds(checks: CheckDefinition[]): CheckDefinition[] {
  const seen = new Map<string, number>();
  return checks.map((c) => {
    const n = seen.get(c.id) ?? 0;
    seen.set(c.id, n + 1);
    return n === 0 ? c : { ...c, id: `${c.id}-${n + 1}` };
  });
}

/**
 * The command-line form: `kind[:arg][,key=value…]`, e.g. `http:/health`, `http:/ready,interval=5s`,
 * `tcp`, `tls,serverName=api.local`, `postgres:app,database=app,passwordEnv=PGPASSWORD`,
 * `redis,passwordEnv=REDIS_PASSWORD`, `ttl:30s`, `command:./check.sh --quick`.
 */
export function parseCheckSpec(spec: string): CheckDefinition {
  return parseCheckSpecFrom(spec, 'cli');
}

/**
 * The same syntax from any origin. A definition the origin may not make (a command from a
 * label, a password variable the user did not allow) is E_CHECK_UNTRUSTED and never returned.
 */
export function parseCheckSpecFrom(
  spec: string,
  origin: CheckOrigin,
  policy: SecretPolicy = noSecretPolicy,
): CheckDefinition {
  const m = /^([a-z-]+)(?::([^,]*))?((?:,[A-Za-z]+=[^,]*)*)$/.exec(spec.trim());
  if (!m) throw badSpec(spec, 'expected kind[:arg][,key=value…]');
  const [, kind, arg, pairs] = m as unknown as [string, string, string | undefined, string];
  const input: Record<string, unknown> = { kind };
  if (arg !== undefined && arg !== '') {
    const argKey: Record<string, string> = {
      http: 'path',
      postgres: 'user',
      mysql: 'user',
      ttl: 'ttl',
      tls: 'serverName',
      'docker-health': 'container',
    };
    if (kind === 'command') input.argv = arg.split(/\s+/).filter(Boolean);
    else if (argKey[kind]) input[argKey[kind]] = arg;
    else throw badSpec(spec, `${kind} takes no ":" argument`);
  }
  for (const pair of pairs.split(',').filter(Boolean)) {
    const eq = pair.indexOf('=');
    const key = pair.slice(0, eq);
    const raw = pair.slice(eq + 1);
    input[key] =
      /^\d+$/.test(raw) && ['rise', 'fall', 'port', 'expiryWarningDays'].includes(key)
        ? Number(raw)
        : raw === 'true'
          ? true
          : raw === 'false'
            ? false
            : raw;
  }
  const parsed = checkInputSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw badSpec(spec, `${issue.path.join('.') || 'kind'}: ${issue.message}`);
  }
  const check = toCheckDefinition(parsed.data, origin);
  const refused = refusal(check, policy);
  if (refused) throw new PorticoError('E_CHECK_UNTRUSTED', `check "${spec}" rejected: ${refused}`);
  return check;
}

function badSpec(spec: string, why: string): PorticoError {
  return new PorticoError('E_CHECK_INVALID', `invalid check "${spec}": ${why}`, {
    hint: 'Examples: --check http:/health  --check tcp  --check postgres:app,database=app  --check ttl:30s',
  });
}
