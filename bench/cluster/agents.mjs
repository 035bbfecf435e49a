// `portico agent` processes for the cluster bench and the three ways the bench talks to them:
// the native API (writes with the bearer token), SSE on /api/v1/events, and Consul blocking
// queries. Every request is bounded in time.
import { mkdtempSync, rmSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { cli } from '../lib/measure.mjs';
import { onCleanup } from './cleanup.mjs';
import { startProcess, waitForOutput } from './processes.mjs';

export const project = 'bench';
export const token = 'cluster-bench-token';

/** A temporary directory removed at cleanup. */
export function tempDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  onCleanup(`dir ${dir}`, () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Start one agent: `prefix` runs it inside a host's namespace (or [] for this one), `store`
 * is an etcd:// URL (undefined: the agent's own SQLite catalog), `node` its host name.
 * Returns { name, proc, pid, url, pool, close }.
 */
export async function startAgent({ name, prefix = [], listen, store, node }) {
  const home = tempDir('portico-cbench-home-');
  const env = { ...process.env, PORTICO_HOME: home, NO_COLOR: '1', PTC_TOKEN: token };
  delete env.PORTICO_STORE;
  const args = [cli, '--project', project, '-C', home, 'agent', '--listen', listen, '--no-discover'];
  args.push(
    '--token-env',
    'PTC_TOKEN',
    ...(store ? ['--store', store] : []),
    ...(node ? ['--node', node] : []),
  );
  const proc = startProcess(`agent ${name}`, prefix, [process.execPath, ...args], { env, cwd: home });
  const url = await waitForOutput(
    proc,
    (out) => /project \S+ on (http:\/\/\S+) \(/.exec(out)?.[1],
    60_000,
    'its "listening" line',
  );
  const pool = new Pool(url, { connections: 16, headersTimeout: 45_000, bodyTimeout: 45_000 });
  onCleanup(`pool ${url}`, () => pool.destroy().catch(() => undefined));
  return { name, proc, pid: proc.pid, url, pool };
}

/** One API call; the parsed JSON body, or a throw naming the status. Bounded at 15 s. */
export async function call(agent, method, path, body) {
  const res = await agent.pool.request({
    method,
    path,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.body.text();
  if (res.statusCode >= 300)
    throw new Error(`${method} ${path} on ${agent.name}: ${res.statusCode} ${text.slice(0, 300)}`);
  return { json: JSON.parse(text), headers: res.headers };
}

/** How many instances the agent serves, and whether it says it is stale. */
export async function catalogSize(agent) {
  const { json } = await call(agent, 'GET', '/api/v1/services');
  return {
    instances: json.services.reduce((n, s) => n + s.instances, 0),
    stale: json.stale,
    index: json.index,
  };
}

/** An SSE client on /api/v1/events: `onChunk(text, t)` for every chunk received. */
export function sseClient(agent, onChunk) {
  return new Promise((resolve, reject) => {
    const req = httpGet(`${agent.url}/api/v1/events`, { agent: false }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`SSE on ${agent.name}: HTTP ${res.statusCode}`));
      res.setEncoding('utf8');
      res.on('data', (chunk) => onChunk(chunk, performance.now()));
      res.on('error', () => undefined);
      req.setTimeout(0);
      resolve({ close: () => req.destroy() });
    });
    req.on('error', reject);
    req.setTimeout(15_000, () => req.destroy(new Error(`SSE on ${agent.name}: connect timeout`)));
  });
}

/**
 * One Consul blocking query on `service`, re-armed with the new index after every answer;
 * `onAnswer(t)` when an answer carries a new index.
 */
export async function blockingQuery(agent, service, onAnswer) {
  const pool = new Pool(agent.url, { connections: 1, headersTimeout: 45_000, bodyTimeout: 45_000 });
  let closed = false;
  const first = await pool.request({ method: 'GET', path: `/v1/health/service/${service}` });
  await first.body.arrayBuffer();
  const arm = (index) => {
    if (closed) return;
    pool
      .request({ method: 'GET', path: `/v1/health/service/${service}?index=${index}&wait=30s` })
      .then(async (r) => {
        await r.body.arrayBuffer();
        const t = performance.now();
        const next = Number(r.headers['x-consul-index'] ?? index);
        if (next !== index) onAnswer(t);
        arm(next);
      })
      .catch(() => {
        if (!closed) setTimeout(() => arm(index), 100);
      });
  };
  arm(Number(first.headers['x-consul-index'] ?? 1));
  return {
    close: async () => {
      closed = true;
      await pool.destroy().catch(() => undefined);
    },
  };
}
