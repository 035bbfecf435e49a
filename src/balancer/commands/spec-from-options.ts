import { dirname, resolve } from 'node:path';
import { formatHostPort } from '../../core/address.js';
import { PorticoError } from '../../core/errors.js';
import { loadYamlConfig } from '../../core/yaml-config.js';
import { resolveAdminToken } from '../config/admin-token.js';
import { type BalancerConfig, type BalancerConfigInput, balancerConfigSchema } from '../config/schema.js';
import { configToSpec } from '../config/to-spec.js';
import type { BalancerSpec } from '../model.js';

export interface ServeOptions {
  config?: string;
  listen?: string;
  upstream?: string[];
  mode?: 'http' | 'tcp';
  algorithm?: string;
  healthPath?: string;
  healthInterval?: string;
  noHealth?: boolean;
  health?: boolean;
  admin?: string | boolean;
  catalog?: boolean;
  tlsListen?: string;
  redirectHttp?: boolean;
  hashHeader?: string;
  hashCookie?: string;
  hashIp?: boolean;
  accessLog?: string;
  upstreamHeader?: string;
  store?: string;
  adminTokenEnv?: string;
  adminTokenFile?: string;
  drainTimeout?: string;
}

/**
 * The balancer spec from a config file, or from flags for the simple case. Flags go through the
 * same schema as the file, so validation and defaults are identical either way.
 */
export function specFromOptions(
  opts: ServeOptions,
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): BalancerSpec {
  const hint = 'See portico lb serve --help, or the portico-lb.yaml example in the README.';
  let config: BalancerConfig;
  if (opts.config) {
    rejectRouteFlags(opts, hint);
    config = loadYamlConfig(opts.config, balancerConfigSchema, 'E_LB_CONFIG', hint);
    config = withFlagOverrides(config, opts, hint);
  } else {
    if (!opts.upstream?.length && !opts.catalog) {
      throw new PorticoError(
        'E_USAGE',
        'nothing to balance: give --upstream host:port (repeatable), --catalog, or --config FILE',
        { hint },
      );
    }
    const health =
      opts.health === false
        ? false
        : {
            ...(opts.healthPath ? { path: opts.healthPath } : {}),
            ...(opts.healthInterval ? { interval: opts.healthInterval } : {}),
          };
    const hashOn = opts.hashHeader
      ? { header: opts.hashHeader }
      : opts.hashCookie
        ? { cookie: opts.hashCookie }
        : opts.hashIp
          ? { clientIp: true }
          : undefined;
    const listen = opts.listen ?? (opts.mode === 'tcp' ? undefined : '127.0.0.1:8080');
    const upstreams = opts.upstream ?? [];
    const input: BalancerConfigInput = {
      ...(opts.mode === 'tcp' ? {} : { listen }),
      catalog: Boolean(opts.catalog),
      // Also the balancer's own check of catalog instances (--no-health turns that off too).
      healthCheck: health,
      ...(opts.upstreamHeader ? { upstreamHeader: opts.upstreamHeader } : {}),
      ...(opts.accessLog ? { accessLog: accessLogOf(opts.accessLog) } : {}),
      ...(opts.drainTimeout ? { drainTimeout: opts.drainTimeout } : {}),
      ...(opts.tlsListen
        ? { tls: { listen: opts.tlsListen, redirectHttp: Boolean(opts.redirectHttp) } }
        : {}),
      ...(opts.mode === 'tcp'
        ? {
            tcp: [
              {
                name: 'tcp',
                listen: opts.listen ?? '',
                ...(opts.algorithm ? { algorithm: opts.algorithm as never } : {}),
                upstreams,
                ...(health === false ? { healthCheck: false } : {}),
              },
            ],
          }
        : upstreams.length > 0
          ? {
              routes: [
                {
                  name: 'default',
                  ...(opts.algorithm ? { algorithm: opts.algorithm as never } : {}),
                  ...(hashOn ? { hashOn } : {}),
                  upstreams,
                  healthCheck: health,
                },
              ],
            }
          : {}),
    };
    if (opts.mode === 'tcp' && !opts.listen)
      throw new PorticoError('E_USAGE', '--mode tcp needs --listen host:port', { hint });
    const parsed = balancerConfigSchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new PorticoError(
        'E_USAGE',
        `${flagFor(issue.path as Array<string | number>)}: ${issueMessage(issue)}`,
        { hint },
      );
    }
    config = parsed.data;
  }
  const baseDir = opts.config ? dirname(resolve(cwd, opts.config)) : cwd;
  let spec = configToSpec(config, { tokens: { env, baseDir } });
  if (opts.admin === false || opts.admin === 'off') {
    // A new object rather than `delete`: a deleted property leaves V8's fast shape (hot path).
    const { admin: _admin, ...withoutAdmin } = spec;
    spec = withoutAdmin;
  } else if (typeof opts.admin === 'string' || opts.adminTokenEnv || opts.adminTokenFile) {
    const listen =
      typeof opts.admin === 'string'
        ? opts.admin
        : spec.admin
          ? formatHostPort(spec.admin.host, spec.admin.port)
          : '127.0.0.1:9901';
    if (opts.adminTokenEnv && opts.adminTokenFile)
      throw new PorticoError('E_USAGE', 'give one of --admin-token-env and --admin-token-file', { hint });
    const token =
      resolveAdminToken(
        { tokenEnv: opts.adminTokenEnv, tokenFile: opts.adminTokenFile },
        { env, baseDir: cwd, names: { env: '--admin-token-env', file: '--admin-token-file' } },
      ) ?? spec.admin?.token;
    spec.admin = parseAdmin(listen, token);
  } else if (!spec.admin) {
    spec.admin = { host: '127.0.0.1', port: 9901 };
  }
  return spec;
}

