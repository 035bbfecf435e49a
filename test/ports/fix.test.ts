import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runPortico } from '../helpers/cli.js';
import { isCI } from '../helpers/requirements.js';
import { tempDir } from '../helpers/tmp.js';

const fixture = fileURLToPath(new URL('../fixtures/compose/fix/', import.meta.url));
const update = process.env.UPDATE_GOLDEN === '1';

function golden(name: string, actual: string): void {
  const path = join(fixture, 'expected', name);
  // A missing golden file is written locally (first run) but is a failure under CI.
  if (update || (!existsSync(path) && !isCI)) writeFileSync(path, actual);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

interface FixDoc {
  proposals: Array<{ service: string; oldPort: number; newPort?: number; file?: string; manual?: string }>;
  diff: string;
  written: Array<{ file: string; backup?: string }>;
}

describe('portico ports fix', () => {
  it('proposes a diff without touching files, then --write edits compose and .env in place with backups', async () => {
    const dir = tempDir();
    cpSync(fixture, dir, { recursive: true });
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
    cpSync(fixture, dir, { recursive: true });
    const r = await runPortico(['ports', 'fix', '--json'], {
      cwd: dir,
      env: { PORTICO_HOME: tempDir(), API_PORT: '18080' },
    });
    const api = r.json<FixDoc>().proposals.find((p) => p.service === 'api');
    expect(api?.manual).toContain('set API_PORT to a free port');
    expect(r.code).toBe(1);
  });
});
