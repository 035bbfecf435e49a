import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPortico } from '../helpers/cli.js';
import { freePort } from '../helpers/net.js';
import { tempDir } from '../helpers/tmp.js';

interface Finding {
  code: string;
  severity: string;
  title: string;
}
interface HealthDoc {
  checks: Array<{ id: string; status: string; findings: Finding[] }>;
}
const findings = (doc: HealthDoc): Finding[] => doc.checks.flatMap((c) => c.findings);

/** A service whose / answers 200 and whose /health answers `healthStatus`. */
async function startService(healthStatus: () => number): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    res.statusCode = req.url === '/health' ? healthStatus() : 200;
    res.end(req.url === '/health' ? 'health' : 'home');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

function project(files: Record<string, string>): string {
  const dir = tempDir('portico-project-');
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

describe('health and troubleshoot run the checks the project declares', () => {
  let status = 503;
  let service: { server: Server; port: number };
  let ttlPort: number;
  beforeAll(async () => {
    service = await startService(() => status);
    ttlPort = await freePort(); // nothing listens there: a TTL-only job need not
  });
  afterAll(() => new Promise<void>((resolve) => service.server.close(() => resolve())));

  const manifest = (): string => `services:
  api:
    protocol: http
    endpoints:
      - { address: 127.0.0.1, port: ${service.port} }
    checks:
      - { kind: http, path: /health, expectStatus: [200] }
`;

  it('fails when the declared http check fails although GET / answers 200', async () => {
    status = 503;
    const dir = project({ 'portico.yaml': manifest() });
    const home = tempDir();
    const r = await runPortico(['health', '--json'], { cwd: dir, env: { PORTICO_HOME: home } });
    expect(r.code).toBe(1);
    const doc = r.json<HealthDoc>();
    const down = findings(doc).filter((f) => f.code === 'HEALTH_SERVICE_DOWN');
    expect(down).toHaveLength(1);
    expect(down[0]!.title).toContain('/health');
    expect(down[0]!.title).toContain('503');
    const t = await runPortico(['troubleshoot', 'checks', '--json'], {
      cwd: dir,
      env: { PORTICO_HOME: home },
    });
    expect(t.code).toBe(1);
    expect(findings(t.json<HealthDoc>()).map((f) => f.code)).toEqual(['HEALTH_SERVICE_DOWN']);
  });

  it('passes the same check when /health answers 200', async () => {
    status = 200;
    const dir = project({ 'portico.yaml': manifest() });
    const r = await runPortico(['troubleshoot', 'checks', '--json'], {
      cwd: dir,
      env: { PORTICO_HOME: tempDir() },
    });
    expect(r.code).toBe(0);
    const doc = r.json<HealthDoc>();
    expect(doc.checks.map((c) => [c.id, c.status])).toEqual([['checks.api', 'passed']]);
  });

  it('judges a TTL-only service by its reports and never probes its port', async () => {
    const dir = project({
      'portico.yaml': `services:
  nightly:
    endpoints:
      - { address: 127.0.0.1, port: ${ttlPort} }
    checks:
      - { kind: ttl, ttl: 60s }
`,
    });
    const env = { PORTICO_HOME: tempDir() };
    const silent = await runPortico(['health', '--json'], { cwd: dir, env });
    expect(silent.code).toBe(1);
    const doc = silent.json<HealthDoc>();
    expect(findings(doc).map((f) => f.code)).toContain('HEALTH_TTL_EXPIRED');
    // No connectivity or latency probe of a port nothing listens on.
    expect(doc.checks.filter((c) => c.id.startsWith('connectivity.') && c.status !== 'skipped')).toEqual([]);
    expect(findings(doc).filter((f) => f.code.startsWith('CONN_'))).toEqual([]);

    expect((await runPortico(['discovery', 'discover', '--register'], { cwd: dir, env })).code).toBe(0);
    const id = `manifest:nightly:127.0.0.1:${ttlPort}`;
    expect(
      (await runPortico(['discovery', 'pass', id, '--note', 'backup done'], { cwd: dir, env })).code,
    ).toBe(0);
    const reported = await runPortico(['troubleshoot', 'checks', '--json'], { cwd: dir, env });
    expect(reported.code).toBe(0);
    expect(reported.json<HealthDoc>().checks.map((c) => [c.id, c.status])).toEqual([
      ['checks.nightly', 'passed'],
    ]);
  });
});

describe('an invalid portico.yaml is E_MANIFEST_INVALID with file:line:col and exit 2, everywhere', () => {
  const dir = project({
    'portico.yaml': `services:
  api:
    endpoints:
      - { address: 127.0.0.1, port: 8080 }
    chekcs: []
`,
  });
  for (const args of [
    ['health'],
    ['troubleshoot', 'all'],
    ['troubleshoot', 'checks'],
    ['discovery', 'discover'],
    ['discovery', 'list'],
    ['discovery', 'health'],
    ['ports', 'check'],
  ]) {
    it(args.join(' '), async () => {
      const r = await runPortico([...args, '--json'], { cwd: dir, env: { PORTICO_HOME: tempDir() } });
      expect(r.code).toBe(2);
      const doc = r.json<{ error: { code: string; message: string } }>();
      expect(doc.error.code).toBe('E_MANIFEST_INVALID');
      expect(doc.error.message).toMatch(/portico\.yaml:5:5: services\.api\.chekcs: unknown key "chekcs"/);
    });
  }
});

describe('the catalog is scoped per project', () => {
  it('discover --register in project B never removes project A; list shows one project, --all-projects all', async () => {
    const env = { PORTICO_HOME: tempDir() };
    const a = project({ 'portico.yaml': 'services:\n  web:\n    endpoints:\n      - { port: 18080 }\n' });
    const b = project({
      'compose.yaml': 'name: blog\nservices:\n  web:\n    image: nginx\n    ports: ["18081:80"]\n',
    });
    expect(
      (await runPortico(['discovery', 'discover', '--register', '--source', 'manifest'], { cwd: a, env }))
        .code,
    ).toBe(0);
    expect(
      (await runPortico(['discovery', 'discover', '--register', '--source', 'compose'], { cwd: b, env }))
        .code,
    ).toBe(0);
    // Re-registering B with nothing must not touch A.
    writeFileSync(join(b, 'compose.yaml'), 'name: blog\nservices: {}\n');
    expect(
      (await runPortico(['discovery', 'discover', '--register', '--source', 'compose'], { cwd: b, env }))
        .code,
    ).toBe(0);

    const listA = await runPortico(['discovery', 'list', '--json'], { cwd: a, env });
    const docA = listA.json<{ project: string; instances: Array<{ id: string }> }>();
    expect(docA.instances.map((i) => i.id)).toEqual(['manifest:web:127.0.0.1:18080']);
    const listB = await runPortico(['discovery', 'list', '--json'], { cwd: b, env });
    expect(listB.json<{ project: string; instances: unknown[] }>()).toMatchObject({
      project: 'blog',
      instances: [],
    });

    await runPortico(['discovery', 'register', 'cache', '--port', '6390'], { cwd: b, env });
    const all = await runPortico(['discovery', 'list', '--all-projects', '--json'], { cwd: b, env });
    const rows = all.json<{ instances: Array<{ project: string; service: string }> }>().instances;
    expect(rows.map((r) => [r.project, r.service]).sort()).toEqual([
      ['blog', 'cache'],
      [docA.project, 'web'],
    ]);
    // -C points at the other project; --project names a namespace.
    const viaC = await runPortico(['discovery', 'list', '-C', a, '--json'], { env });
    expect(viaC.json<{ instances: Array<{ service: string }> }>().instances.map((i) => i.service)).toEqual([
      'web',
    ]);
    const viaName = await runPortico(['discovery', 'list', '--project', 'blog', '--json'], { cwd: a, env });
    expect(viaName.json<{ instances: Array<{ service: string }> }>().instances.map((i) => i.service)).toEqual(
      ['cache'],
    );
  });

  it('refuses a -C folder that does not exist and an invalid --project name', async () => {
    const missing = await runPortico(['discovery', 'list', '-C', '/nonexistent/portico', '--json']);
    expect(missing.code).toBe(2);
    expect(missing.json<{ error: { code: string } }>().error.code).toBe('E_USAGE');
    const bad = await runPortico(['discovery', 'list', '--project', 'Bad Name', '--json'], {
      env: { PORTICO_HOME: tempDir() },
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--project "Bad Name" is not a valid project name');
  });
});

describe('ports check reads portico.yaml endpoints as well as compose', () => {
  it('finds a compose service publishing where portico.yaml declares another service', async () => {
    const port = await freePort();
    const dir = project({
      'compose.yaml': `services:\n  proxy:\n    image: nginx\n    ports: ["127.0.0.1:${port}:80"]\n`,
      'portico.yaml': `services:\n  api:\n    endpoints:\n      - { address: 127.0.0.1, port: ${port} }\n`,
    });
    const r = await runPortico(['ports', 'check', '--json'], { cwd: dir, env: { PORTICO_HOME: tempDir() } });
    expect(r.code).toBe(1);
    const doc = r.json<{ conflicts: Array<{ kind: string; port: number; summary: string }> }>();
    expect(doc.conflicts.map((c) => [c.kind, c.port])).toEqual([['declared-endpoint-clash', port]]);
    expect(doc.conflicts[0]!.summary).toContain('portico.yaml');
  });

  it('is clean when they use different ports', async () => {
    const [p1, p2] = [await freePort(), await freePort()];
    const dir = project({
      'compose.yaml': `services:\n  proxy:\n    image: nginx\n    ports: ["127.0.0.1:${p1}:80"]\n`,
      'portico.yaml': `services:\n  api:\n    endpoints:\n      - { address: 127.0.0.1, port: ${p2} }\n`,
    });
    const r = await runPortico(['ports', 'check', '--json'], { cwd: dir, env: { PORTICO_HOME: tempDir() } });
    expect(r.json<{ conflicts: unknown[] }>().conflicts).toEqual([]);
    expect(r.code).toBe(0);
  });
});

describe('discovery monitor', () => {
  it('rejects an interval of 0', async () => {
    const r = await runPortico(['discovery', 'monitor', '0', '--json'], {
      env: { PORTICO_HOME: tempDir() },
      cwd: tempDir(),
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('interval must be more than 0');
  });
});

describe('the README discovery examples work as written', () => {
  it('register prints the id, pass takes the service name, re-registering keeps the checks', async () => {
    const env = { PORTICO_HOME: tempDir() };
    const cwd = tempDir();
    const run = (args: string[]) => runPortico(args, { cwd, env });
    const reg = await run(['discovery', 'register', 'batch-1', '--port', '9100', '--check', 'ttl:1h']);
    expect(reg.stdout).toContain('id cli:batch-1:127.0.0.1:9100');
    const pass = await run(['discovery', 'pass', 'batch-1', '--note', 'ok']);
    expect(pass.code).toBe(0);
    expect(pass.stdout).toContain('cli:batch-1:127.0.0.1:9100: ttl → passing');

    await run([
      'discovery',
      'register',
      'auth-service',
      '--port',
      '3001',
      '--check',
      'http:/health',
      '--check',
      'tcp',
    ]);
    const again = await run([
      'discovery',
      'register',
      'auth-service',
      '--port',
      '3001',
      '--tag',
      'v2',
      '--json',
    ]);
    const doc = again.json<{
      registered: { checks: Array<{ id: string }>; tags: string[] };
      keptChecks: boolean;
    }>();
    expect(doc.keptChecks).toBe(true);
    expect(doc.registered.checks.map((c) => c.id)).toEqual(['http', 'tcp']);
    expect(doc.registered.tags).toEqual(['v2']);
    const cleared = await run([
      'discovery',
      'register',
      'auth-service',
      '--port',
      '3001',
      '--clear-checks',
      '--json',
    ]);
    expect(cleared.json<{ registered: { checks: unknown[] } }>().registered.checks).toEqual([]);

    // Two instances of one service: pass needs the id.
    await run(['discovery', 'register', 'batch-1', '--port', '9101', '--check', 'ttl:1h']);
    const ambiguous = await run(['discovery', 'pass', 'batch-1']);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toContain('E_INSTANCE_AMBIGUOUS');
    expect(ambiguous.stderr).toContain('cli:batch-1:127.0.0.1:9101');
    expect((await run(['discovery', 'deregister', 'cli:batch-1:127.0.0.1:9100'])).code).toBe(0);
  });
});

describe('--profile reaches the one loader for every command', () => {
  it('enables a profile for ports check and discovery, as COMPOSE_PROFILES does', async () => {
    const port = await freePort();
    const dir = project({
      'compose.yaml': `services:
  web:
    image: nginx
    ports: ["127.0.0.1:${port}:80"]
  web-debug:
    image: nginx
    profiles: [debug]
    ports: ["127.0.0.1:${port}:8080"]
`,
    });
    const env = { PORTICO_HOME: tempDir() };
    expect((await runPortico(['ports', 'check'], { cwd: dir, env })).code).toBe(0);
    const withProfile = await runPortico(['ports', 'check', '--profile', 'debug', '--json'], {
      cwd: dir,
      env,
    });
    expect(withProfile.code).toBe(1);
    expect(withProfile.json<{ conflicts: Array<{ kind: string }> }>().conflicts.map((c) => c.kind)).toEqual([
      'compose-duplicate',
    ]);
    expect(
      (await runPortico(['ports', 'check'], { cwd: dir, env: { ...env, COMPOSE_PROFILES: 'debug' } })).code,
    ).toBe(1);
    const found = await runPortico(['discovery', 'discover', '--source', 'compose', '--json'], {
      cwd: dir,
      env,
    });
    expect(found.json<{ instances: Array<{ service: string }> }>().instances.map((i) => i.service)).toEqual([
      'web',
    ]);
    const debug = await runPortico(
      ['discovery', 'discover', '--source', 'compose', '--profile', 'debug', '--json'],
      {
        cwd: dir,
        env,
      },
    );
    expect(
      debug
        .json<{ instances: Array<{ service: string }> }>()
        .instances.map((i) => i.service)
        .sort(),
    ).toEqual(['web', 'web-debug']);
  });
});

describe('reservations and portico.yaml endpoints', () => {
  it("a port reserved by the project itself is no conflict; another project's reservation is", async () => {
    const env = { PORTICO_HOME: tempDir() };
    const dir = project({ 'portico.yaml': 'services:\n  api:\n    endpoints:\n      - { port: 1 }\n' });
    const mine = await runPortico(['ports', 'reserve', 'api-1', '--json'], { cwd: dir, env });
    const port = mine.json<{ reservation: { port: number; project: string } }>().reservation.port;
    const write = (p: number): void =>
      writeFileSync(
        join(dir, 'portico.yaml'),
        `services:\n  api:\n    endpoints:\n      - { address: 127.0.0.1, port: ${p} }\n`,
      );
    write(port);
    const own = await runPortico(['ports', 'check', '--json'], { cwd: dir, env });
    expect(own.json<{ conflicts: unknown[] }>().conflicts).toEqual([]);
    const other = await runPortico(['ports', 'reserve', 'cache', '--project', 'elsewhere', '--json'], {
      cwd: dir,
      env,
    });
    write(other.json<{ reservation: { port: number } }>().reservation.port);
    const clash = await runPortico(['ports', 'check', '--json'], { cwd: dir, env });
    expect(clash.code).toBe(1);
    expect(clash.json<{ conflicts: Array<{ kind: string }> }>().conflicts.map((c) => c.kind)).toEqual([
      'reserved-by-other-project',
    ]);
  });
});

describe('a healthcheck that runs in its container', () => {
  it('is "could not run" when no Docker engine answers, never "service down"', async () => {
    const port = await freePort();
    const dir = project({
      'compose.yaml': `name: hc
services:
  worker:
    image: busybox
    ports: ["127.0.0.1:${port}:8080"]
    healthcheck:
      test: ["CMD", "pidof", "worker"]
`,
    });
    const r = await runPortico(['troubleshoot', 'checks', '--json'], {
      cwd: dir,
      env: { PORTICO_HOME: tempDir(), DOCKER_HOST: `unix://${join(dir, 'no-engine.sock')}` },
    });
    const found = findings(r.json<HealthDoc>());
    expect(found.map((f) => [f.code, f.severity])).toEqual([['HEALTH_CHECK_NOT_RUN', 'warning']]);
    expect(found[0]!.title).toContain('hc-worker-1');
    expect(r.code).toBe(0);
    // A check that did run and failed is still the service being down.
    const plain = project({
      'compose.yaml': `name: hc2\nservices:\n  web:\n    image: nginx\n    ports: ["127.0.0.1:${port}:80"]\n`,
    });
    const down = await runPortico(['troubleshoot', 'checks', '--json'], {
      cwd: plain,
      env: { PORTICO_HOME: tempDir() },
    });
    expect(findings(down.json<HealthDoc>()).map((f) => f.code)).toEqual(['HEALTH_SERVICE_DOWN']);
    expect(down.code).toBe(1);
  });
});
