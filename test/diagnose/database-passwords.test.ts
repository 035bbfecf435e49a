import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runPortico } from '../helpers/cli.js';
import { describeWith } from '../helpers/requirements.js';
import { type MariaDbServer, startMariaDb } from '../helpers/servers/mariadb.js';
import { type PostgresServer, pgBin, startPostgres } from '../helpers/servers/postgres.js';
import { type RedisServer, startRedis } from '../helpers/servers/redis.js';
import { tempDir } from '../helpers/tmp.js';

interface Doc {
  checks: Array<{ findings: Array<{ code: string }> }>;
}

const codes = (doc: Doc): string[] => doc.checks.map((c) => c.findings[0]?.code ?? 'ok');

/** What a client library prints on its own: none of it may reach Portico's stderr. */
const libraryNoise = /\[WARN\]|\[ERROR\]|\[ioredis\]|DeprecationWarning|Ignoring invalid|pgpass support/;

describeWith(
  [`${pgBin}/initdb`, 'runuser', 'redis-server', { root: true }],
  'database passwords stay out of argv (built CLI, real PostgreSQL and Redis)',
  () => {
    let pg: PostgresServer;
    let secured: RedisServer;
    let open: RedisServer;
    const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
      runPortico(['troubleshoot', 'database', ...args, '--json'], {
        cwd: tempDir(),
        env: { PORTICO_HOME: tempDir(), HOME: tempDir(), PGPASSWORD: '', ...env },
      });
    beforeAll(async () => {
      [pg, secured, open] = await Promise.all([
        startPostgres(),
        startRedis({ password: 'r-secret' }),
        startRedis(),
      ]);
    }, 120_000);
    afterAll(async () => {
      pg?.stop();
      await secured?.stop();
      await open?.stop();
    });

    it('--password-env NAME: logs in, and says nothing about the URL', async () => {
      const r = await run(
        [
          '--url',
          `postgres://app@127.0.0.1:${pg.port}/app`,
          '--url',
          `redis://127.0.0.1:${secured.port}`,
          '--password-env',
          'DB_PW',
        ],
        // one variable for both targets is enough here: each server checks its own password
        { DB_PW: 'app-secret' },
      );
      // Postgres logs in; Redis gets the same (wrong for it) password and says so.
      expect(codes(r.json<Doc>())).toEqual(['ok', 'DB_AUTH_FAILED']);
      expect(r.stderr).not.toMatch(/process list/);
      expect(r.stderr).not.toMatch(libraryNoise);
      const redis = await run(['--url', `redis://127.0.0.1:${secured.port}`, '--password-env', 'R_PW'], {
        R_PW: 'r-secret',
      });
      expect(redis.code).toBe(0);
    });

    it('an unset --password-env variable is a usage error (exit 2), not a login attempt', async () => {
      const r = await run([
        '--url',
        `postgres://app@127.0.0.1:${pg.port}/app`,
        '--password-env',
        'NOPE_UNSET',
      ]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--password-env NOPE_UNSET: that variable is not set/);
    });

    it('PGPASSWORD and ~/.pgpass work as they do for psql', async () => {
      const url = `postgres://app@127.0.0.1:${pg.port}/app`;
      expect(codes((await run(['--url', url])).json<Doc>())).toEqual(['DB_NO_PASSWORD']);
      expect((await run(['--url', url], { PGPASSWORD: 'app-secret' })).code).toBe(0);
      const home = tempDir();
      writeFileSync(join(home, '.pgpass'), `127.0.0.1:${pg.port}:app:app:app-secret\n`);
      chmodSync(join(home, '.pgpass'), 0o600);
      expect((await run(['--url', url], { HOME: home })).code).toBe(0);
      const file = join(tempDir(), 'pgpass');
      writeFileSync(file, `*:*:*:app:app-secret\n`);
      chmodSync(file, 0o600);
      expect((await run(['--url', url], { PGPASSFILE: file })).code).toBe(0);
    });

    it('warns when a --url carries its password, without printing it', async () => {
      const r = await run(['--url', `postgres://app:app-secret@127.0.0.1:${pg.port}/app`]);
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(
        /visible to other users in the process list.*shell history.*--password-env NAME/,
      );
      expect(r.stderr).toContain(`postgres://app:***@127.0.0.1:${pg.port}/app`);
      expect(r.stderr + r.stdout).not.toContain('app-secret');
    });

    it('prints no client-library warning lines for wrong or needless passwords', async () => {
      const r = await run(
        [
          '--url',
          `postgres://app@127.0.0.1:${pg.port}/app`,
          '--url',
          `redis://127.0.0.1:${secured.port}`,
          '--url',
          `redis://127.0.0.1:${open.port}`,
          '--password-env',
          'WRONG',
        ],
        { WRONG: 'WrongSecret9' },
      );
      // The needless password on the open Redis is what made ioredis print "[WARN] …".
      expect(codes(r.json<Doc>())).toEqual(['DB_AUTH_FAILED', 'DB_AUTH_FAILED', 'ok']);
      expect(r.stderr).not.toMatch(libraryNoise);
      expect(r.stderr + r.stdout).not.toContain('WrongSecret9');
    });
  },
);

describeWith(['mariadbd', 'mariadb-install-db', { root: true }], 'mysql password from --password-env', () => {
  let maria: MariaDbServer;
  beforeAll(async () => {
    maria = await startMariaDb();
  }, 120_000);
  afterAll(async () => maria?.stop());

  it('logs in with the variable and prints no library lines on a wrong one', async () => {
    const url = `mysql://app@127.0.0.1:${maria.port}/appdb`;
    const env = (pw: string) => ({ PORTICO_HOME: tempDir(), MY_PW: pw });
    const ok = await runPortico(
      ['troubleshoot', 'database', '--url', url, '--password-env', 'MY_PW', '--json'],
      {
        cwd: tempDir(),
        env: env('app-secret'),
      },
    );
    expect(ok.code).toBe(0);
    const bad = await runPortico(
      ['troubleshoot', 'database', '--url', url, '--password-env', 'MY_PW', '--json'],
      {
        cwd: tempDir(),
        env: env('WrongSecret8'),
      },
    );
    expect(codes(bad.json<Doc>())).toEqual(['DB_AUTH_FAILED']);
    expect(bad.stderr).not.toMatch(libraryNoise);
  });
});
