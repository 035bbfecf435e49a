import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { LeaseTable } from '../../src/ports/reservations/store.js';
import { runPortico } from '../helpers/cli.js';
import { freePort } from '../helpers/net.js';
import { type HeldPort, holdPort } from '../helpers/port-holder.js';
import { isCI } from '../helpers/requirements.js';
import { tempDir } from '../helpers/tmp.js';

const fixture = fileURLToPath(new URL('../fixtures/compose/fix/', import.meta.url));
const update = process.env.UPDATE_GOLDEN === '1';

/** The shop fixture (compose.yaml, .env), without the expected files and the other cases. */
function copyFixture(dir: string): void {
  for (const file of ['compose.yaml', '.env']) cpSync(join(fixture, file), join(dir, file));
}

function golden(name: string, actual: string): void {
  const path = join(fixture, 'expected', name);
  // A missing golden file is written locally (first run) but is a failure under CI.
  if (update || (!existsSync(path) && !isCI)) writeFileSync(path, actual);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

describe('portico ports fix', () => {
  it('proposes a diff without touching files, then --write edits compose and .env in place with backups', async () => {
    const dir = tempDir();
    copyFixture(dir);
    const env = { PORTICO_HOME: tempDir() };
    const original = readFileSync(join(dir, 'compose.yaml'), 'utf8');
    const originalEnv = readFileSync(join(dir, '.env'), 'utf8');

    const dry = await runPortico(['ports', 'fix', '--json'], { cwd: dir, env });
    expect(dry.code).toBe(1);
    const plan = dry.json<FixDoc>();
    expect(plan.proposals.map((p) => [p.service, p.oldPort]).sort()).toEqual([
      ['admin', 18080],
      ['api', 18080],
      ['legacy', 18081],
    ]);
    expect(plan.diff).toContain("-      - '18080:8080'           # collides with gateway");
    expect(plan.written).toEqual([]);
    expect(readFileSync(join(dir, 'compose.yaml'), 'utf8')).toBe(original);

    const human = await runPortico(['ports', 'fix'], { cwd: dir, env });
    expect(human.stdout).toContain('Nothing written. Apply with --write');

    const applied = await runPortico(['ports', 'fix', '--write', '--json'], { cwd: dir, env });
    expect(applied.code).toBe(0);
    const doc = applied.json<FixDoc>();
    // The same reservations back the dry run and the write: the proposal is what gets written.
    expect(doc.proposals.map((p) => p.newPort)).toEqual(plan.proposals.map((p) => p.newPort));
    golden('compose.yaml', readFileSync(join(dir, 'compose.yaml'), 'utf8'));
    golden('env', readFileSync(join(dir, '.env'), 'utf8'));
    const backups = doc.written.map((w) => readFileSync(w.backup!, 'utf8')).sort();
    expect(backups).toEqual([originalEnv, original].sort());
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    const check = await runPortico(['ports', 'check', '--json'], { cwd: dir, env });
    expect(
      check
        .json<{ conflicts: Array<{ severity: string }> }>()
        .conflicts.filter((c) => c.severity === 'error'),
    ).toEqual([]);
    expect(check.code).toBe(0);

    const again = await runPortico(['ports', 'fix', '--json'], { cwd: dir, env });
    expect(again.code).toBe(0);
    expect(again.json<FixDoc>().proposals).toEqual([]);
  });

  it('asks for a manual change when the port comes from a variable set in the environment', async () => {
    const dir = tempDir();
    copyFixture(dir);
    const r = await runPortico(['ports', 'fix', '--json'], {
      cwd: dir,
      env: { PORTICO_HOME: tempDir(), API_PORT: '18080' },
    });
    const api = r.json<FixDoc>().proposals.find((p) => p.service === 'api');
    expect(api?.manual).toContain('set API_PORT to a free port');
    expect(r.code).toBe(1);
  });
});

const cases = join(fixture, 'cases');

interface Proposal {
  service: string;
  oldPort: number;
  newPort?: number;
  status: 'converges' | 'manual' | 'not-converging';
  method?: string;
  variable?: string;
  newVariable?: string;
  variableUsedBy?: string[];
  file?: string;
  manual?: string;
}
interface FixDoc {
  project: string;
  converged: boolean;
  proposals: Proposal[];
  remaining: Array<{ kind: string; port: number; summary: string }>;
  diff: string;
  written: Array<{ file: string; backup?: string }>;
}
interface CheckDoc {
  conflicts: Array<{ severity: string; port: number }>;
}

const held: HeldPort[] = [];
afterAll(async () => {
  await Promise.all(held.map((h) => h.stop()));
});

/** A port held for the whole file by a separate process on 127.0.0.1. */
async function hold(): Promise<number> {
  const h = await holdPort('127.0.0.1');
  held.push(h);
  return h.port;
}

/**
 * Two consecutive ports, both held: a range whose second port is left free could be taken by any
 * other process (another test file) between the setup and the check, changing the conflicts.
 */
async function holdRange(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const first = await holdPort('127.0.0.1');
    const second = await holdPort('127.0.0.1', first.port + 1).catch(() => undefined);
    if (second) {
      held.push(first, second);
      return first.port;
    }
    await first.stop();
  }
  throw new Error('no two consecutive free ports found on 127.0.0.1');
}

