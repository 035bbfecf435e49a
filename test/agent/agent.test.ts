import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPortico } from '../helpers/cli.js';
import { freePort } from '../helpers/net.js';
import { spawnTracked } from '../helpers/processes.js';
import { tempDir } from '../helpers/tmp.js';
import { waitFor } from '../helpers/wait.js';
import { type AgentProcess, api, startAgent } from './agent-process.js';

const home = tempDir('portico-agent-home-');
const project = tempDir('portico-agent-project-');
const env = { PORTICO_HOME: home };
/** A folder with no project, for the agents that need none (the SIGHUP test breaks `project`). */
const elsewhere = tempDir('portico-agent-cwd-');

writeFileSync(
  join(project, 'portico.yaml'),
  'services:\n  billing:\n    endpoints:\n      - { address: 127.0.0.1, port: 4000 }\n',
);

describe('portico agent (process, native API)', () => {
  let agent: AgentProcess;
  beforeAll(async () => {
    agent = await startAgent(['--source', 'manifest', '--project', 'shop'], { env, cwd: project });
  });
  afterAll(async () => {
    await agent?.stop();
  });

  it('loads the project and serves what its sources found', async () => {
    const res = await waitFor(async () => {
      const r = await api(`${agent.url}/api/v1/instances`);
      return r.body.instances?.length === 1 ? r : undefined;
    });
    expect(res.body.project).toBe('shop');
    expect(res.body.instances[0]).toMatchObject({ service: 'billing', port: 4000, source: 'manifest' });
    const projects = await api(`${agent.url}/api/v1/projects`);
    expect(projects.body.projects).toContainEqual({ name: 'shop', watched: true });
  });

  it('portico status names the running agent and what it watches', async () => {
    const status = await runPortico(['status', '--json'], { env });
    expect(status.code).toBe(0);
    const doc = status.json<{ running: boolean; agents: Array<Record<string, unknown>> }>();
    expect(doc.running).toBe(true);
    expect(doc.agents[0]).toMatchObject({
      pid: agent.child.pid,
      url: agent.url,
      project: 'shop',
      stale: false,
      answering: true,
    });
    expect(doc.agents[0]!.files).toEqual([join(project, 'portico.yaml')]);
  });

  it('refuses a command check over HTTP (400, E_CHECK_UNTRUSTED) and registers nothing', async () => {
    const refused = await api(`${agent.url}/api/v1/instances`, {
      method: 'POST',
      body: { service: 'evil', port: 9, checks: ['command:/bin/true'] },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('E_CHECK_UNTRUSTED');
    const asObject = await api(`${agent.url}/api/v1/instances`, {
      method: 'POST',
      body: { service: 'evil', port: 9, checks: [{ kind: 'command', argv: ['/bin/true'] }] },
    });
    expect(asObject.status).toBe(400);
    expect(asObject.body.error.code).toBe('E_CHECK_UNTRUSTED');
    // Nor may a check from the network name a password variable the user did not allow.
    const secret = await api(`${agent.url}/api/v1/instances`, {
      method: 'POST',
      body: { service: 'evil', port: 9, checks: ['postgres:app,passwordEnv=PGPASSWORD'] },
    });
    expect(secret.status).toBe(400);
    expect(secret.body.error.code).toBe('E_CHECK_UNTRUSTED');
    const list = await api(`${agent.url}/api/v1/services`);
    expect(list.body.services.map((s: { name: string }) => s.name)).not.toContain('evil');
  });

  it('answers a bad body and an unknown path with the one error shape', async () => {
    const bad = await api(`${agent.url}/api/v1/instances`, { method: 'POST', body: { service: 'x' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'E_API_BAD_REQUEST' });
    expect(bad.body.error.message).toMatch(/port/);
    const missing = await api(`${agent.url}/api/v1/nothing`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('E_API_NOT_FOUND');
  });

  it('registers with a TTL check; pass/fail reports settle at once and stream as events', async () => {
    const events: string[] = [];
    const stream = new AbortController();
    const res = await fetch(`${agent.url}/api/v1/events`, { signal: stream.signal });
    const reader = res.body!.getReader();
    void (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          events.push(Buffer.from(value).toString());
        }
      } catch {}
    })();
    const created = await api(`${agent.url}/api/v1/instances`, {
      method: 'POST',
      body: { service: 'worker', port: 5000, checks: ['ttl:30s,rise=1,fall=1'] },
    });
    expect(created.status).toBe(201);
    const id = created.body.registered.id as string;
    expect(created.body.registered.checks[0].origin).toBe('api');
    const status = async (): Promise<string> =>
      (await api(`${agent.url}/api/v1/instances/${encodeURIComponent(id)}`)).body.status;
    await waitFor(
      async () => (await api(`${agent.url}/api/v1/instances/${encodeURIComponent(id)}`)).status === 200,
    );
    const pass = async (verb: string) =>
      await api(`${agent.url}/api/v1/instances/${encodeURIComponent(id)}/checks/ttl/${verb}`, {
        method: 'PUT',
        body: { note: `said ${verb}` },
      });
    await waitFor(async () => (await pass('pass')).status === 200 && (await status()) === 'passing', {
      what: 'worker to pass',
    });
    expect((await pass('warn')).status).toBe(200);
    await waitFor(async () => (await status()) === 'warning', { what: 'worker to warn' });
    expect((await pass('fail')).status).toBe(200);
    await waitFor(async () => (await status()) === 'critical', { what: 'worker to fail' });
    await waitFor(
      () =>
        events.join('').includes('"instanceId":"api:worker:127.0.0.1:5000"') &&
        events.join('').includes('event: check'),
      {
        what: 'check events on /api/v1/events',
      },
    );
    stream.abort();
    const history = await api(`${agent.url}/api/v1/instances/${encodeURIComponent(id)}/history?since=0`);
    expect(history.body.history.map((h: { status: string }) => h.status)).toEqual(
      expect.arrayContaining(['passing', 'critical']),
    );
    const checks = await api(`${agent.url}/api/v1/checks`);
    expect(checks.body.checks).toContainEqual(
      expect.objectContaining({ instanceId: id, kind: 'ttl', status: 'critical', output: 'said fail' }),
    );
    const gone = await api(`${agent.url}/api/v1/instances/${encodeURIComponent(id)}`, { method: 'DELETE' });
    expect(gone.status).toBe(200);
    expect((await api(`${agent.url}/api/v1/instances/${encodeURIComponent(id)}`)).status).toBe(404);
  });

  it('runs HTTP checks registered over the API against a real server, both ways', async () => {
    let healthy = true;
    const server: Server = createServer((_req, res) => {
      res.statusCode = healthy ? 200 : 503;
      res.end(healthy ? 'ok' : 'down');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      const created = await api(`${agent.url}/api/v1/instances`, {
        method: 'POST',
        body: {
          service: 'web',
          port,
          protocol: 'http',
          checks: [{ kind: 'http', path: '/health', interval: '200ms', rise: 1, fall: 1 }],
        },
      });
      expect(created.status).toBe(201);
      const url = `${agent.url}/api/v1/services/web`;
      await waitFor(async () => (await api(url)).body.status === 'passing', { what: 'web to pass' });
      healthy = false;
      await waitFor(async () => (await api(url)).body.status === 'critical', { what: 'web to fail' });
    } finally {
      server.close();
    }
  });

  it('SIGHUP reloads the project files; a broken file keeps the running project', async () => {
    const before = await api(`${agent.url}/api/v1/agent`);
    expect(before.body).toMatchObject({
      project: 'shop',
      reloads: 0,
      files: [join(project, 'portico.yaml')],
    });
    // A compose file appears: only a reload makes it part of the project.
    writeFileSync(join(project, 'compose.yaml'), 'services:\n  cache:\n    image: redis:7\n');
    writeFileSync(
      join(project, 'portico.yaml'),
      'services:\n  billing:\n    endpoints:\n      - { address: 127.0.0.1, port: 4000 }\n  ledger:\n    endpoints:\n      - { address: 127.0.0.1, port: 4100 }\n',
    );
    agent.child.kill('SIGHUP');
    const after = await waitFor(
      async () => {
        const r = await api(`${agent.url}/api/v1/agent`);
        return r.body.reloads === 1 ? r.body : undefined;
      },
      { timeoutMs: 10_000, what: 'the reload' },
    );
    expect(after.files).toEqual([join(project, 'compose.yaml'), join(project, 'portico.yaml')]);
    await waitFor(
      async () =>
        (await api(`${agent.url}/api/v1/services`)).body.services.some(
          (s: { name: string }) => s.name === 'ledger',
        ),
      { timeoutMs: 10_000, what: 'ledger after SIGHUP' },
    );
    const status = (await runPortico(['status', '--json'], { env })).json<{
      agents: Array<{ files: string[] }>;
    }>();
    expect(status.agents[0]!.files).toEqual(after.files);

    // A broken compose file: the reload fails with a warning and the agent keeps serving.
    writeFileSync(join(project, 'compose.yaml'), 'services:\n  cache: [not, a, service\n');
    agent.child.kill('SIGHUP');
    await waitFor(() => /reload failed, still running the previous project/.test(agent.stderr()), {
      timeoutMs: 10_000,
      what: 'the reload warning',
    });
    expect((await api(`${agent.url}/api/v1/agent`)).body.reloads).toBe(1);
    expect((await api(`${agent.url}/api/v1/services/billing`)).status).toBe(200);
    expect(agent.child.exitCode).toBeNull();
  });

  it('stops cleanly on SIGTERM: exit 0, one line, state file removed', async () => {
    const code = await agent.stop();
    expect(code).toBe(0);
    expect(agent.stdout()).toMatch(/^portico agent stopped \(project shop\)$/m);
    expect(readdirSync(join(home, 'agents'))).toEqual([]);
    const status = await runPortico(['status'], { env });
    expect(status.code).toBe(1);
    expect(status.stdout).toMatch(/No agent is running/);
  });
});

describe('portico agent refuses to start half-way', () => {
  it('a taken port is E_AGENT_LISTEN, exit 2, and leaves no state behind', async () => {
    const holder = createServer();
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r));
    const port = (holder.address() as AddressInfo).port;
    const ownHome = tempDir('portico-agent-home-');
    try {
      const run = await runPortico(['agent', '--listen', `127.0.0.1:${port}`, '--no-discover'], {
        env: { PORTICO_HOME: ownHome },
        cwd: elsewhere,
        timeoutMs: 15_000,
      });
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/E_AGENT_LISTEN.*already in use/);
      expect(existsSync(join(ownHome, 'agents'))).toBe(false);
    } finally {
      holder.close();
    }
  });

  it('--require-token without a token is E_AGENT_TOKEN_REQUIRED, exit 2', async () => {
    const run = await runPortico(['agent', '--listen', '127.0.0.1:0', '--require-token', '--no-discover'], {
      env: { PORTICO_HOME: tempDir('portico-agent-home-') },
      cwd: elsewhere,
      timeoutMs: 15_000,
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/E_AGENT_TOKEN_REQUIRED/);
  });
});

