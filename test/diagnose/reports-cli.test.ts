import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runPortico } from '../helpers/cli.js';
import { isCI } from '../helpers/requirements.js';
import { tempDir } from '../helpers/tmp.js';

const fixture = fileURLToPath(new URL('../fixtures/compose/fix/', import.meta.url));
const goldenDir = fileURLToPath(new URL('../fixtures/diagnose/', import.meta.url));
const scripts = fileURLToPath(new URL('../../scripts/', import.meta.url));

/** Volatile parts of a report (times, dates, this checkout's path) become placeholders. */
function normalize(text: string): string {
  return text
    .replaceAll(fixture.replace(/\/$/, ''), '<fixture>')
    .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, '<time>')
    .replace(/"durationMs": [\d.]+/g, '"durationMs": 0')
    .replace(/\d+(\.\d+)? ?ms\b/g, '<ms>');
}

function golden(name: string, actual: string): void {
  const path = join(goldenDir, name);
  if (process.env.UPDATE_GOLDEN === '1' || (!existsSync(path) && !isCI)) writeFileSync(path, actual);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

describe('troubleshoot reports', () => {
  it.each([
    ['json', 'ports.golden.json'],
    ['markdown', 'ports.golden.md'],
    ['html', 'ports.golden.html'],
  ])('renders --format %s like the golden file', async (format, file) => {
    const r = await runPortico(['troubleshoot', 'ports', '--format', format], {
      cwd: fixture,
      env: { PORTICO_HOME: tempDir() },
    });
    expect(r.code).toBe(1);
    golden(file, normalize(r.stdout));
  });

  it('writes a report file with --output and keeps the terminal summary', async () => {
    const out = join(tempDir(), 'report.html');
    const r = await runPortico(['troubleshoot', 'ports', '--format', 'html', '--output', out], {
      cwd: fixture,
      env: { PORTICO_HOME: tempDir() },
    });
    expect(r.code).toBe(1);
    expect(readFileSync(out, 'utf8')).toContain('<code>PORT_DUPLICATE_PUBLISH</code>');
    expect(r.stdout).toContain('PORT_DUPLICATE_PUBLISH');
  });

  it('suppresses codes, lowers the threshold, and skips categories', async () => {
    const env = { PORTICO_HOME: tempDir() };
    const suppressed = await runPortico(
      ['troubleshoot', 'ports', '--suppress', 'PORT_DUPLICATE_PUBLISH', '--json'],
      { cwd: fixture, env },
    );
    expect(suppressed.code).toBe(0);
    expect(suppressed.json<{ summary: { errors: number } }>().summary.errors).toBe(0);
    const skipped = await runPortico(['troubleshoot', 'ports', '--skip', 'ports', '--json'], {
      cwd: fixture,
      env,
    });
    expect(skipped.json<{ summary: { checks: number } }>().summary.checks).toBe(0);
  });

  it.each([
    [['troubleshoot', 'bogus'], 'unknown suite "bogus"'],
    [['troubleshoot', 'connectivity'], 'connectivity needs a target'],
    [['troubleshoot', 'connectivity', 'host:99999'], 'port 99999'],
    [['troubleshoot', 'connectivity', 'not a target'], 'is not a service name, host:port or URL'],
    [['troubleshoot', 'ports', '--format', 'pdf'], "argument 'pdf' is invalid"],
    [['troubleshoot', 'database', '--url', 'ftp://x:secret@h/db'], 'unsupported database URL scheme'],
    [['troubleshoot', 'database', '--url', 'redis:///0'], 'the URL names no host'],
    [
      ['troubleshoot', 'api-gateway', '--config', 'missing.conf'],
      '[E_FILE_NOT_FOUND]: gateway configuration',
    ],
    [['health', '--ports-only', '--network-only'], 'cannot be combined'],
  ])('%j fails with exit 2: %s', async (args, message) => {
    const r = await runPortico(args, { cwd: tempDir(), env: { PORTICO_HOME: tempDir() } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toContain('secret');
  });
});

describe('portico health', () => {
  it('reports on the project in the folder, with the KPIs', async () => {
    const r = await runPortico(['health', '--json'], {
      cwd: fixture,
      env: { PORTICO_HOME: tempDir() },
      timeoutMs: 60_000,
    });
    expect(r.code).toBe(1);
    const doc = r.json<{
      target: string;
      extra: {
        score: { value: number; unit: string };
        portConflicts: { value: number; unit: string };
        discoveryCoverage: { known: number; listening: number; unit: string };
      };
    }>();
    expect(doc.target).toContain('project shop');
    // KPIs are numbers with units, not sentences.
    expect(doc.extra.portConflicts).toMatchObject({ value: 4, unit: 'conflicts' });
    expect(doc.extra.score.value).toBeLessThan(100);
    expect(doc.extra.score.unit).toBe('points');
    expect(typeof doc.extra.discoveryCoverage.known).toBe('number');
    expect(doc.extra.discoveryCoverage.unit).toBe('tcp ports');
  });

  it('gives no score in an empty folder, and says what it looked for and how to point it at a project', async () => {
    const dir = tempDir();
    const r = await runPortico(['health'], {
      cwd: dir,
      env: { PORTICO_HOME: tempDir(), DOCKER_HOST: `unix://${join(dir, 'no-docker.sock')}` },
      timeoutMs: 60_000,
    });
    expect(r.stdout).toContain('portico health — this host');
    expect(r.stdout).not.toMatch(/score\s+\d/);
    expect(r.stdout).not.toContain('availability');
    expect(r.stdout).toContain('nothing to score: no compose.yaml');
    expect(r.stdout).toContain('portico health -C path/to/project');
    expect(r.stdout).toContain(
      '– Docker networks and subnets: skipped, no Docker engine answers here (DOCKER_HOST or /var/run/docker.sock)',
    );
    expect(r.stdout).toContain(
      '– Port conflicts (compose, processes, containers, reservations, IPv4/IPv6): skipped',
    );
    const json = await runPortico(['health', '--json'], {
      cwd: dir,
      env: { PORTICO_HOME: tempDir(), DOCKER_HOST: `unix://${join(dir, 'no-docker.sock')}` },
      timeoutMs: 60_000,
    });
    const doc = json.json<{
      summary: { skipped: number };
      checks: Array<{ id: string; status: string }>;
      extra: { score: null };
    }>();
    expect(doc.extra.score).toBeNull();
    expect(doc.checks.filter((c) => c.status === 'skipped').map((c) => c.id)).toEqual([
      'service-checks.none',
      'ports.conflicts',
      'docker.project-running',
      'docker.networks',
      'docker.containers',
      'connectivity.none',
      'database.none',
      'performance.none',
    ]);
    expect(doc.summary.skipped).toBe(8);
  });
});

describe("the seed's scripts", () => {
  const run = async (script: string, args: string[], cwd = fixture) => {
    const { execFile } = await import('node:child_process');
    return await new Promise<{ code: number; out: string }>((resolve) => {
      execFile(
        join(scripts, script),
        args,
        { cwd, env: { ...process.env, PORTICO_HOME: tempDir(), NO_COLOR: '1' } },
        (error, stdout, stderr) =>
          resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
      );
    });
  };
  it('network-troubleshooter.sh ports delegates to troubleshoot', async () => {
    const r = await run('network-troubleshooter.sh', ['ports']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('PORT_DUPLICATE_PUBLISH');
  });
  it('network-health-checker.sh --ports-only delegates to health', async () => {
    const r = await run('network-health-checker.sh', ['--ports-only']);
    expect(r.out).toContain('portico health');
    expect(r.code).toBe(1);
  });
  it('service-discovery-manager.sh register auth-service finds the port in portico.yaml', async () => {
    const dir = fileURLToPath(new URL('../fixtures/discovery/', import.meta.url));
    const r = await run('service-discovery-manager.sh', ['register', 'auth-service'], dir);
    expect(r.out).toContain('registered auth-service → 127.0.0.1:3001');
    expect(r.code).toBe(0);
  });
  it('load-balancer-manager.sh generate delegates to portico lb generate', async () => {
    const r = await run('load-balancer-manager.sh', [
      'generate',
      '--target',
      'nginx',
      '--upstream',
      '127.0.0.1:9001',
    ]);
    expect(r.out).toContain('server 127.0.0.1:9001 weight=1');
    expect(r.code).toBe(0);
    const missing = await run('load-balancer-manager.sh', ['generate', '--target', 'nginx']);
    expect(missing.code).toBe(2);
    expect(missing.out).toContain('nothing to balance');
  });
  it('rejects unknown arguments with exit 2', async () => {
    expect((await run('network-troubleshooter.sh', ['everything'])).code).toBe(2);
    expect((await run('network-health-checker.sh', ['--fast'])).code).toBe(2);
  });
});
