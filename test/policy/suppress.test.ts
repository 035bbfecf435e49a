import { describe, expect, it } from 'vitest';
import { runPortico } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { brief, type PolicyDoc, projectFrom } from './project.js';

const env = () => ({ PORTICO_HOME: tempDir() });

/** A portico.yaml whose only policy is these suppressions (YAML list items). */
function suppressions(...items: string[]): string {
  return ['version: 1', 'policy:', '  suppress:', ...items.map((i) => `    - ${i}`), ''].join('\n');
}

describe('portico policy suppressions', () => {
  it('an active suppression keeps the finding in the report but out of the exit code', async () => {
    const dir = projectFrom(
      'bad',
      suppressions(
        '{ rule: datastore-exposed, service: db, reason: "demo box, firewalled", until: 2099-12-31 }',
        '{ rule: admin-port-exposed, reason: "debugging this sprint", until: 2099-12-31 }',
        '{ rule: network-mode-host, service: agent, reason: "needs the host netns", until: 2099-12-31 }',
        '{ rule: duplicate-host-port, service: cache, reason: "profiles keep them apart", until: 2099-12-31 }',
      ),
    );
    const r = await runPortico(['policy', '--json'], { cwd: dir, env: env() });
    const doc = r.json<PolicyDoc>();
    expect(doc.findings.find((f) => f.rule === 'datastore-exposed')?.suppressed).toEqual({
      reason: 'demo box, firewalled',
      until: '2099-12-31',
    });
    expect(doc.summary).toMatchObject({ error: 0, suppressed: 4, failing: 0 });
    expect(doc.findings.filter((f) => f.rule === 'suppression-expired')).toEqual([]);
    expect(r.code).toBe(0);

    // The table says so too.
    const table = await runPortico(['policy'], { cwd: dir, env: env() });
    expect(table.stdout).toContain('error (suppressed)');
    expect(table.stdout).toContain('suppressed until 2099-12-31: demo box, firewalled');
    expect(table.code).toBe(0);
  });

  it('a suppression for another service does not apply', async () => {
    const dir = projectFrom(
      'bad',
      suppressions('{ rule: datastore-exposed, service: cache, reason: "only cache", until: 2099-12-31 }'),
    );
    const doc = (await runPortico(['policy', '--json'], { cwd: dir, env: env() })).json<PolicyDoc>();
    expect(doc.findings.find((f) => f.rule === 'datastore-exposed')?.suppressed).toBeUndefined();
  });

  it('an expired suppression is reported at its line and no longer suppresses', async () => {
    const dir = projectFrom(
      'bad',
      suppressions('{ rule: datastore-exposed, service: db, reason: "was a demo", until: 2020-01-31 }'),
    );
    const r = await runPortico(['policy', '--json'], { cwd: dir, env: env() });
    const doc = r.json<PolicyDoc>();
    expect(brief(doc)).toContain('datastore-exposed db 19:9');
    expect(brief(doc)).toContain('suppression-expired db 4:7');
    const expired = doc.findings.find((f) => f.rule === 'suppression-expired')!;
    expect(expired.location?.file).toMatch(/portico\.yaml$/);
    expect(expired.message).toContain('expired on 2020-01-31');
    expect(r.code).toBe(1);
  });

  it('a suppression without a reason is an invalid manifest: E_MANIFEST_INVALID at file:line:col, exit 2', async () => {
    const dir = projectFrom(
      'bad',
      suppressions('{ rule: datastore-exposed, service: db, until: 2099-12-31 }'),
    );
    const r = await runPortico(['policy', '--json'], { cwd: dir, env: env() });
    expect(r.code).toBe(2);
    const doc = r.json<{ ok: boolean; error: { code: string; message: string } }>();
    expect(doc.error.code).toBe('E_MANIFEST_INVALID');
    expect(doc.error.message).toMatch(/portico\.yaml:4:\d+/);
    expect(doc.error.message).toContain('reason');
  });

  it('an empty reason, an unknown rule or a bad date are invalid too', async () => {
    for (const item of [
      '{ rule: datastore-exposed, reason: "  ", until: 2099-12-31 }',
      '{ rule: no-such-rule, reason: "x", until: 2099-12-31 }',
      '{ rule: datastore-exposed, reason: "x", until: someday }',
    ]) {
      const dir = projectFrom('bad', suppressions(item));
      const r = await runPortico(['policy'], { cwd: dir, env: env() });
      expect(r.code, item).toBe(2);
      expect(r.stderr, item).toMatch(/E_MANIFEST_INVALID.*portico\.yaml:4:\d+/);
    }
  });
});

describe('portico policy references', () => {
  it('a policy naming a service compose does not define is reported at the name', async () => {
    const dir = projectFrom(
      'tiers',
      [
        'version: 1',
        'policy:',
        '  requireHealthcheck: false',
        '  tiers:',
        '    frontend: { ports: 3000-3999, services: [web, wbe] }',
        '  allowExposed: [{ service: dbb }]',
        '',
      ].join('\n'),
    );
    const r = await runPortico(['policy', '--json', '--fail-on', 'warning'], { cwd: dir, env: env() });
    const doc = r.json<PolicyDoc>();
    expect(brief(doc)).toEqual(['policy-unknown-service wbe 5:51', 'policy-unknown-service dbb 6:20']);
    expect(doc.findings[0]!.message).toContain('(services: api, db, web)');
    expect(r.code).toBe(1);
  });
});

describe('portico policy tiers validation', () => {
  it('a service in two tiers is an invalid manifest at the second mention', async () => {
    const dir = projectFrom(
      'tiers',
      [
        'policy:',
        '  tiers:',
        '    frontend: { ports: 3000-3999, services: [web] }',
        '    api:',
        '      ports: 8000-8999',
        '      services: [api, web]',
        '',
      ].join('\n'),
    );
    const r = await runPortico(['policy'], { cwd: dir, env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/E_MANIFEST_INVALID.*portico\.yaml:6:\d+.*"web" is already in tier frontend/);
  });
});
