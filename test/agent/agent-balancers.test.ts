import { writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPortico } from '../helpers/cli.js';
import { freePort } from '../helpers/net.js';
import { holdPort } from '../helpers/port-holder.js';
import { tempDir } from '../helpers/tmp.js';
import { startUpstream, type TestUpstream } from '../helpers/upstreams.js';
import { waitFor } from '../helpers/wait.js';
import { type AgentProcess, api, startAgent } from './agent-process.js';

/** One GET through the balancer: the body names the upstream that answered. */
function get(port: number, host = 'localhost'): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', headers: { host }, agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => {
        body += c.toString();
      });
      res.on('end', () => resolve(`${res.statusCode} ${body}`));
    });
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** Bounded batch: who answered `n` requests in a row. */
async function answers(port: number, n: number, host?: string): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(await get(port, host));
  return out;
}

function portClosed(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });
}

function lbConfig(lbPort: number, adminPort: number, withWeb: boolean): string {
  return [
    `listen: 127.0.0.1:${lbPort}`,
    `admin: 127.0.0.1:${adminPort}`,
    'drainTimeout: 2s',
    'routes:',
    ...(withWeb ? ['  - name: web', '    host: web.localhost', '    service: web'] : []),
    '  - name: api',
    '    service: api',
    '',
  ].join('\n');
}

const manifest = 'balancers:\n  - name: edge\n    config: lb/portico-lb.yaml\n';

describe('portico agent runs the balancers declared in portico.yaml', () => {
  const home = tempDir('portico-agentlb-home-');
  const project = tempDir('portico-agentlb-project-');
  const env = { PORTICO_HOME: home };
  let agent: AgentProcess;
  let a: TestUpstream;
  let b: TestUpstream;
  let c: TestUpstream;
  let lbPort: number;
  let adminPort: number;

  beforeAll(async () => {
    [a, b, c] = await Promise.all([startUpstream('a'), startUpstream('b'), startUpstream('c')]);
    lbPort = await freePort();
    adminPort = await freePort();
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(project, 'lb'));
    writeFileSync(join(project, 'portico.yaml'), manifest);
    writeFileSync(join(project, 'lb', 'portico-lb.yaml'), lbConfig(lbPort, adminPort, false));
    agent = await startAgent(['--no-discover'], { env, cwd: project });
    for (const [service, u] of [
      ['api', a],
      ['api', b],
      ['web', c],
    ] as const) {
      const r = await api(`${agent.url}/api/v1/instances`, {
        method: 'POST',
        body: { id: `${u.name}`, service, address: '127.0.0.1', port: u.port, protocol: 'http' },
      });
      expect(r.status).toBe(201);
    }
  }, 60_000);
  afterAll(async () => {
    await agent?.stop();
  });

  it('starts the balancer and announces it', () => {
    expect(agent.stdout()).toContain(`balancer edge: http://127.0.0.1:${lbPort}`);
  });

  it('routes a service: route to every catalog instance', async () => {
    const seen = await waitFor(
      async () => {
        const got = new Set(await answers(lbPort, 6));
        // Until the catalog reached the balancer, a batch may also hold a 503 (no upstream yet).
        return got.size === 2 && got.has('200 a') && got.has('200 b') ? got : undefined;
      },
      { timeoutMs: 20_000, what: 'both instances to answer through the balancer' },
    );
    expect([...seen].sort()).toEqual(['200 a', '200 b']);
  });

  it('lists its admin endpoint as a watched balancer (API, lb status, dashboard)', async () => {
    const admin = `127.0.0.1:${adminPort}`;
    const described = await api(`${agent.url}/api/v1/agent`);
    expect(described.body.balancers).toEqual([admin]);
    const status = await runPortico(['lb', 'status', '--json'], { env, cwd: project });
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.stringify(status.json())).toContain(`"api"`);
    const dash = await api(`${agent.url}/dashboard/data/balancers`);
    expect(dash.body.balancers).toHaveLength(1);
    expect(JSON.stringify(dash.body.balancers[0])).toContain(admin);
  });

  it('stops sending traffic to a deregistered instance', async () => {
    const r = await api(`${agent.url}/api/v1/instances/b`, { method: 'DELETE' });
    expect(r.status).toBe(200);
    const only = await waitFor(
      async () => {
        const got = await answers(lbPort, 6);
        return got.every((x) => x === '200 a') ? got : undefined;
      },
      { timeoutMs: 20_000, what: 'b to leave the rotation' },
    );
    expect(only).toHaveLength(6);
  });

  it('applies a changed config on SIGHUP (a new route to another service)', async () => {
    expect(await get(lbPort, 'web.localhost')).toBe('200 a');
    writeFileSync(join(project, 'lb', 'portico-lb.yaml'), lbConfig(lbPort, adminPort, true));
    agent.child.kill('SIGHUP');
    await waitFor(async () => ((await get(lbPort, 'web.localhost')) === '200 c' ? true : undefined), {
      timeoutMs: 20_000,
      what: 'the web route after SIGHUP',
    });
    expect(await get(lbPort, 'localhost')).toBe('200 a');
  });

  it('keeps the running config when the reloaded one is broken, and says where', async () => {
    writeFileSync(join(project, 'lb', 'portico-lb.yaml'), 'routes:\n  - name: api\n    servce: api\n');
    agent.child.kill('SIGHUP');
    await waitFor(() => (/reload failed/.test(agent.stderr()) ? true : undefined), {
      timeoutMs: 20_000,
      what: 'the reload warning',
    });
    expect(agent.stderr()).toMatch(/E_LB_CONFIG\] .*portico-lb\.yaml:3:5: .*servce/);
    expect(await get(lbPort, 'web.localhost')).toBe('200 c');
  });

  it('on SIGHUP stops a balancer removed from portico.yaml and starts a new one', async () => {
    writeFileSync(join(project, 'lb', 'portico-lb.yaml'), lbConfig(lbPort, adminPort, true));
    writeFileSync(join(project, 'portico.yaml'), 'balancers: []\n');
    agent.child.kill('SIGHUP');
    await waitFor(async () => ((await portClosed(lbPort)) ? true : undefined), {
      timeoutMs: 20_000,
      what: 'the removed balancer to stop',
    });
    expect((await api(`${agent.url}/api/v1/agent`)).body.balancers).toEqual([]);
    writeFileSync(join(project, 'portico.yaml'), manifest.replace('name: edge', 'name: edge2'));
    agent.child.kill('SIGHUP');
    await waitFor(async () => ((await portClosed(lbPort)) ? undefined : true), {
      timeoutMs: 20_000,
      what: 'the new balancer to listen',
    });
    await waitFor(() => (agent.stderr().includes('balancer edge2: started') ? true : undefined), {
      timeoutMs: 20_000,
      what: 'the start note',
    });
    await waitFor(async () => ((await get(lbPort, 'web.localhost')) === '200 c' ? true : undefined), {
      timeoutMs: 20_000,
      what: 'the new balancer to follow the catalog',
    });
  });

  it('drains and closes the balancer on SIGTERM', async () => {
    expect(await portClosed(lbPort)).toBe(false);
    expect(await agent.stop()).toBe(0);
    expect(await portClosed(lbPort)).toBe(true);
    expect(await portClosed(adminPort)).toBe(true);
  });
});

