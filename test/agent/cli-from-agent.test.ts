import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPortico } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { waitFor } from '../helpers/wait.js';
import { type AgentProcess, api, type Json, startAgent } from './agent-process.js';

/**
 * `discovery list` and `health` answer from this project's running agent (and say so on
 * stderr), with the same document as when they read the catalog themselves; `--no-agent`, a
 * store the agent does not use, or an agent that does not answer in time: the local path.
 */

/** The structure of a JSON value: keys and value types, arrays as the union of their elements. */
function shape(value: unknown): unknown {
  if (value === null) return 'null';
  if (Array.isArray(value)) {
    const merged: Record<string, unknown> = {};
    for (const v of value) Object.assign(merged, { [JSON.stringify(shape(v))]: shape(v) });
    return Object.values(merged);
  }
  if (typeof value === 'object')
    return Object.fromEntries(
      Object.keys(value as object)
        .sort()
        .map((k) => [k, shape((value as Record<string, unknown>)[k])]),
    );
  return typeof value;
}

const fromAgent = /from agent at 127\.0\.0\.1:(\d+) \(pid (\d+)\)/;

let upstream: Server;
let upstreamPort: number;
beforeAll(async () => {
  upstream = createServer((_req, res) => res.end('ok')).listen(0, '127.0.0.1');
  await new Promise((r) => upstream.once('listening', r));
  upstreamPort = (upstream.address() as AddressInfo).port;
});
afterAll(() => {
  upstream?.close();
});

/** A project whose one service has an http check against the loopback server above. */
function project(): string {
  const dir = tempDir('portico-cli-agent-project-');
  writeFileSync(
    join(dir, 'portico.yaml'),
    `services:\n  billing:\n    endpoints:\n      - { address: 127.0.0.1, port: ${upstreamPort} }\n    checks:\n      - { kind: http, path: /health, interval: 1s }\n`,
  );
  return dir;
}

describe('the CLI with a running agent on the same catalog', () => {
  const home = tempDir('portico-cli-agent-home-');
  // No Docker engine to wait for: the docker suite and source skip at once.
  const env = { PORTICO_HOME: home, DOCKER_HOST: `unix://${join(home, 'no-docker.sock')}` };
  let cwd: string;
  let agent: AgentProcess;
  beforeAll(async () => {
    cwd = project();
    agent = await startAgent(['--source', 'manifest', '--project', 'shop'], { env, cwd });
    // Settled: the instance is in the catalog and its check has a status.
    await waitFor(
      async () => {
        const r = await api(`${agent.url}/api/v1/checks`);
        return r.body.checks?.[0]?.status === 'passing' ? r : undefined;
      },
      { timeoutMs: 20_000, what: 'the agent to settle the check' },
    );
  });
  afterAll(async () => {
    await agent?.stop();
  });

  it('discovery list answers from the agent, says so on stderr, and has the local path schema', async () => {
    const remote = await runPortico(['discovery', 'list', '--json', '--project', 'shop'], { env, cwd });
    expect(remote.code, remote.stderr).toBe(0);
    const m = fromAgent.exec(remote.stderr);
    expect(m, remote.stderr).not.toBeNull();
    expect(Number(m![1])).toBe(agent.port);
    expect(Number(m![2])).toBe(agent.child.pid);

    const local = await runPortico(['discovery', 'list', '--json', '--project', 'shop', '--no-agent'], {
      env,
      cwd,
    });
    expect(local.code, local.stderr).toBe(0);
    expect(local.stderr).not.toMatch(/from agent/);
    const [a, b] = [remote.json<Json>(), local.json<Json>()];
    expect(a.instances.map((i: Json) => i.id)).toEqual(b.instances.map((i: Json) => i.id));
    expect(a.instances[0]).toMatchObject({ service: 'billing', status: 'passing' });
    expect(shape(a)).toEqual(shape(b));
  });

  it('discovery list --service filters on the agent as it does locally', async () => {
    const none = await runPortico(['discovery', 'list', '--json', '--project', 'shop', '--service', 'nope'], {
      env,
      cwd,
    });
    expect(none.stderr).toMatch(fromAgent);
    expect(none.json<Json>().instances).toEqual([]);
  });

  it('health answers from the agent with the same report schema as the local path', {
    timeout: 90_000,
  }, async () => {
    const remote = await runPortico(['health', '--json', '--project', 'shop'], {
      env,
      cwd,
      timeoutMs: 60_000,
    });
    expect(remote.stderr).toMatch(fromAgent);
    const local = await runPortico(['health', '--json', '--project', 'shop', '--no-agent'], {
      env,
      cwd,
      timeoutMs: 60_000,
    });
    expect(local.stderr).not.toMatch(/from agent/);
    expect(remote.code).toBe(local.code);
    const [a, b] = [remote.json<Json>(), local.json<Json>()];
    expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
    expect(Object.keys(a.summary).sort()).toEqual(Object.keys(b.summary).sort());
    expect(Object.keys(a.extra).sort()).toEqual(Object.keys(b.extra).sort());
    expect(
      shape(a.checks.map((c: Json) => ({ ...c, findings: [], notes: [], measurements: {}, steps: [] }))),
    ).toEqual(
      shape(b.checks.map((c: Json) => ({ ...c, findings: [], notes: [], measurements: {}, steps: [] }))),
    );
    expect(a.checks.map((c: Json) => c.id)).toEqual(b.checks.map((c: Json) => c.id));
    expect(a.checks.map((c: Json) => c.id)).toContain('checks.billing');
  });

  it('an agent that does not answer within a second is passed over: the command reads the catalog itself', async () => {
    process.kill(agent.child.pid!, 'SIGSTOP');
    try {
      const r = await runPortico(['discovery', 'list', '--json', '--project', 'shop'], { env, cwd });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/did not answer within 1 s; reading the catalog here/);
      expect(r.json<Json>().instances.map((i: Json) => i.service)).toEqual(['billing']);
    } finally {
      process.kill(agent.child.pid!, 'SIGCONT');
    }
  });
});