describe('portico agent with a token', () => {
  const token = 'a-long-test-token-0123456789';
  let agent: AgentProcess;
  beforeAll(async () => {
    agent = await startAgent(['--no-discover', '--require-token', '--token-env', 'AGENT_TOKEN'], {
      env: { PORTICO_HOME: tempDir('portico-agent-home-'), AGENT_TOKEN: token },
      cwd: elsewhere,
    });
  });
  afterAll(async () => {
    await agent?.stop();
  });

  it('refuses writes without the token, accepts Bearer and X-Consul-Token; reads stay open', async () => {
    const body = { service: 'tok', port: 7000 };
    const without = await api(`${agent.url}/api/v1/instances`, { method: 'POST', body });
    expect(without.status).toBe(401);
    expect(without.body.error.code).toBe('E_API_UNAUTHORIZED');
    const wrong = await api(`${agent.url}/api/v1/instances`, {
      method: 'POST',
      body,
      headers: { authorization: 'Bearer not-the-token-at-all' },
    });
    expect(wrong.status).toBe(401);
    const ok = await api(`${agent.url}/api/v1/instances`, {
      method: 'POST',
      body,
      headers: { authorization: `Bearer ${token}` },
    });
    expect(ok.status).toBe(201);
    const consulBody = { Name: 'tok2', Port: 7001 };
    const consulWithout = await api(`${agent.url}/v1/agent/service/register`, {
      method: 'PUT',
      body: consulBody,
    });
    expect(consulWithout.status).toBe(403);
    const consulOk = await api(`${agent.url}/v1/agent/service/register`, {
      method: 'PUT',
      body: consulBody,
      headers: { 'x-consul-token': token },
    });
    expect(consulOk.status).toBe(200);
    const read = await api(`${agent.url}/api/v1/services`);
    expect(read.status).toBe(200);
    expect(read.body.services.map((s: { name: string }) => s.name).sort()).toEqual(['tok', 'tok2']);
  });
});