/** Flags that define routes would be silently dropped next to a config file: say so instead. */
function rejectRouteFlags(opts: ServeOptions, hint: string): void {
  const given = [
    opts.upstream?.length ? '--upstream' : '',
    opts.mode ? '--mode' : '',
    opts.algorithm ? '--algorithm' : '',
    opts.healthPath ? '--health-path' : '',
    opts.healthInterval ? '--health-interval' : '',
    opts.health === false ? '--no-health' : '',
    opts.hashHeader || opts.hashCookie || opts.hashIp ? '--hash-*' : '',
    opts.tlsListen || opts.redirectHttp ? '--tls-listen/--redirect-http' : '',
  ].filter(Boolean);
  if (given.length > 0)
    throw new PorticoError(
      'E_USAGE',
      `${given.join(', ')} cannot be combined with --config: put routes, TLS and health checks in the file`,
      { hint },
    );
}

/** Flags that make sense on top of a file (where to listen, logging, --catalog) override it. */
function withFlagOverrides(config: BalancerConfig, opts: ServeOptions, hint: string): BalancerConfig {
  const input: BalancerConfigInput = {
    ...(opts.listen ? { listen: opts.listen } : {}),
    ...(opts.upstreamHeader ? { upstreamHeader: opts.upstreamHeader } : {}),
    ...(opts.accessLog ? { accessLog: accessLogOf(opts.accessLog) } : {}),
    ...(opts.drainTimeout ? { drainTimeout: opts.drainTimeout } : {}),
  };
  const parsed = balancerConfigSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new PorticoError(
      'E_USAGE',
      `${flagFor(issue.path as Array<string | number>)}: ${issueMessage(issue)}`,
      {
        hint,
      },
    );
  }
  return {
    ...config,
    ...(opts.drainTimeout ? { drainTimeout: parsed.data.drainTimeout } : {}),
    ...(opts.listen ? { listen: parsed.data.listen } : {}),
    ...(opts.upstreamHeader ? { upstreamHeader: parsed.data.upstreamHeader } : {}),
    ...(opts.accessLog ? { accessLog: parsed.data.accessLog } : {}),
    ...(opts.catalog ? { catalog: true } : {}),
  };
}

function accessLogOf(value: string): BalancerConfigInput['accessLog'] {
  return value === 'stderr' || value === 'stdout' || value === 'off' ? value : { file: value };
}

function parseAdmin(listen: string, token: string | undefined): NonNullable<BalancerSpec['admin']> {
  const parsed = balancerConfigSchema.safeParse({ admin: { listen, ...(token ? { token } : {}) } });
  if (!parsed.success)
    throw new PorticoError('E_USAGE', `--admin: ${parsed.error.issues[0]!.message}`, {
      hint: 'Example: --admin 127.0.0.1:9901, or --no-admin.',
    });
  return configToSpec(parsed.data).admin!;
}

/**
 * A union's own message is zod's bare "Invalid input": name what the matching branch said
 * instead (a flag value is a string, so the string branch's complaint is the one that helps).
 */
function issueMessage(issue: { code: string; message: string; errors?: unknown }): string {
  if (issue.code !== 'invalid_union' || !Array.isArray(issue.errors)) return issue.message;
  for (const branch of issue.errors as Array<Array<{ code: string; message: string }>>) {
    const custom = branch.find((i) => i.code === 'custom');
    if (custom) return custom.message;
  }
  return issue.message;
}

function flagFor(path: Array<string | number>): string {
  const key = path.filter((p) => typeof p === 'string');
  if (key.includes('upstreams')) return '--upstream';
  if (key.includes('algorithm')) return '--algorithm';
  if (key.includes('hashOn')) return '--hash-header/--hash-cookie/--hash-ip';
  if (key.includes('healthCheck')) return '--health-path/--health-interval';
  if (key[0] === 'listen' || key.includes('listen')) return '--listen';
  if (key[0] === 'tls') return '--tls-listen';
  if (key[0] === 'drainTimeout') return '--drain-timeout';
  return key.join('.') || 'options';
}