/** Copy a case, fill its @PLACEHOLDERS@, optionally with CRLF line endings; returns the files' texts. */
function setup(name: string, values: Record<string, string | number>, crlf = false) {
  const dir = tempDir();
  cpSync(join(cases, name), dir, { recursive: true });
  const texts: Record<string, string> = {};
  for (const file of readdirSync(dir)) {
    let text = readFileSync(join(dir, file), 'utf8');
    for (const [k, v] of Object.entries(values)) text = text.replaceAll(`@${k}@`, String(v));
    if (crlf) text = text.replace(/\n/g, '\r\n');
    writeFileSync(join(dir, file), text);
    texts[file] = text;
  }
  return {
    dir,
    texts,
    env: { PORTICO_HOME: tempDir() },
    read: (f: string) => readFileSync(join(dir, f), 'utf8'),
  };
}

function only<T>(items: T[]): T {
  expect(items).toHaveLength(1);
  return items[0]!;
}

describe('portico ports fix: converges and touches nothing else', () => {
  it.each([
    ['LF', false],
    ['CRLF', true],
  ])('DB_PORT used in DATABASE_URL stays; the mapping gets its own variable (%s)', async (_, crlf) => {
    const dbPort = await hold();
    const c = setup('database-url', { DB_PORT: dbPort }, crlf);

    const dry = await runPortico(['ports', 'fix', '--json'], { cwd: c.dir, env: c.env });
    expect(dry.code).toBe(1);
    const plan = dry.json<FixDoc>();
    const db = only(plan.proposals);
    expect(db).toMatchObject({
      service: 'db',
      oldPort: dbPort,
      status: 'converges',
      method: 'new-variable',
      variable: 'DB_PORT',
      newVariable: 'DB_PORT_PUBLISHED',
    });
    const usedBy = db.variableUsedBy!.join('\n');
    for (const use of [
      'services.app.environment.DATABASE_URL',
      'services.app.environment.PGPORT',
      'services.pgtools.healthcheck',
      '.env:4 HOST_DATABASE_URL',
    ])
      expect(usedBy).toContain(use);
    expect(plan.converged).toBe(true);
    expect(plan.remaining).toEqual([]);
    expect(plan.written).toEqual([]);
    expect(c.read('compose.yaml')).toBe(c.texts['compose.yaml']);

    const human = await runPortico(['ports', 'fix'], { cwd: c.dir, env: c.env });
    expect(human.stdout).toContain(`introduces \${DB_PORT_PUBLISHED:-${db.newPort}}`);
    expect(human.stdout).toContain('DB_PORT is left as it is');

    const applied = await runPortico(['ports', 'fix', '--write', '--json'], { cwd: c.dir, env: c.env });
    expect(applied.code).toBe(0);
    expect(applied.json<FixDoc>().written.map((w) => w.file)).toEqual([join(c.dir, 'compose.yaml')]);
    // Every byte but the host-port part of that one entry is the same; .env is untouched.
    expect(c.read('compose.yaml')).toBe(
      c.texts['compose.yaml']!.replace('"${DB_PORT}:5432"', `"\${DB_PORT_PUBLISHED:-${db.newPort}}:5432"`),
    );
    expect(c.read('.env')).toBe(c.texts['.env']);

    const check = await runPortico(['ports', 'check', '--json'], { cwd: c.dir, env: c.env });
    expect(check.json<CheckDoc>().conflicts.filter((x) => x.severity === 'error')).toEqual([]);
    expect(check.code).toBe(0);
  });

  it('a variable shared by two mappings that conflict with each other: only the second mapping moves', async () => {
    const webPort = await freePort();
    const c = setup('shared-variable', { WEB_PORT: webPort });
    const before = await runPortico(['ports', 'check', '--json'], { cwd: c.dir, env: c.env });
    expect(before.code).toBe(1);

    const applied = await runPortico(['ports', 'fix', '--write', '--json'], { cwd: c.dir, env: c.env });
    expect(applied.code).toBe(0);
    const admin = only(applied.json<FixDoc>().proposals);
    expect(admin).toMatchObject({
      service: 'web-admin',
      status: 'converges',
      method: 'new-variable',
      variable: 'WEB_PORT',
      newVariable: 'WEB_ADMIN_PORT',
    });
    expect(admin.variableUsedBy!.join()).toContain('services.web.ports.0');
    expect(c.read('.env')).toBe(c.texts['.env']);
    expect(c.read('compose.yaml')).toBe(
      c.texts['compose.yaml']!.replace(
        'published: "${WEB_PORT}"',
        `published: "\${WEB_ADMIN_PORT:-${admin.newPort}}"`,
      ),
    );
    const check = await runPortico(['ports', 'check'], { cwd: c.dir, env: c.env });
    expect(check.code).toBe(0);
  });

  it('a plain fix: dry run shows a diff and changes nothing; --write converges and a second check exits 0', async () => {
    const [web, api] = [await hold(), await hold()];
    const c = setup('plain', { WEB: web, API: api });

    const dry = await runPortico(['ports', 'fix'], { cwd: c.dir, env: c.env });
    expect(dry.code).toBe(1);
    expect(dry.stdout).toContain(`-      - "127.0.0.1:${web}:80"   # literal host port`);
    expect(dry.stdout).toContain('re-check: no port conflict left after these edits');
    expect(dry.stdout).toContain('Nothing written');
    expect(c.read('compose.yaml')).toBe(c.texts['compose.yaml']);
    expect(readdirSync(c.dir).sort()).toEqual(['.env', 'compose.yaml']);

    const applied = await runPortico(['ports', 'fix', '--write', '--json'], { cwd: c.dir, env: c.env });
    expect(applied.code).toBe(0);
    const doc = applied.json<FixDoc>();
    expect(doc.converged).toBe(true);
    const byService = Object.fromEntries(doc.proposals.map((p) => [p.service, p]));
    expect(byService.web?.method).toBe('mapping');
    expect(byService.api?.method).toBe('mapping-default');
    expect(c.read('compose.yaml')).toBe(
      c.texts['compose.yaml']!.replace(
        `127.0.0.1:${web}:80`,
        `127.0.0.1:${byService.web!.newPort}:80`,
      ).replace(`\${API_PORT:-${api}}`, `\${API_PORT:-${byService.api!.newPort}}`),
    );
    // API_PORT is set (empty) in .env, yet the default is what compose uses: .env stays as it is.
    expect(c.read('.env')).toBe(c.texts['.env']);
    expect(doc.written.map((w) => w.file)).toEqual([join(c.dir, 'compose.yaml')]);
    expect(readFileSync(doc.written[0]!.backup!, 'utf8')).toBe(c.texts['compose.yaml']);

    // The listeners are still there: the project no longer needs their ports.
    const check = await runPortico(['ports', 'check', '--json'], { cwd: c.dir, env: c.env });
    expect(check.json<CheckDoc>().conflicts.filter((x) => x.severity === 'error')).toEqual([]);
    expect(check.code).toBe(0);
    const again = await runPortico(['ports', 'fix', '--json'], { cwd: c.dir, env: c.env });
    expect(again.code).toBe(0);
    expect(again.json<FixDoc>().proposals).toEqual([]);
  });

  it('a conflict it cannot fix: exit 1 with the reason, and --write writes only the converging part', async () => {
    const [cache, range, hostNet] = [await hold(), await holdRange(), await hold()];
    const c = setup('unfixable', { CACHE: cache, RANGE: `${range}-${range + 1}`, HOSTNET: hostNet });

    const dry = await runPortico(['ports', 'fix', '--json'], { cwd: c.dir, env: c.env });
    expect(dry.code).toBe(1);
    const plan = dry.json<FixDoc>();
    expect(plan.converged).toBe(false);
    const metrics = plan.proposals.find((p) => p.service === 'metrics');
    expect(metrics?.status).toBe('manual');
    expect(metrics?.manual).toContain('is a range');
    const sniffer = plan.proposals.find((p) => p.service === 'sniffer');
    expect(sniffer?.status).toBe('manual');
    expect(sniffer?.manual).toContain('network_mode: host');
    expect(plan.proposals.find((p) => p.service === 'cache')?.status).toBe('converges');
    expect(plan.remaining.map((r) => r.port)).toEqual(expect.arrayContaining([range, hostNet]));
    expect(plan.remaining.every((r) => /metrics|sniffer/.test(r.summary))).toBe(true);

    const human = await runPortico(['ports', 'fix', '--write'], { cwd: c.dir, env: c.env });
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/by hand: .*is a range/);
    expect(human.stdout).toContain('wrote 1 of 3 fixes; 2 need a change by hand');
    expect(human.stdout).toMatch(/re-check: \d+ conflicts? left now/);
    const newCache = plan.proposals.find((p) => p.service === 'cache')!.newPort!;
    expect(c.read('compose.yaml')).toBe(
      c.texts['compose.yaml']!.replace(`"${cache}:6379"`, `"${newCache}:6379"`),
    );

    const check = await runPortico(['ports', 'check', '--json'], { cwd: c.dir, env: c.env });
    expect(check.code).toBe(1);
    const ports = check
      .json<CheckDoc>()
      .conflicts.filter((x) => x.severity === 'error')
      .map((x) => x.port);
    expect(ports).toEqual(expect.arrayContaining([range, hostNet]));
    expect(ports).not.toContain(cache);
  });

  it('an entry repeated in the override is changed in both files, or compose would publish the old port again', async () => {
    const web = await hold();
    const c = setup('repeated-override', { WEB: web });
    const r = await runPortico(['ports', 'fix', '--write', '--json'], { cwd: c.dir, env: c.env });
    expect(r.code).toBe(0);
    const doc = r.json<FixDoc & { proposals: Array<Proposal & { alsoChanged?: string[] }> }>();
    const p = only(doc.proposals);
    // The loader keeps one of the two equal entries (the override's, as compose merges); the other is the copy.
    expect(p.status).toBe('converges');
    expect(p.alsoChanged).toHaveLength(1);
    expect(['compose.override.yaml:3', 'compose.yaml:6']).toContain(p.alsoChanged![0]);
    expect(c.read('compose.yaml')).toBe(c.texts['compose.yaml']!.replace(`"${web}:80"`, `"${p.newPort}:80"`));
    expect(c.read('compose.override.yaml')).toBe(
      c.texts['compose.override.yaml']!.replace(`"${web}:80"`, `"${p.newPort}:80"`),
    );
    expect((await runPortico(['ports', 'check'], { cwd: c.dir, env: c.env })).code).toBe(0);
  });

  it('a duplicate with a host-network service moves the other service', async () => {
    const port = await freePort();
    const c = setup('host-network', { PORT: port });
    const r = await runPortico(['ports', 'fix', '--write', '--json'], { cwd: c.dir, env: c.env });
    expect(r.code).toBe(0);
    const web = only(r.json<FixDoc>().proposals);
    expect(web).toMatchObject({ service: 'web', status: 'converges', method: 'mapping' });
    expect(c.read('compose.yaml')).toBe(
      c.texts['compose.yaml']!.replace(`["${port}:80"]`, `["${web.newPort}:80"]`),
    );
    expect((await runPortico(['ports', 'check'], { cwd: c.dir, env: c.env })).code).toBe(0);
  });

  it('no free port left in the reservation range: exit 1 with the reason, nothing written', async () => {
    const [web, api] = [await hold(), await hold()];
    const c = setup('plain', { WEB: web, API: api });
    const table = LeaseTable.open(c.env);
    try {
      table.db.exec('BEGIN');
      for (let port = 20000; port <= 29999; port++)
        table.insert({ name: `svc-${port}`, port, project: 'someone-else', createdAt: 0, renewedAt: 0 });
      table.db.exec('COMMIT');
    } finally {
      table.close();
    }
    const r = await runPortico(['ports', 'fix', '--write', '--json'], { cwd: c.dir, env: c.env });
    expect(r.code).toBe(1);
    const doc = r.json<FixDoc>();
    expect(doc.converged).toBe(false);
    expect(doc.written).toEqual([]);
    for (const p of doc.proposals) {
      expect(p.status).toBe('manual');
      expect(p.manual).toContain('no free port left in 20000-29999');
    }
    expect(doc.remaining.map((x) => x.port).sort()).toEqual([web, api].sort());
    expect(c.read('compose.yaml')).toBe(c.texts['compose.yaml']);
    expect(readdirSync(c.dir).sort()).toEqual(['.env', 'compose.yaml']);
  });

  it('--json is one document with the plan, the re-check and what was written', async () => {
    const c = setup('plain', { WEB: await hold(), API: await hold() });
    const r = await runPortico(['ports', 'fix', '--json'], { cwd: c.dir, env: c.env });
    const doc = r.json<FixDoc & Record<string, unknown>>();
    expect(Object.keys(doc).sort()).toEqual([
      'converged',
      'diff',
      'project',
      'proposals',
      'remaining',
      'written',
    ]);
    expect(doc.project).toBe('plain');
    for (const p of doc.proposals) {
      expect(Object.keys(p)).toEqual(
        expect.arrayContaining([
          'service',
          'containerPort',
          'protocol',
          'oldPort',
          'mapping',
          'status',
          'conflicts',
        ]),
      );
      expect(p.file).toBe(join(c.dir, 'compose.yaml'));
    }
    expect(doc.diff).toMatch(/^--- compose\.yaml\n\+\+\+ compose\.yaml\n@@ /);
  });
});
