import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runPortico } from '../helpers/cli.js';
import { freePort } from '../helpers/net.js';
import { holdIPv6OnlyPort, holdPort } from '../helpers/port-holder.js';
import { tempDir } from '../helpers/tmp.js';

const fixtures = fileURLToPath(new URL('../fixtures/compose/', import.meta.url));
const home = tempDir();
const env = { PORTICO_HOME: home };

interface CheckDoc {
  ok: boolean;
  conflicts: Array<{
    kind: string;
    severity: string;
    port: number;
    summary: string;
    fix: string;
    holders: Array<{ processes: Array<{ pid: number }> }>;
  }>;
}

function composeWith(ports: string[], service = 'web'): string {
  const dir = tempDir();
  writeFileSync(
    join(dir, 'compose.yaml'),
    `name: checkproj\nservices:\n  ${service}:\n    image: x\n    ports:\n${ports.map((p) => `      - "${p}"`).join('\n')}\n`,
  );
  return dir;
}

describe('portico ports check', () => {
  it('finds the real 3000 collision between two awesome-compose projects (exit 1)', async () => {
    const r = await runPortico(
      [
        'ports',
        'check',
        '--json',
        '-f',
        'awesome-compose-gitea-postgres.yaml',
        '-f',
        'awesome-compose-prometheus-grafana.yaml',
      ],
      { cwd: fixtures, env },
    );
    expect(r.code).toBe(1);
    const doc = r.json<CheckDoc>();
    expect(doc.ok).toBe(false);
    expect(doc.conflicts.filter((c) => c.kind === 'compose-duplicate').map((c) => c.port)).toEqual([3000]);
  });

  it('names the process that holds a compose port', async () => {
    const held = await holdPort('127.0.0.1');
    const dir = composeWith([`127.0.0.1:${held.port}:80`]);
    const r = await runPortico(['ports', 'check', '--json'], { cwd: dir, env });
    expect(r.code).toBe(1);
    const [c] = r.json<CheckDoc>().conflicts;
    expect(c).toMatchObject({ kind: 'in-use-by-process', severity: 'error', port: held.port });
    expect(c!.holders[0]!.processes[0]!.pid).toBe(held.pid);
    expect(c!.fix).toContain(`portico ports kill ${held.port}`);
    const human = await runPortico(['ports', 'check'], { cwd: dir, env });
    expect(human.stdout).toContain(`needs port ${held.port}/tcp, already held by node (pid ${held.pid})`);
  });

  it('does not confuse 127.0.0.1 with another specific address, but does with all interfaces', async () => {
    const held = await holdPort('127.0.0.2');
    expect(
      (await runPortico(['ports', 'check'], { cwd: composeWith([`127.0.0.1:${held.port}:80`]), env })).code,
    ).toBe(0);
    expect((await runPortico(['ports', 'check'], { cwd: composeWith([`${held.port}:80`]), env })).code).toBe(
      1,
    );
  });

  it('explains a port free on IPv4 but held on IPv6 (localhost goes to the wrong server)', async () => {
    const held = await holdIPv6OnlyPort();
    const r = await runPortico(['ports', 'check', '--json'], { cwd: composeWith([`${held.port}:80`]), env });
    expect(r.code).toBe(1);
    const [c] = r.json<CheckDoc>().conflicts;
    expect(c).toMatchObject({ kind: 'ipv4-ipv6-split', port: held.port });
    expect(c!.summary).toContain('free on IPv4 but taken on IPv6');
  });

  it('checks bare ports without a compose file, on both families', async () => {
    const held = await holdIPv6OnlyPort();
    const free = await freePort();
    const r = await runPortico(['ports', 'check', '--json', String(held.port), String(free)], {
      cwd: home,
      env,
    });
    expect(r.code).toBe(1);
    expect(r.json<CheckDoc>().conflicts.map((c) => [c.kind, c.port])).toEqual([
      ['ipv4-ipv6-split', held.port],
    ]);
  });

  it('flags a port reserved by another project, and warns on privileged ports without failing', async () => {
    const reserved = await runPortico(['ports', 'reserve', 'billing-api', '--project', 'billing', '--json'], {
      cwd: home,
      env,
    });
    const port = reserved.json<{ reservation: { port: number } }>().reservation.port;
    const r = await runPortico(['ports', 'check', '--json'], { cwd: composeWith([`${port}:80`]), env });
    expect(r.json<CheckDoc>().conflicts.map((c) => c.kind)).toEqual(['reserved-by-other-project']);
    const low = await runPortico(['ports', 'check', '--json'], {
      cwd: composeWith(['127.0.0.1:81:80']),
      env,
    });
    expect(low.code).toBe(0);
    expect(low.json<CheckDoc>().conflicts).toMatchObject([{ kind: 'privileged-port', severity: 'warning' }]);
  });

  it('is clean on a project without conflicts and says so', async () => {
    const port = await freePort();
    const r = await runPortico(['ports', 'check'], { cwd: composeWith([`127.0.0.1:${port}:80`]), env });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('no port conflicts in project checkproj');
  });

  it('covers every syntax of the ugly fixture without crashing', async () => {
    const dir = tempDir();
    cpSync(join(fixtures, 'ugly'), dir, { recursive: true });
    const r = await runPortico(['ports', 'check', '--json'], { cwd: dir, env });
    expect([0, 1]).toContain(r.code);
    expect(r.json<CheckDoc>().conflicts.some((c) => c.kind === 'privileged-port' && c.port === 53)).toBe(
      true,
    );
  });
});
