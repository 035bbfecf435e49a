import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/helpers/tmp.js';
import { loadComposeProject } from '../../compose/load.js';
import { passwordInUrlWarning, targetFromUrl, targetsFromCompose } from './database.js';

describe('targetsFromCompose', () => {
  it('finds published databases and the credentials their compose environment gives', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, '.env'), 'PG_PASSWORD=from-dotenv\n');
    writeFileSync(
      join(dir, 'compose.yaml'),
      `services:
  pg:
    image: postgres:16
    environment: { POSTGRES_USER: app, POSTGRES_PASSWORD: "\${PG_PASSWORD}" }
    ports: ["0.0.0.0:15432:5432"]
  maria:
    image: mariadb:11
    environment:
      - MARIADB_USER=shop
      - MARIADB_PASSWORD=s3cret
      - MARIADB_DATABASE=shop
    ports: ["127.0.0.1:13306:3306"]
  cache:
    image: redis:7
    ports: ["[::]:16379:6379"]
  internal-pg:
    image: postgres:16
  web:
    image: nginx
    ports: ["8080:80"]
`,
    );
    const project = await loadComposeProject({ cwd: dir, env: {} });
    const targets = targetsFromCompose(project);
    expect(targets.map((t) => [t.label, t.env, t.check])).toEqual([
      [
        'pg (compose, 127.0.0.1:15432)',
        { PORTICO_DB_PASSWORD: 'from-dotenv' },
        expect.objectContaining({
          kind: 'postgres',
          user: 'app',
          database: 'app',
          passwordEnv: 'PORTICO_DB_PASSWORD',
        }),
      ],
      [
        'maria (compose, 127.0.0.1:13306)',
        { PORTICO_DB_PASSWORD: 's3cret' },
        expect.objectContaining({ kind: 'mysql', user: 'shop', database: 'shop' }),
      ],
      ['cache (compose, ::1:16379)', {}, expect.not.objectContaining({ passwordEnv: expect.anything() })],
    ]);
  });
});

describe('targetFromUrl', () => {
  it('takes the password from the URL, else from --password-env, and keeps it out of the label', () => {
    const fromUrl = targetFromUrl('postgres://app:s3cret@127.0.0.1:5432/app');
    expect(fromUrl).toMatchObject({
      label: 'postgres://app:***@127.0.0.1:5432/app',
      env: { PORTICO_DB_PASSWORD: 's3cret' },
      check: { kind: 'postgres', user: 'app', origin: 'cli', passwordEnv: 'PORTICO_DB_PASSWORD' },
    });
    const fromEnv = targetFromUrl('redis://127.0.0.1:6379', { env: { R: 'pw' }, passwordEnv: 'R' });
    expect(fromEnv).toMatchObject({
      env: { PORTICO_DB_PASSWORD: 'pw' },
      check: { passwordEnv: 'PORTICO_DB_PASSWORD' },
    });
    expect(() => targetFromUrl('redis://127.0.0.1', { env: {}, passwordEnv: 'UNSET' })).toThrow(
      /--password-env UNSET: that variable is not set/,
    );
  });

  it('hands PostgreSQL targets only the variables psql would read for a password', () => {
    const t = targetFromUrl('postgres://app@db.local/app', {
      env: { PGPASSWORD: 'p', PGPASSFILE: '/f', HOME: '/h', AWS_SECRET_ACCESS_KEY: 'no' },
    });
    expect(t.env).toEqual({ PGPASSWORD: 'p', PGPASSFILE: '/f', HOME: '/h' });
    expect(t.check).not.toHaveProperty('passwordEnv');
    expect(targetFromUrl('redis://127.0.0.1', { env: { PGPASSWORD: 'p' } }).env).toEqual({});
  });

  it('warns only when the URL carries a password, and never repeats it', () => {
    const warning = passwordInUrlWarning('mysql://root:hunter2@127.0.0.1/shop');
    expect(warning).toMatch(/process list.*shell history.*--password-env/);
    expect(warning).toContain('mysql://root:***@127.0.0.1/shop');
    expect(warning).not.toContain('hunter2');
    expect(passwordInUrlWarning('mysql://root@127.0.0.1/shop')).toBeUndefined();
    expect(passwordInUrlWarning('not a url')).toBeUndefined();
  });
});