describe('the CLI with an agent on another store', () => {
  const home = tempDir('portico-cli-agent-home-');
  const env = { PORTICO_HOME: home, DOCKER_HOST: `unix://${join(home, 'no-docker.sock')}` };
  let cwd: string;
  const agentStore = `sqlite://${join(home, 'agent.db')}`;
  let agent: AgentProcess;
  beforeAll(async () => {
    cwd = project();
    agent = await startAgent(['--source', 'manifest', '--project', 'shop', '--store', agentStore], {
      env,
      cwd,
    });
    // Registered over the agent's API only: its store has it, the default catalog never does.
    const registered = await api(`${agent.url}/api/v1/instances`, {
      method: 'POST',
      body: { service: 'extra', port: upstreamPort, checks: ['tcp'] },
    });
    expect(registered.status).toBe(201);
  });
  afterAll(async () => {
    await agent?.stop();
  });

  it("shows the agent's catalog, which the local default store does not have", async () => {
    const remote = await runPortico(['discovery', 'list', '--json', '--project', 'shop'], { env, cwd });
    expect(remote.stderr).toMatch(fromAgent);
    expect(
      remote
        .json<Json>()
        .instances.map((i: Json) => i.service)
        .sort(),
    ).toEqual(['billing', 'extra']);
    const local = await runPortico(['discovery', 'list', '--json', '--project', 'shop', '--no-agent'], {
      env,
      cwd,
    });
    expect(local.json<Json>().instances).toEqual([]);
  });

  it('a command naming another store does not ask that agent', async () => {
    const other = `sqlite://${join(home, 'other.db')}`;
    const r = await runPortico(['discovery', 'list', '--json', '--project', 'shop', '--store', other], {
      env,
      cwd,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/agent/);
    expect(r.json<Json>().instances).toEqual([]);
    const same = await runPortico(
      ['discovery', 'list', '--json', '--project', 'shop', '--store', agentStore],
      {
        env,
        cwd,
      },
    );
    expect(same.stderr).toMatch(fromAgent);
  });

  it("health runs the declared checks of what the agent's catalog holds", { timeout: 90_000 }, async () => {
    const remote = await runPortico(['health', '--json', '--project', 'shop'], {
      env,
      cwd,
      timeoutMs: 60_000,
    });
    expect(remote.stderr).toMatch(fromAgent);
    expect(remote.json<Json>().checks.map((c: Json) => c.id)).toContain('checks.extra');
    const local = await runPortico(['health', '--json', '--project', 'shop', '--no-agent'], {
      env,
      cwd,
      timeoutMs: 60_000,
    });
    expect(local.json<Json>().checks.map((c: Json) => c.id)).not.toContain('checks.extra');
  });
});

describe('the CLI with no agent', () => {
  it('discovery list reads the store and mentions no agent', async () => {
    const home = tempDir('portico-cli-agent-home-');
    const r = await runPortico(['discovery', 'list', '--json', '--project', 'shop'], {
      env: { PORTICO_HOME: home },
      cwd: project(),
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/agent/);
    expect(r.json<Json>()).toMatchObject({ project: 'shop', instances: [] });
  });
});
