import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caddyRoutes } from '../../src/diagnose/gateway/caddy.js';
import { haproxyRoutes } from '../../src/diagnose/gateway/haproxy.js';
import { nginxRoutes } from '../../src/diagnose/gateway/nginx.js';
import { runPortico } from '../helpers/cli.js';
import { freePort } from '../helpers/net.js';
import { describeWith } from '../helpers/requirements.js';
import { type MariaDbServer, startMariaDb } from '../helpers/servers/mariadb.js';
import { type PostgresServer, pgBin, startPostgres } from '../helpers/servers/postgres.js';
import { type RedisServer, startRedis } from '../helpers/servers/redis.js';
import { tempDir } from '../helpers/tmp.js';
import { waitFor } from '../helpers/wait.js';

interface Doc {
  checks: Array<{
    findings: Array<{ code: string; title: string; evidence: string[]; data?: Record<string, unknown> }>;
  }>;
}
const findings = (d: Doc) => d.checks.flatMap((c) => c.findings);

describe('gateway configuration readers', () => {
  it('reads nginx upstreams, server names, locations and timeouts', () => {
    const g = nginxRoutes(
      `http { proxy_read_timeout 30s;
        upstream api { server 127.0.0.1:9001; server 127.0.0.1:9002 max_fails=2; }
        server { listen 80; server_name api.local;   # comment
          location /v1/ { proxy_pass http://api; proxy_read_timeout 5s; }
          location / { proxy_pass http://127.0.0.1:9003; } } }`,
      'nginx.conf',
    );
    expect(g.routes).toMatchObject([
      {
        hosts: ['api.local'],
        pathPrefix: '/v1/',
        upstreams: [
          { host: '127.0.0.1', port: 9001 },
          { host: '127.0.0.1', port: 9002 },
        ],
        readTimeoutMs: 5000,
        activeHealthChecks: false,
      },
      { pathPrefix: '/', upstreams: [{ port: 9003 }], readTimeoutMs: 30_000 },
    ]);
  });
  it('reads HAProxy backends, host ACLs and millisecond timeouts', () => {
    const g = haproxyRoutes(
      'defaults\n  timeout server 2000\n  timeout connect 500\nfrontend f\n  bind :80\n  acl is_api hdr(host) -i api.local\n  use_backend be_api if is_api\nbackend be_api\n  timeout server 3s\n  server a 127.0.0.1:9001 check\n',
      'haproxy.cfg',
    );
    expect(g.routes).toMatchObject([
      {
        hosts: ['api.local'],
        upstreams: [{ port: 9001 }],
        readTimeoutMs: 3000,
        connectTimeoutMs: 500,
        activeHealthChecks: true,
      },
    ]);
  });
  it('reads Caddy sites and reverse_proxy blocks', () => {
    const g = caddyRoutes(
      'api.local {\n  reverse_proxy /v1/* 127.0.0.1:9001 127.0.0.1:9002 {\n    transport http {\n      response_header_timeout 2s\n    }\n  }\n}\n',
      'Caddyfile',
    );
    expect(g.routes).toMatchObject([
      {
        hosts: ['api.local'],
        pathPrefix: '/v1/',
        upstreams: [{ port: 9001 }, { port: 9002 }],
        readTimeoutMs: 2000,
      },
    ]);
  });
});

