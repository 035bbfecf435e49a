import { checkDefaults } from '../../checks/define.js';
import { runCheck } from '../../checks/run-check.js';
import type { ComposeProject } from '../../compose/model.js';
import type { CheckDefinition, CheckResult } from '../../core/model.js';
import type { FindingCode } from '../codes.js';
import type { Check, Finding } from '../finding.js';

export interface DatabaseTarget {
  /** How the user sees it: "db (compose)", the URL without its password. */
  label: string;
  host: string;
  port: number;
  check: CheckDefinition;
  /** Credentials travel only in this private environment, never in output. */
  env: Record<string, string>;
}

const defaultPorts: Record<string, number> = {
  postgres: 5432,
  postgresql: 5432,
  redis: 6379,
  rediss: 6379,
  mysql: 3306,
  mariadb: 3306,
};

export interface UrlTargetOptions {
  /** Portico's environment: where `passwordEnv`, PGPASSWORD and PGPASSFILE are read. */
  env?: NodeJS.ProcessEnv;
  /** `--password-env NAME`: the password is in this variable (used when the URL has none). */
  passwordEnv?: string;
}

/** Variables the postgres probe may read for a password the user gave outside the URL. */
const postgresPasswordVariables = ['PGPASSWORD', 'PGPASSFILE', 'HOME'];

/**
 * postgres://user@host:5432/db, redis://host:6379, mysql://user@host/db. The password comes
 * from the URL (with a warning: see passwordInUrlWarning), else from `--password-env NAME`,
 * else, for PostgreSQL, from PGPASSWORD or the password file as psql takes it.
 */
export function targetFromUrl(text: string, options: UrlTargetOptions = {}): DatabaseTarget {
  const url = new URL(text);
  const scheme = url.protocol.replace(':', '');
  const port = Number(url.port || defaultPorts[scheme] || 0);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!host) throw new Error('the URL names no host (e.g. redis://127.0.0.1:6379)');
  const user = decodeURIComponent(url.username);
  let password = decodeURIComponent(url.password) || undefined;
  if (password === undefined && options.passwordEnv) {
    password = options.env?.[options.passwordEnv];
    if (password === undefined)
      throw new Error(`--password-env ${options.passwordEnv}: that variable is not set in this environment`);
  }
  const database = url.pathname.replace(/^\//, '') || undefined;
  const inherited: Record<string, string> = {};
  if (scheme.startsWith('postgres'))
    for (const name of postgresPasswordVariables) {
      const value = options.env?.[name];
      if (value !== undefined) inherited[name] = value;
    }
  const env: Record<string, string> = {
    ...inherited,
    ...(password ? { PORTICO_DB_PASSWORD: password } : {}),
  };
  const common = {
    id: scheme,
    origin: 'cli' as const,
    ...checkDefaults,
    ...(password ? { passwordEnv: 'PORTICO_DB_PASSWORD' } : {}),
  };
  url.password = password ? '***' : '';
  const label = url.toString();
  if (scheme.startsWith('postgres'))
    return {
      label,
      host,
      port,
      env,
      check: { ...common, kind: 'postgres', user: user || 'postgres', ...(database ? { database } : {}) },
    };
  if (scheme.startsWith('redis'))
    return {
      label,
      host,
      port,
      env,
      check: { ...common, kind: 'redis', ...(user ? { username: user } : {}) },
    };
  if (scheme === 'mysql' || scheme === 'mariadb')
    return {
      label,
      host,
      port,
      env,
      check: { ...common, kind: 'mysql', user: user || 'root', ...(database ? { database } : {}) },
    };
  throw new Error(`unsupported database URL scheme "${scheme}" (postgres, redis, mysql, mariadb)`);
}

/**
 * Databases of a compose project, with the credentials its own environment gives them
 * (POSTGRES_USER/PASSWORD/DB, MYSQL_*, MARIADB_*, REDIS_PASSWORD), tested through the
 * published port.
 */
/** A warning for a `--url` that carries its password, or undefined. */
export function passwordInUrlWarning(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (!url.password) return undefined;
  url.password = '***';
  return `--url ${url.toString()}: a password in the URL is visible to other users in the process list and stays in your shell history; put it in a variable and pass --password-env NAME (for PostgreSQL, PGPASSWORD or ~/.pgpass work too)`;
}

export function targetsFromCompose(project: ComposeProject): DatabaseTarget[] {
  const out: DatabaseTarget[] = [];
  for (const svc of project.services) {
    const engine = composeEngines.find((x) => x.image.test(svc.image ?? ''));
    if (!engine) continue;
    const p = svc.ports.find((x) => x.containerPort === engine.port && x.hostPort !== undefined);
    if (!p) continue;
    const host = !p.hostIp || p.hostIp === '0.0.0.0' ? '127.0.0.1' : p.hostIp === '::' ? '::1' : p.hostIp;
    const { password, check } = engine.credentials(svc.environment);
    out.push({
      label: `${svc.name} (compose, ${host}:${p.hostPort})`,
      host,
      port: p.hostPort!,
      env: password ? { PORTICO_DB_PASSWORD: password } : {},
      check: {
        ...checkDefaults,
        origin: 'compose',
        ...check,
        ...(password ? { passwordEnv: 'PORTICO_DB_PASSWORD' } : {}),
      } as DatabaseTarget['check'],
    });
  }
  return out;
}

