import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../net.js';
import { spawnTracked, stopProcess } from '../processes.js';
import { waitFor } from '../wait.js';

export interface MariaDbServer {
  port: number;
  sql(statement: string): string;
  stop(): Promise<void>;
}

/** MariaDB on 127.0.0.1 with user `app` / `app-secret` owning database `appdb`. */
export async function startMariaDb(): Promise<MariaDbServer> {
  const dir = mkdtempSync(join(tmpdir(), 'portico-mariadb-'));
  execFileSync(
    'mariadb-install-db',
    [`--datadir=${dir}/data`, '--user=root', '--auth-root-authentication-method=socket', '--skip-test-db'],
    {
      stdio: 'ignore',
    },
  );
  const port = await freePort();
  const socket = join(dir, 'mysqld.sock');
  const child = spawnTracked('mariadbd', [
    '--no-defaults',
    `--datadir=${dir}/data`,
    `--socket=${socket}`,
    `--port=${port}`,
    '--bind-address=127.0.0.1',
    '--user=root',
    `--pid-file=${dir}/mariadb.pid`,
    '--skip-log-bin',
    '--innodb-buffer-pool-size=16M',
    '--skip-name-resolve',
  ]);
  const sql = (statement: string): string =>
    execFileSync('mariadb', ['--no-defaults', '-S', socket, '-uroot', '-N', '-e', statement], {
      encoding: 'utf8',
    });
  await waitFor(() => sql('SELECT 1').trim() === '1', {
    what: 'mariadb up',
    timeoutMs: 30_000,
    intervalMs: 100,
  });
  sql(
    "CREATE USER 'app'@'127.0.0.1' IDENTIFIED BY 'app-secret'; CREATE DATABASE appdb; GRANT ALL ON appdb.* TO 'app'@'127.0.0.1';",
  );
  return {
    port,
    sql,
    async stop() {
      await stopProcess(child, 10_000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
