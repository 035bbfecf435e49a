import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ComposeProject } from '../../compose/model.js';
import { findVariableUses, mappingKey, referencesIn } from './references.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function project(files: Record<string, string>): ComposeProject {
  dir = mkdtempSync(join(tmpdir(), 'portico-refs-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return {
    name: 'p',
    files: [join(dir, 'compose.yaml')],
    workingDir: dir,
    services: [],
    inactiveServices: [],
    profiles: [],
    networks: {},
    ...(files['.env'] !== undefined ? { envFile: join(dir, '.env') } : {}),
    warnings: [],
  };
}

describe('referencesIn', () => {
  it('finds braced, bare and nested references and skips $$', () => {
    expect(referencesIn('$A ${B:-${C}} $$D ${E}').map((r) => r.name)).toEqual(['A', 'B', 'C', 'E']);
  });
});

describe('findVariableUses', () => {
  it('follows include and extends to other files', () => {
    const p = project({
      'compose.yaml':
        'include:\n  - path: [more.yaml]\nservices:\n  db:\n    extends: { file: base.yaml, service: b }\n',
      'more.yaml': 'services:\n  tool:\n    environment: { PG: "${DB_PORT}" }\n',
      'base.yaml': 'services:\n  b:\n    healthcheck: { test: "nc -z 127.0.0.1 ${DB_PORT}" }\n',
    });
    const where = findVariableUses(p)
      .filter((u) => u.name === 'DB_PORT')
      .map((u) => `${u.file.slice(dir!.length + 1)} ${u.where}`);
    expect(where.sort()).toEqual([
      'base.yaml services.b.healthcheck.test',
      'more.yaml services.tool.environment.PG',
    ]);
  });

  it('tells the host port of one entry from every other use, in compose, .env, env_file and aliases', () => {
    const p = project({
      'compose.yaml': [
        'x-port: &port "${DB_PORT}:5433"',
        'services:',
        '  db:',
        '    env_file: db.env',
        '    ports: ["${DB_PORT}:5432", "${IP}:${WEB}:${WEB}"]',
        '    environment: [DB_PORT]',
        '    healthcheck: { test: "pg_isready -p $${DB_PORT}" }',
        '  app:',
        '    ports: [*port]',
        '    environment: { URL: "postgres://db:${DB_PORT}/x" }',
      ].join('\n'),
      '.env': 'DB_PORT=5432\nURL2=x:${DB_PORT}\n',
      'db.env': 'PGPORT=${DB_PORT}\n',
      'compose.prod.yaml': 'services: { db: { ports: ["${DB_PORT}:5432"] } }\n',
    });
    const uses = findVariableUses(p);
    const db = uses.filter((u) => u.name === 'DB_PORT');
    const dbEntry = mappingKey({ file: p.files[0]!, service: 'db', index: 0 });
    expect(db.filter((u) => u.hostPortOf === dbEntry)).toHaveLength(1);
    const where = db
      .filter((u) => u.hostPortOf !== dbEntry)
      .map((u) => `${u.file.slice(dir!.length + 1)} ${u.where}`);
    expect(where).toEqual(
      expect.arrayContaining([
        'compose.yaml x-port',
        'compose.yaml services.db.environment.0',
        'compose.yaml services.app.environment.URL',
        'compose.prod.yaml services.db.ports.0',
        '.env URL2',
        'db.env PGPORT',
      ]),
    );
    // The alias in app's ports is a host-port use of app's entry; $${DB_PORT} is not a reference.
    expect(db.some((u) => u.hostPortOf === mappingKey({ file: p.files[0]!, service: 'app', index: 0 }))).toBe(
      true,
    );
    expect(db.some((u) => u.where.includes('healthcheck'))).toBe(false);
    // In "${IP}:${WEB}:${WEB}" only the middle WEB is the host port.
    const web = uses.filter((u) => u.name === 'WEB');
    expect(web.map((u) => u.hostPortOf !== undefined).sort()).toEqual([false, true]);
    expect(uses.find((u) => u.name === 'IP')?.hostPortOf).toBeUndefined();
  });
});
