import { describe, expect, it } from 'vitest';
import { runPortico } from '../helpers/cli.js';
import { holdPort } from '../helpers/port-holder.js';
import { tempDir } from '../helpers/tmp.js';
import { waitFor } from '../helpers/wait.js';

const env = { PORTICO_HOME: tempDir() };

describe('portico ports kill', () => {
  it('refuses without a terminal or --yes, and leaves the holder alive', async () => {
    const held = await holdPort('127.0.0.1');
    const r = await runPortico(['ports', 'kill', String(held.port)], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('[E_PORTS_KILL_REFUSED]');
    expect(r.stderr).toContain(`send SIGTERM to pid ${held.pid}`);
    expect(held.child.exitCode).toBeNull();
  });

  it('shows the plan with --dry-run', async () => {
    const held = await holdPort('127.0.0.1');
    const r = await runPortico(['ports', 'kill', String(held.port), '--dry-run', '--json'], { env });
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({
      dryRun: true,
      actions: [{ kind: 'process', target: String(held.pid) }],
    });
    expect(held.child.exitCode).toBeNull();
  });

  it('signals the holder with --yes and confirms the port is free', async () => {
    const held = await holdPort('127.0.0.1');
    const r = await runPortico(['ports', 'kill', String(held.port), '--yes', '--signal', 'KILL', '--json'], {
      env,
    });
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({ freed: true, actions: [{ kind: 'process' }] });
    await waitFor(() => held.child.signalCode === 'SIGKILL', { what: 'holder killed' });
  });

  it('succeeds when nothing holds the port', async () => {
    const held = await holdPort('127.0.0.1');
    await held.stop();
    const r = await runPortico(['ports', 'kill', String(held.port), '--yes'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Nothing holds port ${held.port}`);
  });
});
