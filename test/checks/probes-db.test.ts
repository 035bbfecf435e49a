import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseCheckSpec, parseCheckSpecFrom } from '../../src/checks/define.js';
import { runCheck } from '../../src/checks/run-check.js';
import { freePort } from '../helpers/net.js';
import { describeWith } from '../helpers/requirements.js';
import { type MariaDbServer, startMariaDb } from '../helpers/servers/mariadb.js';
import { type PostgresServer, pgBin, startPostgres } from '../helpers/servers/postgres.js';
import { type RedisServer, startRedis } from '../helpers/servers/redis.js';
import { tempDir } from '../helpers/tmp.js';

const env = {
  PG_APP: 'app-secret',
  PG_WRONG: 'nope',
  PG_NOHBA: 'x',
  REDIS_PW: 'r-secret',
  REDIS_WRONG: 'bad',
  ALICE: 'alice-secret',
  MY_APP: 'app-secret',
  MY_WRONG: 'bad',
};
const at = (port: number) => ({ address: '127.0.0.1', port });
const check = (spec: string, port: number) => runCheck(parseCheckSpec(spec), at(port), { env });

describeWith(
  [`${pgBin}/initdb`, 'runuser', { root: true }],
  'postgres probe against a real PostgreSQL 15',
  () => {
    let server: PostgresServer;
    beforeAll(async () => {
      server = await startPostgres();
    });
    afterAll(() => server?.stop());

    it('passes with the right password', async () => {
      expect(await check('postgres:app,database=app,passwordEnv=PG_APP', server.port)).toMatchObject({
        status: 'passing',
      });
    });
    it('classifies wrong password, missing pg_hba line, missing database and missing role', async () => {
      expect(await check('postgres:app,database=app,passwordEnv=PG_WRONG', server.port)).toMatchObject({
        reason: 'auth_failed',
      });
      expect(await check('postgres:nohba,database=app,passwordEnv=PG_NOHBA', server.port)).toMatchObject({
        reason: 'pg_hba',
      });
      expect(await check('postgres:app,database=nosuchdb,passwordEnv=PG_APP', server.port)).toMatchObject({
        reason: 'database_missing',
      });
      const noRole = await check('postgres:ghost,passwordEnv=PG_APP', server.port);
      expect(['pg_hba', 'role_missing']).toContain(noRole.reason);
    });
    it('says when the password variable is not set, without sending anything', async () => {
      expect(await check('postgres:app,passwordEnv=UNSET_VAR', server.port)).toMatchObject({
        reason: 'config',
      });
    });
    it('takes the password from PGPASSWORD or the password file when no passwordEnv is set', async () => {
      const run = (extra: NodeJS.ProcessEnv) =>
        runCheck(parseCheckSpec('postgres:app,database=app'), at(server.port), {
          env: { HOME: tempDir(), ...extra },
        });
      expect(await run({})).toMatchObject({ status: 'critical', reason: 'auth_required' });
      expect(await run({ PGPASSWORD: 'app-secret' })).toMatchObject({ status: 'passing' });
      const file = join(tempDir(), 'pgpass');
      writeFileSync(
        file,
        `# comment\n127.0.0.1:1:app:app:not-this-port\n127.0.0.1:${server.port}:*:app:app-secret\n`,
      );
      chmodSync(file, 0o600);
      expect(await run({ PGPASSFILE: file })).toMatchObject({ status: 'passing' });
      // As libpq does, a password file others can read is ignored.
      chmodSync(file, 0o644);
      expect(await run({ PGPASSFILE: file })).toMatchObject({ reason: 'auth_required' });
    });
    it("never gives a labelled check Portico's PGPASSWORD or password file, not even through process.env", async () => {
      const labelled = parseCheckSpecFrom('postgres:app,database=app', 'label');
      const saved = process.env.PGPASSWORD;
      process.env.PGPASSWORD = 'app-secret';
      try {
        expect(
          await runCheck(labelled, at(server.port), { env: { PGPASSWORD: 'app-secret', HOME: tempDir() } }),
        ).toMatchObject({ status: 'critical', reason: 'auth_required' });
      } finally {
        if (saved === undefined) delete process.env.PGPASSWORD;
        else process.env.PGPASSWORD = saved;
      }
    });
    it('classifies "not accepting connections" while the server shuts down', async () => {
      const holder = new pg.Client({
        host: '127.0.0.1',
        port: server.port,
        user: 'app',
        password: 'app-secret',
        database: 'app',
      });
      await holder.connect();
      // A smart shutdown waits for existing sessions and turns new ones away with 57P03.
      server.ctl('-m', 'smart', '-W', 'stop');
      try {
        const r = await check('postgres:app,database=app,passwordEnv=PG_APP', server.port);
        expect(r).toMatchObject({ status: 'critical', reason: 'not_ready' });
      } finally {
        await holder.end();
      }
    });
    it('classifies refused once the server is gone', async () => {
      const port = await freePort();
      expect(await check('postgres:app,passwordEnv=PG_APP', port)).toMatchObject({ reason: 'refused' });
    });
  },
);

describeWith(['redis-server'], 'redis probe against a real Redis 7', () => {
  let secured: RedisServer;
  let open: RedisServer;
  beforeAll(async () => {
    [secured, open] = await Promise.all([startRedis({ password: 'r-secret' }), startRedis()]);
  });
  afterAll(async () => {
    await secured?.stop();
    await open?.stop();
  });

  it('passes with and without auth as configured', async () => {
    expect(await check('redis,passwordEnv=REDIS_PW', secured.port)).toMatchObject({
      status: 'passing',
      output: 'PING → PONG',
    });
    expect(await check('redis', open.port)).toMatchObject({ status: 'passing' });
    expect(await check('redis,username=alice,passwordEnv=ALICE', secured.port)).toMatchObject({
      status: 'passing',
    });
  });
  it('tells NOAUTH from WRONGPASS', async () => {
    expect(await check('redis', secured.port)).toMatchObject({ status: 'critical', reason: 'auth_required' });
    expect(await check('redis,passwordEnv=REDIS_WRONG', secured.port)).toMatchObject({
      status: 'critical',
      reason: 'auth_failed',
    });
  });
  it('passes when a password is configured but the server needs none', async () => {
    expect(await check('redis,passwordEnv=REDIS_PW', open.port)).toMatchObject({
      status: 'passing',
      output: expect.stringContaining('asks for no password'),
    });
  });
  it('classifies refused', async () => {
    expect(await check('redis', await freePort())).toMatchObject({ reason: 'refused' });
  });
});

describeWith(['mariadbd', 'mariadb-install-db', { root: true }], 'mysql probe against a real MariaDB', () => {
  let server: MariaDbServer;
  beforeAll(async () => {
    server = await startMariaDb();
  }, 120_000);
  afterAll(async () => server?.stop());

  it('passes, and classifies access denied and unknown database', async () => {
    expect(await check('mysql:app,database=appdb,passwordEnv=MY_APP', server.port)).toMatchObject({
      status: 'passing',
    });
    expect(await check('mysql:app,database=appdb,passwordEnv=MY_WRONG', server.port)).toMatchObject({
      reason: 'auth_failed',
    });
    expect(await check('mysql:app,database=nosuch,passwordEnv=MY_APP', server.port)).toMatchObject({
      reason: expect.stringMatching(/database_missing|database_denied/),
    });
  });
  it('classifies refused', async () => {
    expect(await check('mysql:app,passwordEnv=MY_APP', await freePort())).toMatchObject({
      reason: 'refused',
    });
  });
});
