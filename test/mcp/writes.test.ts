import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runPortico } from '../helpers/cli.js';
import { freePort } from '../helpers/net.js';
import { holdPort } from '../helpers/port-holder.js';
import { tempDir } from '../helpers/tmp.js';
import { waitFor } from '../helpers/wait.js';
import { type McpSession, startMcp, textOf } from './client.js';

const home = tempDir();
const env = { PORTICO_HOME: home };

interface Reservations {
  reservations: Array<{ name: string; port: number; project: string }>;
}

describe('portico mcp --allow-writes', () => {
  let mcp: McpSession;
  const project = tempDir();
  beforeAll(async () => {
    writeFileSync(join(project, 'compose.yaml'), 'name: mcpwrites\nservices: {}\n');
    mcp = await startMcp(['--allow-writes', '-C', project], env);
  });

  it('offers the tools that change state', async () => {
    const names = (await mcp.client.listTools()).tools.map((t) => t.name);
    for (const write of ['ports_reserve', 'ports_release', 'ports_kill', 'ports_fix_write'])
      expect(names).toContain(write);
    const reserve = (await mcp.client.listTools()).tools.find((t) => t.name === 'ports_reserve')!;
    expect(reserve.annotations?.readOnlyHint).toBe(false);
    expect(Object.keys(reserve.inputSchema.properties ?? {})).toContain('confirm');
  });

  it('reserve and release do nothing without confirm: true, and act with it', async () => {
    const refused = await mcp.call('ports_reserve', { name: 'auth-service' });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toContain('needs confirm: true; nothing was done');
    expect(textOf(refused)).toContain('"confirm": true');
    const list = async () =>
      (await mcp.call('ports_reservations', {})).structuredContent as unknown as Reservations;
    expect((await list()).reservations).toEqual([]);

    const made = await mcp.call('ports_reserve', { name: 'auth-service', confirm: true });
    expect(made.isError).toBeFalsy();
    const { reservation } = made.structuredContent as { reservation: { port: number; project: string } };
    expect(reservation.project).toBe('mcpwrites');
    // The CLI sees the same lease: the tool ran the same implementation on the same state.
    const cli = await runPortico(['ports', 'reservations', '--json', '-C', project], { env });
    expect(cli.json<Reservations>().reservations).toEqual([
      expect.objectContaining({ name: 'auth-service', port: reservation.port }),
    ]);

    const keep = await mcp.call('ports_release', { name: 'auth-service', confirm: false });
    expect(keep.isError).toBe(true);
    expect((await list()).reservations.map((r) => r.name)).toEqual(['auth-service']);
    const released = await mcp.call('ports_release', { name: 'auth-service', confirm: true });
    expect(released.isError).toBeFalsy();
    expect((await list()).reservations).toEqual([]);

    const again = await mcp.call('ports_release', { name: 'auth-service', confirm: true });
    expect(again.isError).toBe(true);
    expect((again.structuredContent as { error: { code: string } }).error.code).toBe('E_PORTS_NOT_RESERVED');
  });

  it('ports_fix_write edits the compose file only with confirm: true', async () => {
    const dir = tempDir();
    const port = await freePort();
    const file = join(dir, 'compose.yaml');
    writeFileSync(
      file,
      `name: mcpfix\nservices:\n  web:\n    image: x\n    ports:\n      - "127.0.0.1:${port}:80"\n  api:\n    image: x\n    ports:\n      - "127.0.0.1:${port}:8080"\n`,
    );
    const before = readFileSync(file, 'utf8');
    expect((await mcp.call('ports_fix_write', { directory: dir })).isError).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe(before);
    const r = await mcp.call('ports_fix_write', { directory: dir, confirm: true });
    expect(r.isError).toBeFalsy();
    expect((r.structuredContent as { converged: boolean }).converged).toBe(true);
    expect(readFileSync(file, 'utf8')).not.toBe(before);
    const check = await mcp.call('ports_check', { directory: dir });
    expect((check.structuredContent as { ok: boolean }).ok).toBe(true);
  });

  it('ports_kill stops the holder of a port only with confirm: true', async () => {
    const held = await holdPort('127.0.0.1');
    const refused = await mcp.call('ports_kill', { port: held.port });
    expect(refused.isError).toBe(true);
    expect(held.child.exitCode).toBeNull();
    const plan = await mcp.call('ports_kill', { port: held.port, dryRun: true });
    expect(textOf(plan)).toContain(`would send SIGTERM to pid ${held.pid}`);
    const r = await mcp.call('ports_kill', { port: held.port, confirm: true });
    expect(r.isError).toBeFalsy();
    expect((r.structuredContent as { freed: boolean }).freed).toBe(true);
    await waitFor(() => held.child.exitCode !== null || held.child.signalCode !== null, {
      timeoutMs: 10_000,
    });
  });
});
