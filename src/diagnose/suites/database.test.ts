import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/helpers/tmp.js';
import { loadComposeProject } from '../../compose/load.js';
import { targetsFromCompose } from './database.js';

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