describe('portico status', () => {
  it('marks the state of an agent whose process is gone as stale, exit 1', async () => {
    const ownHome = tempDir('portico-agent-home-');
    const gone = spawnTracked(process.execPath, ['-e', '']);
    const pid = gone.pid!;
    await waitFor(() => gone.exitCode !== null, { what: 'the short process to exit' });
    mkdirSync(join(ownHome, 'agents'));
    writeFileSync(
      join(ownHome, 'agents', `${pid}.json`),
      JSON.stringify({
        pid,
        listen: '127.0.0.1:7780',
        url: 'http://127.0.0.1:7780',
        project: 'old',
        dir: '/',
        files: [],
        store: 'x',
        startedAt: 1,
      }),
    );
    const status = await runPortico(['status'], { env: { PORTICO_HOME: ownHome } });
    expect(status.code).toBe(1);
    expect(status.stdout).toMatch(new RegExp(`agent pid ${pid} \\(project old\\) is not running any more`));
  });

  it('a live pid that does not answer as an agent is not a running agent, exit 1', async () => {
    const ownHome = tempDir('portico-agent-home-');
    const port = await freePort();
    mkdirSync(join(ownHome, 'agents'));
    // This test process is alive, but nothing listens on the port: a reused pid, for instance.
    writeFileSync(
      join(ownHome, 'agents', `${process.pid}.json`),
      JSON.stringify({
        pid: process.pid,
        listen: `127.0.0.1:${port}`,
        url: `http://127.0.0.1:${port}`,
        project: 'p',
        dir: '/',
        files: [],
        store: 'x',
        startedAt: 1,
      }),
    );
    const status = await runPortico(['status', '--json'], { env: { PORTICO_HOME: ownHome } });
    expect(status.code).toBe(1);
    expect(status.json()).toMatchObject({
      running: false,
      agents: [{ pid: process.pid, stale: false, answering: false }],
    });
  });
});
