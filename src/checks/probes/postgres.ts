import pg from 'pg';
import type { PostgresCheck } from '../../core/model.js';
import { classifyError, describeFailure } from '../../net/failure.js';
import { critical, type Probe, passing, portOf, warning } from '../probe.js';
import { isTrustedOrigin } from '../trust.js';
import { pgpassPassword } from './pgpass.js';
import { quietClientLibraries } from './quiet-console.js';
import { missingSecret, refuseSecret, secretFrom } from './secrets.js';

quietClientLibraries();

/** Thrown by the password callback when the server asks for a password and none is configured. */
class NoPassword extends Error {}

/**
 * Log in for real and run SELECT 1, so the answer separates the failures users confuse: wrong
 * password, no pg_hba.conf line for this client, a database that does not exist, a server that
 * is still starting, and nothing listening at all.
 *
 * The password: `passwordEnv` when set; otherwise, for checks the user defined (portico.yaml,
 * CLI), `PGPASSWORD` and then the password file, as psql does. A check from a label gets none
 * of these. It is given to pg as a callback, so pg never falls back on `process.env.PGPASSWORD`
 * or its own (deprecated, warning-printing) pgpass support, and it is read only when the server
 * asks for one.
 */
export const postgresProbe: Probe<PostgresCheck> = {
  kind: 'postgres',
  async run(check, target, ctx) {
    const refused = refuseSecret(check);
    if (refused) return refused;
    const password = secretFrom(check.passwordEnv, ctx.env);
    if (check.passwordEnv && password === undefined) return missingSecret(check.passwordEnv);
    const database = check.database ?? check.user;
    const port = portOf(check, target);
    const fallback = (): string | undefined =>
      isTrustedOrigin(check.origin)
        ? // an empty PGPASSWORD counts as unset, as libpq reads it
          ctx.env.PGPASSWORD ||
          pgpassPassword({ host: target.address, port, database, user: check.user }, ctx.env)
        : undefined;
    const client = new pg.Client({
      host: target.address,
      port,
      user: check.user,
      database,
      password: async () => {
        const p = check.passwordEnv ? password : fallback();
        if (p === undefined) throw new NoPassword('the server asks for a password and none is configured');
        return p;
      },
      connectionTimeoutMillis: ctx.timeoutMs,
      query_timeout: ctx.timeoutMs,
      application_name: 'portico-probe',
    });
    client.on('error', () => {}); // late socket errors after a failed connect must not crash the process
    const onAbort = (): void => {
      void client.end().catch(() => {});
    };
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    try {
      await client.connect();
      const r = await client.query<{ in_recovery: boolean }>('SELECT pg_is_in_recovery() AS in_recovery');
      if (r.rows[0]?.in_recovery)
        return warning(`logged in as ${check.user}; the server is a read-only standby`, 'standby');
      return passing(`logged in as ${check.user} to database ${check.database ?? check.user}`);
    } catch (error) {
      if (error instanceof NoPassword)
        return critical(
          `the server requires a password for ${check.user} and none is configured (passwordEnv, PGPASSWORD or ~/.pgpass)`,
          'auth_required',
        );
      return classifyPostgres(
        error as Error & { code?: string },
        check,
        `${target.address}:${portOf(check, target)}`,
      );
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
      await client.end().catch(() => {});
    }
  },
};

export function classifyPostgres(error: Error & { code?: string }, check: PostgresCheck, where: string) {
  const msg = error.message;
  switch (error.code) {
    case '28P01':
      return critical(`password authentication failed for user ${check.user}`, 'auth_failed');
    case '28000':
      if (/pg_hba\.conf/.test(msg))
        return critical(`no pg_hba.conf entry allows this client: ${msg}`, 'pg_hba');
      if (/role .* does not exist/.test(msg))
        return critical(`role ${check.user} does not exist`, 'role_missing');
      return critical(msg, 'auth_rejected');
    case '3D000':
      return critical(`database ${check.database ?? check.user} does not exist`, 'database_missing');
    case '57P03':
      return critical(`the server is not accepting connections yet: ${msg}`, 'not_ready');
    case '53300':
      return critical(`too many connections: ${msg}`, 'too_many_connections');
    default: {
      const kind = classifyError(error);
      if (kind !== 'other') return critical(describeFailure(kind, where), kind);
      if (/timeout/i.test(msg)) return critical(`no answer from ${where} within the timeout`, 'timeout');
      if (/terminated unexpectedly|Connection terminated/i.test(msg))
        return critical(`${where} closed the connection: ${msg}`, 'reset');
      return critical(msg, 'protocol_error');
    }
  }
}
