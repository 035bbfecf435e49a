import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseCheckSpec } from '../../src/checks/define.js';
import { runCheck } from '../../src/checks/run-check.js';
import { freePort } from '../helpers/net.js';
import { describeWith } from '../helpers/requirements.js';
import { type MariaDbServer, startMariaDb } from '../helpers/servers/mariadb.js';
import { type PostgresServer, pgBin, startPostgres } from '../helpers/servers/postgres.js';
import { type RedisServer, startRedis } from '../helpers/servers/redis.js';

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
