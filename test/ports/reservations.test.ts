import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { stablePort } from '../../src/ports/reservations/allocator.js';
import { cliPath, runPortico } from '../helpers/cli.js';
import { holdPort } from '../helpers/port-holder.js';
import { tempDir } from '../helpers/tmp.js';

interface ReserveDoc {
  reservation: { name: string; port: number; project: string; pid?: number };
  created: boolean;
  reclaimed: Array<{ name: string }>;
}

describe('portico ports reserve', () => {
  it('gives a name the same port every time, derived from the name', async () => {
    const env = { PORTICO_HOME: tempDir() };
    const cwd = tempDir();
    const first = (
      await runPortico(['ports', 'reserve', 'auth-service', '--json', '--project', 'shop'], { env, cwd })
    ).json<ReserveDoc>();
    const again = (
      await runPortico(['ports', 'reserve', 'auth-service', '--json', '--project', 'shop'], { env, cwd })
    ).json<ReserveDoc>();
    expect(first.created).toBe(true);
    expect(again.created).toBe(false);
    expect(again.reservation.port).toBe(first.reservation.port);
    // A fresh state directory (another machine) derives the same port from the name.
    const elsewhere = (
      await runPortico(['ports', 'reserve', 'auth-service', '--json'], {
        env: { PORTICO_HOME: tempDir() },
        cwd,
      })
    ).json<ReserveDoc>();
    expect(elsewhere.reservation.port).toBe(first.reservation.port);
    expect(first.reservation.port).toBe(stablePort('auth-service', { start: 20000, end: 29999 }));
  });

  it('probes past a port that is in use on this host', async () => {
    const env = { PORTICO_HOME: tempDir() };
    const want = stablePort('probe-me', { start: 41000, end: 41999 });
    const held = await holdPort('127.0.0.1', want);
    const r = (
      await runPortico(['ports', 'reserve', 'probe-me', '--range', '41000-41999', '--json'], { env })
    ).json<ReserveDoc>();
    expect(r.reservation.port).not.toBe(held.port);
    expect(r.reservation.port).toBeGreaterThanOrEqual(41000);
  });

  it('refuses a specific port that is reserved or in use, with coded errors', async () => {
    const env = { PORTICO_HOME: tempDir() };
    const a = (await runPortico(['ports', 'reserve', 'a', '--json'], { env })).json<ReserveDoc>();
    const taken = await runPortico(['ports', 'reserve', 'b', '--port', String(a.reservation.port)], { env });
    expect(taken.code).toBe(2);
    expect(taken.stderr).toContain('[E_PORTS_RESERVED]');
    const held = await holdPort('127.0.0.1');
    const busy = await runPortico(['ports', 'reserve', 'c', '--port', String(held.port)], { env });
    expect(busy.code).toBe(2);
    expect(busy.stderr).toContain('[E_PORTS_IN_USE]');
  });

  it('reclaims the lease of a dead process and lists and releases leases', async () => {
    const env = { PORTICO_HOME: tempDir() };
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    const lease = (
      await runPortico(['ports', 'reserve', 'tmp-worker', '--pid', String(child.pid), '--json'], { env })
    ).json<ReserveDoc>();
    expect(lease.reservation.pid).toBe(child.pid);
    const listed = await runPortico(['ports', 'reservations', '--all', '--json'], { env });
    expect(listed.json<{ reservations: unknown[] }>().reservations).toHaveLength(1);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const after = await runPortico(['ports', 'reservations', '--all', '--json'], { env });
    expect(after.json<{ reservations: unknown[] }>().reservations).toEqual([]);

    await runPortico(['ports', 'reserve', 'keep', '--project', 'p'], { env });
    expect((await runPortico(['ports', 'release', 'keep', '--project', 'p'], { env })).code).toBe(0);
    const again = await runPortico(['ports', 'release', 'keep', '--project', 'p'], { env });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('[E_PORTS_NOT_RESERVED]');
  });

  it('never hands one port to two names when 12 processes reserve at once', async () => {
    const env = { ...process.env, PORTICO_HOME: tempDir(), NO_COLOR: '1' };
    // A 16-port range and 12 names: heavy hash collisions, so every allocator must see the others.
    const names = Array.from({ length: 12 }, (_, i) => `svc-${i}`);
    const run = (name: string) =>
      new Promise<ReserveDoc>((resolve, reject) => {
        const child = spawn(
          process.execPath,
          [cliPath, 'ports', 'reserve', name, '--range', '43000-43015', '--project', 'race', '--json'],
          { env },
        );
        let out = '';
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
        });
        child.once('close', (code) =>
          code === 0 ? resolve(JSON.parse(out) as ReserveDoc) : reject(new Error(`exit ${code}: ${out}`)),
        );
      });
    const results = await Promise.all(names.map(run));
    const ports = results.map((r) => r.reservation.port);
    expect(new Set(ports).size).toBe(names.length);
    // Same names again, concurrently: every name keeps its port.
    const again = await Promise.all(names.map(run));
    expect(again.map((r) => r.reservation.port)).toEqual(ports);
  });
});

describe('portico ports free', () => {
  it('lists ports free on both families and skips held and reserved ones', async () => {
    const env = { PORTICO_HOME: tempDir() };
    const held = await holdPort('::1', 44001);
    await runPortico(['ports', 'reserve', 'x', '--port', '44002', '--json'], { env });
    const r = await runPortico(['ports', 'free', '--range', '44000-44010', '-n', '3', '--json'], { env });
    expect(r.code).toBe(0);
    const ports = r.json<{ ports: number[] }>().ports;
    expect(ports).toHaveLength(3);
    expect(ports).not.toContain(held.port);
    expect(ports).not.toContain(44002);
  });
});
