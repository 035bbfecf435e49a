import pg from 'pg';
import type { PostgresCheck } from '../../core/model.js';
import { classifyError, describeFailure } from '../../net/failure.js';
import { critical, type Probe, passing, portOf, warning } from '../probe.js';
import { missingSecret, secretFrom } from './secrets.js';

/**
 * Log in for real and run SELECT 1, so the answer separates the failures users confuse: wrong
 * password, no pg_hba.conf line for this client, a database that does not exist, a server that
 * is still starting, and nothing listening at all.
 */
export const postgresProbe: Probe<PostgresCheck> = {
  kind: 'postgres',
  async run(check, target, ctx) {
    const password = secretFrom(check.passwordEnv, ctx.env);
    if (check.passwordEnv && password === undefined) return missingSecret(check.passwordEnv);
    const client = new pg.Client({
      host: target.address,
      port: portOf(check, target),
      user: check.user,
      database: check.database ?? check.user,
      ...(password !== undefined ? { password } : {}),
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
