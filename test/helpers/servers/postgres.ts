import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../net.js';

/**
 * The PostgreSQL server binaries (initdb, pg_ctl): Debian keeps them per major version under
 * /usr/lib/postgresql/<major>/bin, off PATH; take the newest installed, else whatever PATH has.
 */
export const pgBin = findPgBin();

function findPgBin(): string {
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (majors[0]) return join(root, majors[0], 'bin');
  try {
    const initdb = execFileSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' }).trim();
    return initdb.slice(0, initdb.lastIndexOf('/'));
  } catch {
    return join(root, 'missing', 'bin');
  }
}

export interface PostgresServer {
  port: number;
  dir: string;
  /** Run SQL as the superuser over the unix socket. */
  sql(statement: string): string;
  /** pg_ctl with extra args as the postgres user. */
  ctl(...args: string[]): string;
  stop(): void;
}

/**
 * A throwaway PostgreSQL on 127.0.0.1 with known roles:
 * - `app` / password `app-secret`, allowed by pg_hba (scram), owns database `app`;
 * - `nohba` / password `x`, a real role with no pg_hba line (to produce "no pg_hba.conf entry");
 * - `postgres` trusted over the unix socket for setup.
 */
export async function startPostgres(): Promise<PostgresServer> {
  const dir = mkdtempSync(join(tmpdir(), 'portico-pg-'));
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }));
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }));
  chownSync(dir, uid, gid);
  const asPg = (cmd: string, args: string[]): string =>
    execFileSync('runuser', ['-u', 'postgres', '--', cmd, ...args], {
      encoding: 'utf8',
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  asPg(`${pgBin}/initdb`, ['-D', `${dir}/data`, '-U', 'postgres', '-A', 'trust', '--no-sync']);
  writeFileSync(
    `${dir}/data/pg_hba.conf`,
    [
      'local all postgres trust',
      'host all app 127.0.0.1/32 scram-sha-256',
      'host all app ::1/128 scram-sha-256',
      '',
    ].join('\n'),
  );
  const port = await freePort();
  const ctl = (...args: string[]): string => asPg(`${pgBin}/pg_ctl`, ['-D', `${dir}/data`, ...args]);
  ctl(
    '-l',
    `${dir}/pg.log`,
    '-o',
    `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off`,
    '-w',
    'start',
  );
  const sql = (statement: string): string =>
    asPg('psql', ['-h', dir, '-p', String(port), '-U', 'postgres', '-XAtqc', statement]);
  sql("CREATE ROLE app LOGIN PASSWORD 'app-secret'");
  sql("CREATE ROLE nohba LOGIN PASSWORD 'x'");
  sql('CREATE DATABASE app OWNER app');
  return {
    port,
    dir,
    sql,
    ctl,
    stop() {
      try {
        ctl('-m', 'immediate', 'stop');
      } catch {}
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
