import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { cliPath, runPortico } from '../helpers/cli.js';

describe('portico CLI conventions', () => {
  it('prints help and exits 0', async () => {
    const r = await runPortico(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Exit codes: 0 healthy');
  });

  it('builds an executable bin, so `npx portico` runs right after `npm run build`', async () => {
    // Run the file itself (its shebang), not `node file`: tsc writes it without the exec bit.
    const { stdout } = await promisify(execFile)(cliPath, ['--version']);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
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
