import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tcpConnect } from '../../../src/net/tcp.js';
import { freePort } from '../net.js';
import { spawnTracked, stopProcess } from '../processes.js';
import { waitFor } from '../wait.js';

export interface RedisServer {
  port: number;
  stop(): Promise<void>;
}

/**
 * redis-server on 127.0.0.1 in the foreground (stopped by pid). With `password`, the default
 * user needs it; user `alice` / `alice-secret` exists too (ACL).
 */
export async function startRedis(options: { password?: string } = {}): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'portico-redis-'));
  const port = await freePort();
  const conf = [
    `port ${port}`,
    'bind 127.0.0.1',
    `dir ${dir}`,
    'save ""',
    'appendonly no',
    options.password
      ? `user default on >${options.password} ~* &* +@all`
      : 'user default on nopass ~* &* +@all',
    'user alice on >alice-secret ~* &* +@all',
  ].join('\n');
  writeFileSync(join(dir, 'redis.conf'), `${conf}\n`);
  const child = spawnTracked('redis-server', [join(dir, 'redis.conf')]);
  await waitFor(async () => (await tcpConnect({ host: '127.0.0.1', port, timeoutMs: 200 })) !== undefined, {
    what: 'redis up',
  });
  return {
    port,
    async stop() {
      await stopProcess(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