type Env = Record<string, string>;

/** Database images Portico recognises in compose, their port, and the credentials their env gives. */
const composeEngines: Array<{
  image: RegExp;
  port: number;
  credentials(e: Env): { password: string | undefined; check: Record<string, unknown> };
}> = [
  {
    image: /postgres/,
    port: 5432,
    credentials: (e) => ({
      password: e.POSTGRES_PASSWORD,
      check: {
        id: 'postgres',
        kind: 'postgres',
        user: e.POSTGRES_USER ?? 'postgres',
        database: e.POSTGRES_DB ?? e.POSTGRES_USER ?? 'postgres',
      },
    }),
  },
  {
    image: /mysql|mariadb/,
    port: 3306,
    credentials: (e) => {
      const user = e.MYSQL_USER ?? e.MARIADB_USER ?? 'root';
      const database = e.MYSQL_DATABASE ?? e.MARIADB_DATABASE;
      return {
        password:
          (user === 'root'
            ? (e.MYSQL_ROOT_PASSWORD ?? e.MARIADB_ROOT_PASSWORD)
            : (e.MYSQL_PASSWORD ?? e.MARIADB_PASSWORD)) || undefined,
        check: { id: 'mysql', kind: 'mysql', user, ...(database ? { database } : {}) },
      };
    },
  },
  {
    image: /redis|valkey/,
    port: 6379,
    credentials: (e) => ({ password: e.REDIS_PASSWORD, check: { id: 'redis', kind: 'redis' } }),
  },
];

const byReason: Record<string, { code: FindingCode; why: string; fix: (t: DatabaseTarget) => string }> = {
  auth_failed: {
    code: 'DB_AUTH_FAILED',
    why: 'The server is up, but it rejects these credentials: every client using them fails at login.',
    fix: () =>
      'Check the user and password the client uses against the server (for compose, the *_PASSWORD variables take effect only when the data volume is first created).',
  },
  auth_required: {
    code: 'DB_NO_PASSWORD',
    why: 'The server requires authentication and the client sends none.',
    fix: () => "Give the client the password (REDIS_PASSWORD / requirepass, the URL's password).",
  },
  pg_hba: {
    code: 'DB_PG_HBA',
    why: "PostgreSQL's host-based authentication has no line for this user, database and client address, so it refuses before checking the password.",
    fix: () =>
      'Add a line to pg_hba.conf for this user/database/address (e.g. host all app 172.16.0.0/12 scram-sha-256) and reload.',
  },
  role_missing: {
    code: 'DB_AUTH_FAILED',
    why: 'The role does not exist on this server.',
    fix: () => 'Create the role, or use the user the server knows.',
  },
  database_missing: {
    code: 'DB_MISSING',
    why: 'Login works but the database named by the client does not exist.',
    fix: () =>
      'Create the database (or run the migrations that do), or fix the database name in the client configuration.',
  },
  database_denied: {
    code: 'DB_MISSING',
    why: 'The user may not use that database (or it does not exist).',
    fix: () => 'Grant the user access to the database, or fix its name.',
  },
  not_ready: {
    code: 'DB_NOT_READY',
    why: 'The server is starting, shutting down or recovering: clients are refused for now.',
    fix: () =>
      'Wait for it to be ready (use a healthcheck + depends_on: condition: service_healthy in compose), or see why it is restarting.',
  },
};

export function databaseChecks(targets: DatabaseTarget[]): Check[] {
  return targets.map((t) => ({
    id: `database:${t.label}`,
    category: 'database' as const,
    title: `Database ${t.label}`,
    async run(ctx) {
      const r: CheckResult = await runCheck(
        t.check,
        { address: t.host, port: t.port },
        { signal: ctx.signal, env: t.env },
      );
      ctx.note(
        `${t.check.kind} ${t.host}:${t.port}: ${r.status} — ${r.output} (${r.durationMs.toFixed(0)}ms)`,
      );
      if (r.status === 'passing') return [];
      const known = r.reason ? byReason[r.reason] : undefined;
      const finding: Finding = {
        code: known?.code ?? 'DB_UNREACHABLE',
        severity: 'error',
        title: `${t.label}: ${r.output}`,
        evidence: [`${t.check.kind} login at ${t.host}:${t.port} → ${r.reason ?? 'failed'}: ${r.output}`],
        why:
          known?.why ??
          'The database cannot be reached, so the services that need it fail at start or on every query.',
        fix:
          known?.fix(t) ??
          `Check that the database runs and listens on ${t.host}:${t.port}: portico troubleshoot connectivity ${t.host}:${t.port}`,
        data: { reason: r.reason ?? null, kind: t.check.kind },
      };
      return [finding];
    },
  }));
}
