import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPortico } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { brief, fixtures, type PolicyDoc, projectFrom } from './project.js';

const env = () => ({ PORTICO_HOME: tempDir() });

describe('plaintext-between-tiers', () => {
  it('flags plaintext connections between the tiers policy.requireTls names, in both directions', async () => {
    const r = await runPortico(['policy', '--json'], { cwd: join(fixtures, 'tls-bad'), env: env() });
    expect(r.code).toBe(1);
    const doc = r.json<PolicyDoc>();
    // web -> api is plaintext too, but frontend/api is not a pair that requires TLS; api -> orders
    // is https. The list-syntax entry is located at its item.
    expect(brief(doc)).toEqual([
      'plaintext-between-tiers api 10:7',
      'plaintext-between-tiers api 11:7',
      'plaintext-between-tiers db 17:9',
    ]);
    const [pg, redis, hook] = doc.findings;
    expect(pg!.message).toContain('reaches db (tier data)');
    expect(pg!.message).toContain('sslmode');
    expect(redis!.message).toContain('port 6379 is plaintext Redis');
    expect(hook!.message).toContain('db (tier data) reaches api (tier api)');
    expect(hook!.location!.file).toBe(join(fixtures, 'tls-bad', 'compose.yaml'));
  });

  it('passes once every connection between the tiers is encrypted', async () => {
    const r = await runPortico(['policy', '--json'], { cwd: join(fixtures, 'tls-good'), env: env() });
    expect(r.json<PolicyDoc>().findings).toEqual([]);
    expect(r.code).toBe(0);
  });

  it('follows a published port reached through loopback', async () => {
    const dir = projectFrom('tls-good');
    const compose = join(dir, 'compose.yaml');
    writeFileSync(
      compose,
      readFileSync(compose, 'utf8')
        .replace('    image: postgres:16\n', '    image: postgres:16\n    ports: ["127.0.0.1:5433:5432"]\n')
        .replace(
          'CACHE_URL: rediss://cache:6380',
          'CACHE_URL: rediss://cache:6380\n      DB_ADMIN: postgres://localhost:5433/app',
        ),
    );
    const r = await runPortico(['policy', '--json'], { cwd: dir, env: env() });
    expect(brief(r.json<PolicyDoc>())).toEqual(['plaintext-between-tiers api 12:7']);
    expect(r.json<PolicyDoc>().findings[0]!.message).toContain('reaches db');
  });

  it('refuses a requirement that names an undeclared tier (exit 2, file:line:col)', async () => {
    const dir = projectFrom(
      'tls-good',
      'version: 1\npolicy:\n  tiers:\n    api: { ports: 8000-8999, services: [api] }\n  requireTls:\n    - between: [api, dta]\n',
    );
    const r = await runPortico(['policy', '--json'], { cwd: dir, env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('E_MANIFEST_INVALID');
    expect(r.stderr).toMatch(/portico\.yaml:6:\d+/);
    expect(r.stderr).toContain('tier "dta" is not declared');
  });
});

describe('route-integrity', () => {
  it('flags unknown services, repeated names, matchers and listen addresses in portico-lb.yaml', async () => {
    const r = await runPortico(['policy', '--json'], { cwd: join(fixtures, 'routes-bad'), env: env() });
    expect(r.code).toBe(1);
    const doc = r.json<PolicyDoc>();
    expect(brief(doc)).toEqual([
      'route-integrity wbe 8:17',
      'route-integrity - 9:5',
      'route-integrity - 10:5',
      'route-integrity payments 11:5',
      'route-integrity - 17:5',
    ]);
    const lb = join(fixtures, 'routes-bad', 'portico-lb.yaml');
    expect(doc.findings.every((f) => f.location?.file === lb)).toBe(true);
    expect(doc.findings.map((f) => f.message.split(':')[0])).toEqual([
      'route web has upstream wbe',
      'route api has the same name as route api (line 3)',
      'route api matches the same host and path (api.local /) as route api (line 3)',
      'route api sends to service "payments", which the project does not define (services',
      'route pg-copy listens on the same address (127.0.0.1',
    ]);
  });

  it('passes when every route names a service of the project (compose or portico.yaml) once', async () => {
    const r = await runPortico(['policy', '--json'], { cwd: join(fixtures, 'routes-good'), env: env() });
    expect(r.json<PolicyDoc>().findings).toEqual([]);
    expect(r.code).toBe(0);
  });

  it('shows in SARIF with the new rule ids', async () => {
    const r = await runPortico(['policy', '--format', 'sarif'], {
      cwd: join(fixtures, 'routes-bad'),
      env: env(),
    });
    const sarif = JSON.parse(r.stdout) as {
      runs: Array<{ tool: { driver: { rules: Array<{ id: string }> } }; results: Array<{ ruleId: string }> }>;
    };
    const ids = sarif.runs[0]!.tool.driver.rules.map((x) => x.id);
    expect(ids).toContain('route-integrity');
    expect(ids).toContain('plaintext-between-tiers');
    expect(sarif.runs[0]!.results.map((x) => x.ruleId)).toEqual(Array(5).fill('route-integrity'));
  });
});
