import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bindTest } from '../../src/ports/bind-test.js';
import { runPortico } from '../helpers/cli.js';
import { holdPort } from '../helpers/port-holder.js';
import { tempDir } from '../helpers/tmp.js';
import { waitFor } from '../helpers/wait.js';

const env = { PORTICO_HOME: tempDir() };

/**
 * A free port below the kernel's ephemeral range. `kill --yes` on a port this test has just
 * released could kill whatever another test file bound there in the meantime (every test picks
 * its ports from the ephemeral range, through port 0); nothing picks one here.
 */
async function freePortBelowEphemeral(): Promise<number> {
  const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * Math.max(1, low - 20_000));
    if ((await bindTest('0.0.0.0', port)) === 'free' && (await bindTest('::', port)) !== 'in-use')
      return port;
  }
  throw new Error(`no free port between 20000 and ${low}`);
}

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
    const port = await freePortBelowEphemeral();
    const r = await runPortico(['ports', 'kill', String(port), '--yes'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Nothing holds port ${port}`);
  });
});
