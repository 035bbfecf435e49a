import mysql from 'mysql2/promise';
import type { MysqlCheck } from '../../core/model.js';
import { classifyError, describeFailure } from '../../net/failure.js';
import { critical, type Probe, passing, portOf } from '../probe.js';
import { quietClientLibraries } from './quiet-console.js';
import { missingSecret, refuseSecret, secretFrom } from './secrets.js';

quietClientLibraries();

/** Log in and ping; access denied, unknown database and host-not-allowed are told apart. */
export const mysqlProbe: Probe<MysqlCheck> = {
  kind: 'mysql',
  async run(check, target, ctx) {
    const refused = refuseSecret(check);
    if (refused) return refused;
    const password = secretFrom(check.passwordEnv, ctx.env);
    if (check.passwordEnv && password === undefined) return missingSecret(check.passwordEnv);
    const where = `${target.address}:${portOf(check, target)}`;
    let connection: mysql.Connection | undefined;
    const onAbort = (): void => connection?.destroy();
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    try {
      connection = await mysql.createConnection({
        host: target.address,
        port: portOf(check, target),
        user: check.user,
        ...(password !== undefined ? { password } : {}),
        ...(check.database ? { database: check.database } : {}),
        connectTimeout: ctx.timeoutMs,
      });
      connection.on('error', () => {});
      await connection.ping();
      return passing(`logged in as ${check.user}${check.database ? ` to database ${check.database}` : ''}`);
    } catch (error) {
      return classifyMysql(error as Error & { code?: string; errno?: number }, check, where);
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
      await connection?.end().catch(() => connection?.destroy());
    }
  },
};

export function classifyMysql(
  error: Error & { code?: string; errno?: number },
  check: MysqlCheck,
  where: string,
) {
  switch (error.errno) {
    case 1045:
      return critical(`access denied for user ${check.user} (wrong password or no such user)`, 'auth_failed');
    case 1049:
      return critical(`database ${check.database} does not exist`, 'database_missing');
    case 1044:
      return critical(`user ${check.user} may not use database ${check.database}`, 'database_denied');
    case 1130:
      return critical(`this host is not allowed to connect: ${error.message}`, 'host_not_allowed');
    case 1040:
      return critical('too many connections', 'too_many_connections');
  }
  const kind = classifyError(error);
  if (kind !== 'other') return critical(describeFailure(kind, where), kind);
  if (/timeout/i.test(error.message))
    return critical(`no answer from ${where} within the timeout`, 'timeout');
  return critical(error.message, 'protocol_error');
}
