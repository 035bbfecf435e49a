import { Redis } from 'ioredis';
import type { RedisCheck } from '../../core/model.js';
import { classifyError, describeFailure } from '../../net/failure.js';
import { critical, type Probe, passing, portOf } from '../probe.js';
import { quietClientLibraries } from './quiet-console.js';
import { missingSecret, refuseSecret, secretFrom } from './secrets.js';

quietClientLibraries();

/**
 * AUTH (when configured) and PING; NOAUTH, WRONGPASS and LOADING are told apart. AUTH is sent
 * by the probe, not through ioredis's `password` option: ioredis then prints its own
 * "[WARN] … a password was supplied" lines on stderr, and the answer is ours to classify.
 */
export const redisProbe: Probe<RedisCheck> = {
  kind: 'redis',
  async run(check, target, ctx) {
    const refused = refuseSecret(check);
    if (refused) return refused;
    const password = secretFrom(check.passwordEnv, ctx.env);
    if (check.passwordEnv && password === undefined) return missingSecret(check.passwordEnv);
    const where = `${target.address}:${portOf(check, target)}`;
    const client = new Redis({
      host: target.address,
      port: portOf(check, target),
      lazyConnect: true,
      connectTimeout: ctx.timeoutMs,
      commandTimeout: ctx.timeoutMs,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      enableReadyCheck: false,
      retryStrategy: () => null,
    });
    // ioredis rejects connect() with a generic "Connection is closed"; the cause (ECONNREFUSED,
    // WRONGPASS…) only arrives as an 'error' event, so keep it for the classification.
    let cause: (Error & { code?: string }) | undefined;
    client.on('error', (error: Error & { code?: string }) => {
      cause ??= error;
    });
    const onAbort = (): void => client.disconnect();
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    try {
      await client.connect();
      let note = '';
      if (password !== undefined) {
        try {
          await (check.username ? client.auth(check.username, password) : client.auth(password));
        } catch (error) {
          if (!/no password is set|without any password configured/i.test((error as Error).message))
            throw error;
          note = ' (the server asks for no password; the configured one was not needed)';
        }
      }
      const pong = await client.ping();
      return passing(`PING → ${pong}${note}`);
    } catch (error) {
      return classifyRedis(cause ?? (error as Error & { code?: string }), where);
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
      client.disconnect();
    }
  },
};

export function classifyRedis(error: Error & { code?: string }, where: string) {
  const msg = error.message;
  if (/^NOAUTH/.test(msg))
    return critical('the server requires a password and none was sent (NOAUTH)', 'auth_required');
  if (/^WRONGPASS|invalid password|invalid username-password/i.test(msg)) {
    return critical('wrong password or user (WRONGPASS)', 'auth_failed');
  }
  if (/^LOADING/.test(msg)) return critical('the server is loading its dataset (LOADING)', 'not_ready');
  if (/^NOPERM/.test(msg)) return critical(`the user lacks permission: ${msg}`, 'permission_denied');
  const kind = classifyError(error);
  if (kind !== 'other') return critical(describeFailure(kind, where), kind);
  if (/timed? ?out/i.test(msg)) return critical(`no answer from ${where} within the timeout`, 'timeout');
  return critical(msg, 'protocol_error');
}
