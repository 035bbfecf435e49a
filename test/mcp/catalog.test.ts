import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPortico } from '../helpers/cli.js';
import { holdPort } from '../helpers/port-holder.js';
import { tempDir } from '../helpers/tmp.js';
import { type McpSession, startMcp, textOf } from './client.js';

const home = tempDir();
const env = { PORTICO_HOME: home };
const outside = tempDir(); // no compose.yaml or portico.yaml: only --project names the namespace

interface Catalog {
  project: string;
  instances: Array<{ service: string; port: number; status: string }>;
}

describe('portico mcp: the catalog', () => {
  let mcp: McpSession;
  beforeAll(async () => {
    mcp = await startMcp(['--project', 'mcpcat', '-C', outside], env);
  });

  it('lists, checks and shows a project catalog filled by the CLI', async () => {
    const held = await holdPort('127.0.0.1');
    const reg = await runPortico(
      ['discovery', 'register', 'web', '--port', String(held.port), '--check', 'tcp', '--project', 'mcpcat'],
      { env, cwd: outside },
    );
    expect(reg.code).toBe(0);

    // The server's --project is the default namespace of every tool.
    const list = await mcp.call('discovery_list', {});
    expect(list.structuredContent).toMatchObject({
      project: 'mcpcat',
      instances: [{ service: 'web', port: held.port }],
    });
    expect((await mcp.call('discovery_list', { project: 'other' })).structuredContent).toMatchObject({
      project: 'other',
      instances: [],
    });

    const up = await mcp.call('discovery_health', {});
    expect(up.structuredContent).toMatchObject({ from: 'catalog', summary: { passing: 1, critical: 0 } });
    await held.stop();
    const down = await mcp.call('discovery_health', {});
    expect(down.isError).toBeFalsy();
    expect(down._meta?.['portico/exitCode']).toBe(1);
    expect(down.structuredContent).toMatchObject({ summary: { critical: 1 } });
    expect(textOf(down)).toContain('1 critical');

    const templates = await mcp.client.listResources();
    expect(templates.resources.map((r) => r.uri)).toContain('portico://catalog/mcpcat');
    const read = await mcp.client.readResource({ uri: 'portico://catalog/mcpcat' });
    const catalog = JSON.parse((read.contents[0] as { text: string }).text) as Catalog;
    expect(catalog.instances).toEqual([expect.objectContaining({ service: 'web', status: 'critical' })]);
    const own = await mcp.client.readResource({ uri: 'portico://catalog' });
    expect(JSON.parse((own.contents[0] as { text: string }).text)).toMatchObject({ project: 'mcpcat' });

    const last = await mcp.client.readResource({ uri: 'portico://last/discovery_health' });
    expect(JSON.parse((last.contents[0] as { text: string }).text)).toMatchObject({
      exitCode: 1,
      result: { summary: { critical: 1 } },
    });
  });

  it('health reports on the catalog project with a score', async () => {
    const r = await mcp.call('health', {});
    const doc = r.structuredContent as { title: string; extra?: { score?: { max: number } | null } };
    expect(doc.title).toContain('health');
    expect(textOf(r)).toMatch(/checks: \d+ passed/);
    const last = await mcp.client.readResource({ uri: 'portico://last/health' });
    expect(JSON.parse((last.contents[0] as { text: string }).text)).toMatchObject({ tool: 'health' });
  });
});

describe('portico mcp: a project whose portico.yaml names its store', () => {
  // The catalog lives where portico.yaml says, not in PORTICO_HOME: the resource listing must look
  // there too, as the tools do (a listing from the default catalog.db would be empty).
  const dir = join(tempDir(), 'ownstore'); // the project is named after its folder
  const storeFile = join(tempDir(), 'own-catalog.db');
  let mcp: McpSession | undefined;
  afterAll(async () => mcp?.close());

  it('lists the namespaces of that store', async () => {
    mkdirSync(dir);
    writeFileSync(join(dir, 'portico.yaml'), `store:\n  url: sqlite://${storeFile}\n`);
    const held = await holdPort('127.0.0.1');
    try {
      const reg = await runPortico(['discovery', 'register', 'api', '--port', String(held.port)], {
        env,
        cwd: dir,
      });
      expect(reg.code).toBe(0);
      mcp = await startMcp(['-C', dir], env);
      const listed = await mcp.client.listResources();
      expect(listed.resources.map((r) => r.uri)).toContain('portico://catalog/ownstore');
      const read = await mcp.client.readResource({ uri: 'portico://catalog' });
      expect(JSON.parse((read.contents[0] as { text: string }).text)).toMatchObject({
        project: 'ownstore',
        instances: [expect.objectContaining({ service: 'api', port: held.port })],
      });
    } finally {
      await held.stop();
    }
  });
});
