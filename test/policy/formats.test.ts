import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { runPortico } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { fixtures, projectFrom } from './project.js';

// GITHUB_WORKSPACE cleared: paths must not depend on whether the suite itself runs in Actions.
const env = () => ({ PORTICO_HOME: tempDir(), GITHUB_WORKSPACE: '' });
const bad = join(fixtures, 'bad');

/**
 * The official OASIS SARIF 2.1.0 schema, vendored unchanged. It is draft-04 (`id`, not `$id`);
 * Ajv 8 reads draft-06+, and this schema uses no keyword whose meaning changed after draft-04,
 * so declaring it as such is enough to validate with it.
 */
function sarifValidator() {
  const path = fileURLToPath(new URL('../../src/policy/schema/sarif-schema-2.1.0.json', import.meta.url));
  const {
    $schema: _draft,
    id,
    ...schema
  } = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  const ajv = new Ajv({ allErrors: true, strict: false });
  ajv.addFormat('uri', (s: string) => URL.canParse(s));
  ajv.addFormat('uri-reference', (s: string) => URL.canParse(s, 'file:///base/'));
  ajv.addFormat('date-time', (s: string) => !Number.isNaN(Date.parse(s)));
  return ajv.compile({ $id: id as string, ...schema });
}

interface Sarif {
  version: string;
  runs: Array<{
    tool: { driver: { name: string; rules: Array<{ id: string }> } };
    results: Array<{
      ruleId: string;
      ruleIndex: number;
      level: string;
      message: { text: string };
      suppressions?: Array<{ kind: string; justification: string }>;
      locations?: Array<{
        physicalLocation: {
          artifactLocation: { uri: string; uriBaseId: string };
          region: { startLine: number; startColumn: number };
        };
      }>;
    }>;
  }>;
}

describe('portico policy output formats', () => {
  it('--format sarif is valid SARIF 2.1.0, each result at the file, line and column of its compose entry', async () => {
    const r = await runPortico(['policy', '--format', 'sarif'], { cwd: bad, env: env() });
    expect(r.code).toBe(1);
    const sarif = r.json<Sarif>();
    const validate = sarifValidator();
    expect(validate(sarif), JSON.stringify(validate.errors, null, 2)).toBe(true);

    const run = sarif.runs[0]!;
    expect(run.tool.driver.name).toBe('portico');
    const lines = readFileSync(join(bad, 'compose.yaml'), 'utf8').split('\n');
    const at = (res: Sarif['runs'][0]['results'][0]) => {
      const loc = res.locations![0]!.physicalLocation;
      expect(loc.artifactLocation.uri).toBe('compose.yaml');
      return lines[loc.region.startLine - 1]!.slice(loc.region.startColumn - 1);
    };
    const textAt = Object.fromEntries(run.results.map((res) => [`${res.ruleId} ${res.level}`, at(res)]));
    expect(textAt).toMatchObject({
      'datastore-exposed error': 'target: 5432',
      'admin-port-exposed error': '"9229:9229"',
      'network-mode-host error': 'network_mode: host',
      'privileged-port warning': '"80:80"',
      'duplicate-host-port error': '"127.0.0.1:8080:6379"',
      'healthcheck-missing warning': 'api:',
    });
    for (const res of run.results) expect(run.tool.driver.rules[res.ruleIndex]!.id).toBe(res.ruleId);
  });

  it('the schema check can fail: a result without a message is rejected', async () => {
    const r = await runPortico(['policy', '--format', 'sarif'], { cwd: bad, env: env() });
    const sarif = r.json<Sarif>();
    delete (sarif.runs[0]!.results[0] as { message?: unknown }).message;
    expect(sarifValidator()(sarif)).toBe(false);
  });

  it('SARIF keeps suppressed results with their justification, and stays valid', async () => {
    const dir = projectFrom(
      'bad',
      'policy:\n  suppress:\n    - { rule: datastore-exposed, reason: "firewalled", until: 2099-12-31 }\n',
    );
    const r = await runPortico(['policy', '--format', 'sarif'], { cwd: dir, env: env() });
    const sarif = r.json<Sarif>();
    expect(sarifValidator()(sarif)).toBe(true);
    const suppressed = sarif.runs[0]!.results.find((res) => res.ruleId === 'datastore-exposed')!;
    expect(suppressed.suppressions).toEqual([
      { kind: 'external', status: 'accepted', justification: 'firewalled (until 2099-12-31)' },
    ]);
  });

  it('--format github prints one workflow annotation per finding, relative to the working directory', async () => {
    // Run from the fixtures folder with -C: paths are relative to where the job runs.
    const g = await runPortico(['-C', 'bad', 'policy', '--format', 'github'], { cwd: fixtures, env: env() });
    const inWorkspace = await runPortico(['policy', '--format', 'github'], {
      cwd: bad,
      env: { ...env(), GITHUB_WORKSPACE: join(fixtures, '..') },
    });
    expect(inWorkspace.stdout).toContain('::error file=policy/bad/compose.yaml,line=19,col=9,');
    expect(g.code).toBe(1);
    const lines = g.stdout.trim().split('\n');
    expect(lines).toHaveLength(8);
    expect(lines[0]).toMatch(
      /^::error file=bad\/compose\.yaml,line=19,col=9,title=portico datastore-exposed::db publishes PostgreSQL on 0\.0\.0\.0:5432->5432\/tcp/,
    );
    expect(lines).toContain(
      '::warning file=bad/compose.yaml,line=6,col=9,title=portico privileged-port::web publishes privileged host port 80 (0.0.0.0:80->80/tcp): use a port ≥ 1024 in development, a proxy in front in production',
    );
    expect(
      lines.every((l) => /^::(error|warning|notice) file=[^,]+,line=\d+,col=\d+,title=[^:]+::\S/.test(l)),
    ).toBe(true);
  });

  it('exit codes: 0 below --fail-on, 1 at or above it, 2 on usage errors', async () => {
    const dir = projectFrom(
      'bad',
      'policy:\n  rules:\n    datastore-exposed: warning\n    admin-port-exposed: note\n    network-mode-host: off\n    duplicate-host-port: off\n',
    );
    const code = async (...args: string[]) =>
      (await runPortico(['policy', ...args], { cwd: dir, env: env() })).code;
    expect(await code()).toBe(0); // no errors left
    expect(await code('--fail-on', 'error')).toBe(0);
    expect(await code('--fail-on', 'warning')).toBe(1);
    expect(await code('--fail-on', 'note')).toBe(1);
    expect(await code('--fail-on', 'fatal')).toBe(2);
    expect(await code('--format', 'xml')).toBe(2);
    const json = await runPortico(['policy', '--json', '--fail-on', 'nope'], { cwd: dir, env: env() });
    expect(json.code).toBe(2);
    expect(json.json<{ error: { code: string } }>().error.code).toBe('E_USAGE');
  });

  it('outside any project: E_PROJECT_NOT_FOUND, exit 2', async () => {
    const r = await runPortico(['policy', '--json'], { cwd: tempDir(), env: env() });
    expect(r.code).toBe(2);
    expect(r.json<{ error: { code: string } }>().error.code).toBe('E_PROJECT_NOT_FOUND');
  });
});

describe('portico policy --json with --format', () => {
  it('asking for two outputs is a usage error', async () => {
    const r = await runPortico(['policy', '--json', '--format', 'sarif'], { cwd: bad, env: env() });
    expect(r.code).toBe(2);
    expect(r.json<{ error: { code: string } }>().error.code).toBe('E_USAGE');
  });
});
