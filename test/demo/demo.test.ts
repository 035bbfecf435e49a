import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { cliPath, runPortico } from '../helpers/cli.js';
import { spawnTracked } from '../helpers/processes.js';
import { tempDir } from '../helpers/tmp.js';
import { waitFor } from '../helpers/wait.js';

interface Finding {
  code: string;
  title: string;
}

/** Whether something accepts connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

describe('portico demo', () => {
  it('--once finds the planted faults, nothing else, and leaves nothing behind', async () => {
    const env = { PORTICO_HOME: tempDir() };
    const r = await runPortico(['demo', '--once', '--json'], { env, cwd: tempDir(), timeoutMs: 60_000 });
    expect(r.code).toBe(1);
    const doc = r.json<{ target: string; checks: Array<{ id: string; findings: Finding[] }> }>();
    expect(doc.target).toContain('project portico-demo');
    const findings = doc.checks.flatMap((c) => c.findings);
    const codes = findings.map((f) => f.code);
    expect(codes).toContain('HTTP_SLOW');
    expect(codes).toContain('TLS_EXPIRING');
    // Every finding is about a planted fault: the slow orders instance or payments' certificate.
    for (const f of findings) expect(f.title).toMatch(/orders|payments/);
    expect(codes.filter((c) => c.startsWith('PORT_'))).toEqual([]);
    // Torn down: no reservations and no catalog entries left for the demo project.
    const reservations = await runPortico(['ports', 'reservations', '--all', '--json'], { env });
    expect(reservations.json<{ reservations: unknown[] }>().reservations).toEqual([]);
    const catalog = await runPortico(['discovery', 'list', '--all-projects', '--json'], { env });
    expect(catalog.json<{ instances: unknown[] }>().instances).toEqual([]);
  });

  it('runs until Ctrl-C, then stops and frees every port', async () => {
    const env = { ...process.env, NO_COLOR: '1', PORTICO_HOME: tempDir() };
    const child = spawnTracked(process.execPath, [cliPath, 'demo', '--json'], { env, cwd: tempDir() });
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const doc = await waitFor(
      () => {
        try {
          return JSON.parse(out) as { ports: Record<string, number> };
        } catch {
          return undefined;
        }
      },
      { timeoutMs: 30_000, what: 'the demo to print its ports' },
    );
    const gateway = doc.ports.gateway!;
    expect(await listening(gateway)).toBe(true);
    const res = await fetch(`http://127.0.0.1:${gateway}/auth/health`);
    expect(res.status).toBe(200);
    // The agent runs for the demo project: its API lists the services, portico status finds it.
    const services = await waitFor(
      async () => {
        const r = await fetch(`http://127.0.0.1:${doc.ports.agent}/v1/catalog/services`);
        const body = (await r.json()) as Record<string, string[]>;
        return Object.keys(body).length >= 4 ? body : undefined;
      },
      { timeoutMs: 15_000, what: 'the agent to list the demo services' },
    );
    expect(Object.keys(services).sort()).toEqual(['auth-service', 'gateway', 'orders', 'payments']);
    // The dashboard is served, and its balancer view reads the demo gateway's admin endpoint.
    const page = await fetch(`http://127.0.0.1:${doc.ports.agent}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const lb = (await (
      await fetch(`http://127.0.0.1:${doc.ports.agent}/dashboard/data/balancers`)
    ).json()) as {
      balancers: { admin: string; reachable?: boolean }[];
    };
    expect(lb.balancers.map((b) => [b.admin, b.reachable !== false])).toEqual([
      [`127.0.0.1:${doc.ports['gateway-admin']}`, true],
    ]);
    // lb status with no --admin finds the gateway through the project's agent.
    const lbStatus = await runPortico(['lb', 'status', '--json', '--project', 'portico-demo'], { env });
    expect(lbStatus.code, lbStatus.stderr).toBe(0);
    expect(lbStatus.stderr).toMatch(/balancer from agent at/);
    expect(JSON.stringify(lbStatus.json<{ listen: unknown }>().listen)).toContain(`:${gateway}`);
    const status = await runPortico(['status', '--json'], { env });
    expect(status.code).toBe(0);
    expect(JSON.stringify(status.json())).toContain('portico-demo');
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    for (const port of Object.values(doc.ports)) expect(await listening(port)).toBe(false);
  });
});