describe('portico agent refuses balancers it cannot run (exit 2, nothing started)', () => {
  const home = tempDir('portico-agentlb-home-');
  const env = { PORTICO_HOME: home };

  it('a broken balancer config names file:line:col', async () => {
    const project = tempDir('portico-agentlb-broken-');
    writeFileSync(join(project, 'portico.yaml'), 'balancers:\n  - name: edge\n    config: lb.yaml\n');
    writeFileSync(join(project, 'lb.yaml'), 'listen: 127.0.0.1:0\nroutes:\n  - name: x\n    upstrems: []\n');
    const r = await runPortico(['agent', '--listen', '127.0.0.1:0', '--no-discover'], { env, cwd: project });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('E_LB_CONFIG');
    expect(r.stderr).toContain(`balancer edge: ${join(project, 'lb.yaml')}:4:5`);
  });

  it('an unknown key under balancers: is refused with portico.yaml:line:col', async () => {
    const project = tempDir('portico-agentlb-unknown-');
    writeFileSync(
      join(project, 'portico.yaml'),
      'balancers:\n  - name: edge\n    config: lb.yaml\n    listen: 127.0.0.1:80\n',
    );
    const r = await runPortico(['agent', '--listen', '127.0.0.1:0', '--no-discover'], { env, cwd: project });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('E_MANIFEST_INVALID');
    expect(r.stderr).toMatch(/portico\.yaml:4:5: balancers\.0\.listen: unknown key/);
  });

  it('a listen port already taken', async () => {
    const held = await holdPort('127.0.0.1');
    try {
      const project = tempDir('portico-agentlb-taken-');
      writeFileSync(join(project, 'portico.yaml'), 'balancers:\n  - name: edge\n    config: lb.yaml\n');
      writeFileSync(
        join(project, 'lb.yaml'),
        `listen: 127.0.0.1:${held.port}\nroutes:\n  - name: x\n    service: api\n`,
      );
      const r = await runPortico(['agent', '--listen', '127.0.0.1:0', '--no-discover'], {
        env,
        cwd: project,
      });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('E_LB_LISTEN');
      expect(r.stderr).toContain('balancer edge');
    } finally {
      await held.stop();
    }
  });
});
