import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fetchCatalog, findAgent } from './client.js';
import { type AgentState, writeAgentState } from './state-file.js';

let home: string;
let server: Server | undefined;
afterEach(async () => {
  rmSync(home, { recursive: true, force: true });
  if (server) await new Promise((r) => server!.close(r));
  server = undefined;
});

function state(over: Partial<AgentState>): AgentState {
  return {
    pid: process.pid,
    listen: '127.0.0.1:1',
    url: 'http://127.0.0.1:1',
    project: 'shop',
    dir: '/',
    files: [],
    store: 'catalog.db in the state directory',
    startedAt: 1,
    ...over,
  };
}

/** A loopback server answering /api/v1/catalog with `body`. */
async function serving(body: unknown): Promise<string> {
  server = createServer((_req, res) => res.end(JSON.stringify(body))).listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('findAgent', () => {
  it("picks a live agent of this project, on the command's store when it names one", () => {
    home = mkdtempSync(join(tmpdir(), 'portico-client-'));
    const env = { PORTICO_HOME: home };
    // A dead pid: its state file is stale, never used.
    writeAgentState(env, state({ pid: 2 ** 22 + 17, startedAt: 5 }));
    expect(findAgent(env, 'shop')).toBeUndefined();
    writeAgentState(env, state({ store: 'sqlite:///a.db' }));
    expect(findAgent(env, 'shop')?.pid).toBe(process.pid);
    expect(findAgent(env, 'other')).toBeUndefined();
    expect(findAgent(env, 'shop', 'sqlite:///a.db')?.pid).toBe(process.pid);
    expect(findAgent(env, 'shop', 'sqlite:///b.db')).toBeUndefined();
  });
});

describe('fetchCatalog', () => {
  const good = { pid: process.pid, project: 'shop', index: 3, instances: [], states: [], ttl: [] };

  it('returns the catalog of the agent its state file names', async () => {
    home = mkdtempSync(join(tmpdir(), 'portico-client-'));
    const url = await serving(good);
    expect(await fetchCatalog({ ...state({ url }), stale: false })).toEqual(good);
  });

  it('refuses an answer from another process (a reused port or pid) and an incomplete one', async () => {
    home = mkdtempSync(join(tmpdir(), 'portico-client-'));
    const url = await serving({ ...good, pid: process.pid + 1 });
    expect(await fetchCatalog({ ...state({ url }), stale: false })).toBeUndefined();
    await new Promise((r) => server!.close(r));
    const partial = await serving({ pid: process.pid, project: 'shop', index: 1 });
    expect(await fetchCatalog({ ...state({ url: partial }), stale: false })).toBeUndefined();
  });

  it('gives up on a silent agent after its timeout', async () => {
    home = mkdtempSync(join(tmpdir(), 'portico-client-'));
    server = createServer(() => {}).listen(0, '127.0.0.1'); // accepts, never answers
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    expect(await fetchCatalog({ ...state({ url }), stale: false }, {}, 200)).toBeUndefined();
    server.closeAllConnections();
  });
});
