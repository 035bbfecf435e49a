import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runPortico } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const fixtures = fileURLToPath(new URL('../fixtures/compose/', import.meta.url));
const env = { PORTICO_HOME: tempDir() };

interface CheckDoc {
  ok: boolean;
  checkedPorts: number;
  conflicts: Array<{ kind: string; port: number }>;
  warnings: string[];
}

const duplicates = (doc: CheckDoc) =>
  doc.conflicts.filter((c) => c.kind === 'compose-duplicate').map((c) => c.port);

describe('ports check reads compose as compose does (built CLI)', () => {
  it('two services in mutually exclusive profiles are not a conflict', async () => {
    const r = await runPortico(['ports', 'check', '-f', 'corpus/profiles/compose.yaml', '--json'], {
      cwd: fixtures,
      env: { ...env, COMPOSE_PROFILES: 'variant-a' },
    });
    expect(r.code, r.stderr).not.toBe(2);
    expect(duplicates(r.json<CheckDoc>())).toEqual([]);
  });

  it('both profiles enabled: the shared host port is a conflict (exit 1)', async () => {
    const r = await runPortico(['ports', 'check', '-f', 'corpus/profiles/compose.yaml', '--json'], {
      cwd: fixtures,
      env: { ...env, COMPOSE_PROFILES: 'variant-a,variant-b' },
    });
    expect(r.code).toBe(1);
    expect(duplicates(r.json<CheckDoc>())).toEqual([18402]);
  });

  it('a variable holding IP:PORT works, with compose’s warning for an unset one', async () => {
    const r = await runPortico(['ports', 'check', '--json'], { cwd: `${fixtures}corpus/interpolation`, env });
    expect(r.code, r.stderr).not.toBe(2);
    const doc = r.json<CheckDoc>();
    expect(doc.checkedPorts).toBe(7);
    expect(doc.warnings).toEqual(['The "UNSET_HOST_IP" variable is not set. Defaulting to a blank string.']);
  });

  it('include: brings the included services’ ports in', async () => {
    const r = await runPortico(['ports', 'check', '--json'], { cwd: `${fixtures}corpus/include`, env });
    expect(r.code, r.stderr).not.toBe(2);
    expect(r.json<CheckDoc>().checkedPorts).toBe(4);
  });

  it('a key left empty is E_COMPOSE_INVALID with file:line, exit 2', async () => {
    const r = await runPortico(['ports', 'check', '-f', 'invalid/empty-depends-on.yaml'], {
      cwd: fixtures,
      env,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('[E_COMPOSE_INVALID]');
    expect(r.stderr).toContain(
      'empty-depends-on.yaml:6: services.web.depends_on contains null, which is an invalid type, it should be an array or an object',
    );
    const json = await runPortico(['ports', 'check', '-f', 'invalid/empty-depends-on.yaml', '--json'], {
      cwd: fixtures,
      env,
    });
    expect(json.json<{ error: { code: string } }>().error.code).toBe('E_COMPOSE_INVALID');
  });
});