describeWith(['nginx'], 'api-gateway against a real nginx with a dead and a slow upstream', () => {
  const dir = tempDir();
  let slowPort: number;
  let deadPort: number;
  let nginxPort: number;
  const slowServer = createServer((_q, r) => setTimeout(() => r.end('late'), 1500));
  beforeAll(async () => {
    await new Promise<void>((r) => slowServer.listen(0, '127.0.0.1', () => r()));
    slowPort = (slowServer.address() as AddressInfo).port;
    deadPort = await freePort();
    nginxPort = await freePort();
    mkdirSync(join(dir, 'tmp'));
    const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
      .map((t) => `${t}_temp_path ${dir}/tmp/${t};`)
      .join(' ');
    writeFileSync(
      join(dir, 'nginx.conf'),
      `pid ${dir}/nginx.pid; error_log ${dir}/error.log; events {}
http { access_log off; ${temp}
  server { listen 127.0.0.1:${nginxPort}; server_name shop.local;
    location /slow { proxy_pass http://127.0.0.1:${slowPort}; proxy_read_timeout 1s; }
    location /dead { proxy_pass http://127.0.0.1:${deadPort}; } } }\n`,
    );
    execFileSync('nginx', ['-c', join(dir, 'nginx.conf'), '-p', `${dir}/`, '-e', join(dir, 'error.log')]);
    await waitFor(async () => (await request(`http://127.0.0.1:${nginxPort}/slow`)).statusCode > 0);
  });
  afterAll(() => {
    slowServer.close();
    try {
      execFileSync('nginx', ['-c', join(dir, 'nginx.conf'), '-p', `${dir}/`, '-s', 'quit']);
    } catch {}
  });

  it('explains the 504 (with both numbers) and the 502 that nginx really returns', async () => {
    expect((await request(`http://127.0.0.1:${nginxPort}/slow`)).statusCode).toBe(504);
    expect((await request(`http://127.0.0.1:${nginxPort}/dead`)).statusCode).toBe(502);
    const r = await runPortico(
      ['troubleshoot', 'api-gateway', '--config', 'nginx.conf', '--host', 'other.local', '--json'],
      { cwd: dir, env: { PORTICO_HOME: tempDir() } },
    );
    expect(r.code).toBe(1);
    const all = findings(r.json<Doc>());
    const slow = all.find((f) => f.code === 'GW_UPSTREAM_SLOW')!;
    expect(slow.title).toMatch(
      new RegExp(`127\\.0\\.0\\.1:${slowPort} needs 1[45]\\d\\dms to answer, but nginx waits only 1000ms`),
    );
    const dead = all.find((f) => f.code === 'GW_UPSTREAM_DOWN')!;
    expect(dead.title).toContain(`127.0.0.1:${deadPort} refuses connections: the gateway answers 502`);
    expect(all.map((f) => f.code)).toContain('GW_NO_ROUTE');
  });
});

describeWith(
  [`${pgBin}/initdb`, 'runuser', 'redis-server', 'mariadbd', { root: true }],
  'database suite against real servers',
  () => {
    let pg: PostgresServer;
    let redis: RedisServer;
    let maria: MariaDbServer;
    beforeAll(async () => {
      [pg, redis, maria] = await Promise.all([
        startPostgres(),
        startRedis({ password: 'r-secret' }),
        startMariaDb(),
      ]);
    }, 120_000);
    afterAll(async () => {
      pg?.stop();
      await redis?.stop();
      await maria?.stop();
    });

    it('classifies wrong credentials, missing pg_hba lines and missing databases, and never prints passwords', async () => {
      const urls = [
        `postgres://app:WrongSecret1@127.0.0.1:${pg.port}/app`,
        `postgres://nohba:x@127.0.0.1:${pg.port}/app`,
        `postgres://app:app-secret@127.0.0.1:${pg.port}/nosuchdb`,
        `postgres://app:app-secret@127.0.0.1:${pg.port}/app`,
        `redis://:WrongSecret2@127.0.0.1:${redis.port}`,
        `redis://127.0.0.1:${redis.port}`,
        `mysql://app:WrongSecret3@127.0.0.1:${maria.port}/appdb`,
        `mysql://app:app-secret@127.0.0.1:${maria.port}/nosuchdb`,
      ];
      const r = await runPortico(
        ['troubleshoot', 'database', ...urls.flatMap((u) => ['--url', u]), '--json'],
        { env: { PORTICO_HOME: tempDir() }, cwd: tempDir() },
      );
      expect(r.code).toBe(1);
      const doc = r.json<Doc>();
      expect(doc.checks.map((c) => c.findings.map((f) => f.code)[0] ?? 'ok')).toEqual([
        'DB_AUTH_FAILED',
        'DB_PG_HBA',
        'DB_MISSING',
        'ok',
        'DB_AUTH_FAILED',
        'DB_NO_PASSWORD',
        'DB_AUTH_FAILED',
        'DB_MISSING',
      ]);
      for (const secret of ['WrongSecret1', 'WrongSecret2', 'WrongSecret3', 'app-secret']) {
        expect(r.stdout).not.toContain(secret);
        expect(r.stderr).not.toContain(secret);
      }
    });
  },
);
