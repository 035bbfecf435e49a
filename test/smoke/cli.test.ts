import { describe, expect, it } from 'vitest';
import { runPortico } from '../helpers/cli.js';

describe('portico CLI conventions', () => {
  it('prints help and exits 0', async () => {
    const r = await runPortico(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Exit codes: 0 healthy');
  });

  it('rejects an unknown option with exit 2 and a JSON error document under --json', async () => {
    const r = await runPortico(['--json', '--bogus']);
    expect(r.code).toBe(2);
    expect(r.json<{ ok: boolean; error: { code: string } }>()).toMatchObject({
      ok: false,
      error: { code: 'E_USAGE' },
    });
    expect(r.stderr).toContain("unknown option '--bogus'");
  });
});
