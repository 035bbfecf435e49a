import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/net.js';
import { holdPort } from '../helpers/port-holder.js';
import { tempDir } from '../helpers/tmp.js';
import { type McpSession, startMcp, textOf } from './client.js';

const fixtures = fileURLToPath(new URL('../fixtures/compose/', import.meta.url));
const home = tempDir();
const env = { PORTICO_HOME: home };

/** A compose project with two services claiming the same host port. */
function conflictingProject(port: number): string {
  const dir = tempDir();
  writeFileSync(
    join(dir, 'compose.yaml'),
    `name: mcpconflict\nservices:\n  web:\n    image: x\n    ports:\n      - "127.0.0.1:${port}:80"\n  api:\n    image: x\n    ports:\n      - "127.0.0.1:${port}:8080"\n`,
  );
  return dir;
}

describe('portico mcp: read-only tools', () => {
  let mcp: McpSession;
  beforeAll(async () => {
    mcp = await startMcp([], env);
  });

  it('lists the reading tools and none that change state without --allow-writes', async () => {
    const names = (await mcp.client.listTools()).tools.map((t) => t.name);
    for (const tool of [
      'ports_list',
      'ports_who',
      'ports_check',
      'ports_fix',
      'discovery_list',
      'discovery_health',
      'troubleshoot',
      'health',
      'lb_status',
      'lb_test',
      'policy',
      'report',
    ])
      expect(names).toContain(tool);
    for (const write of ['ports_reserve', 'ports_release', 'ports_kill', 'ports_fix_write'])
      expect(names).not.toContain(write);
  });

  it('ports_who names the process holding a real loopback listener', async () => {
    const held = await holdPort('127.0.0.1');
    const r = await mcp.call('ports_who', { port: held.port });
    expect(r.isError).toBeFalsy();
    const doc = r.structuredContent as {
      port: number;
      free: boolean;
      holders: Array<{ address: string; processes: Array<{ pid: number }> }>;
    };
    expect(doc).toMatchObject({ port: held.port, free: false });
    expect(doc.holders[0]!.address).toBe('127.0.0.1');
    expect(doc.holders[0]!.processes.map((p) => p.pid)).toContain(held.pid);
    expect(textOf(r)).toContain(`pid ${held.pid}`);
    await held.stop();
    const after = await mcp.call('ports_who', { port: held.port });
    expect((after.structuredContent as { free: boolean }).free).toBe(true);
  });

  it('ports_check finds the conflict in a compose project (exit 1 is a result, not a tool error)', async () => {
    const r = await mcp.call('ports_check', {
      directory: fixtures,
      files: ['awesome-compose-gitea-postgres.yaml', 'awesome-compose-prometheus-grafana.yaml'],
    });
    expect(r.isError).toBeFalsy();
    expect(r._meta?.['portico/exitCode']).toBe(1);
    const doc = r.structuredContent as { ok: boolean; conflicts: Array<{ kind: string; port: number }> };
    expect(doc.ok).toBe(false);
    expect(doc.conflicts.filter((c) => c.kind === 'compose-duplicate').map((c) => c.port)).toEqual([3000]);
    expect(textOf(r)).toMatch(/1 error conflict.*exit 1/);
  });

  it('ports_fix plans a fix as a dry run and writes nothing', async () => {
    const dir = conflictingProject(await freePort());
    const before = readFileSync(join(dir, 'compose.yaml'), 'utf8');
    const r = await mcp.call('ports_fix', { directory: dir });
    expect(r.isError).toBeFalsy();
    const doc = r.structuredContent as { converged: boolean; diff: string; written: unknown[] };
    expect(doc.converged).toBe(true);
    expect(doc.diff).toContain('compose.yaml');
    expect(doc.written).toEqual([]);
    expect(readFileSync(join(dir, 'compose.yaml'), 'utf8')).toBe(before);
  });

  it('troubleshoot connectivity on a closed loopback port reports CONN_REFUSED', async () => {
    const port = await freePort();
    const r = await mcp.call('troubleshoot', { suite: 'connectivity', target: `127.0.0.1:${port}` });
    expect(r.isError).toBeFalsy();
    const doc = r.structuredContent as { checks: Array<{ findings: Array<{ code: string }> }> };
    expect(doc.checks.flatMap((c) => c.findings.map((f) => f.code))).toContain('CONN_REFUSED');
    expect(textOf(r)).toContain('CONN_REFUSED');
  });

  it('policy runs on a compose project and returns its findings document', async () => {
    const r = await mcp.call('policy', { directory: conflictingProject(await freePort()) });
    const doc = r.structuredContent as { project: string; policy: string; rules: unknown[] };
    expect(doc).toMatchObject({ project: 'mcpconflict', policy: 'baseline' });
    expect(doc.rules.length).toBeGreaterThan(0);
  });

  it('report returns the assessment (topology, policy, recommendations) and keeps it as a resource', async () => {
    const r = await mcp.call('report', { directory: conflictingProject(await freePort()) });
    expect(r.isError, textOf(r)).toBeFalsy();
    const doc = r.structuredContent as {
      project: string;
      topology: { services: Array<{ name: string }> };
      recommendations: Array<{ where?: string }>;
      summary: { errors: number };
    };
    expect(doc.project).toBe('mcpconflict');
    expect(doc.topology.services.map((s) => s.name).sort()).toEqual(['api', 'web']);
    expect(doc.recommendations.length).toBeGreaterThan(0);
    expect(textOf(r)).toMatch(/^assessment: \d+ error\(s\)/);
    const last = await mcp.client.readResource({ uri: 'portico://last/report' });
    expect(JSON.stringify(last.contents)).toContain('mcpconflict');
  });

  it('a coded error becomes a tool error with code, message and hint, and the server keeps serving', async () => {
    const port = await freePort();
    const r = await mcp.call('lb_status', { admin: `127.0.0.1:${port}` });
    expect(r.isError).toBe(true);
    const { error } = r.structuredContent as { error: { code: string; message: string; hint?: string } };
    expect(error.code).toBe('E_LB_ADMIN_UNREACHABLE');
    expect(error.message).toContain(`127.0.0.1:${port}`);
    expect(error.hint).toContain('portico lb serve');
    expect(textOf(r)).toMatch(/^error\[E_LB_ADMIN_UNREACHABLE\]: .*\nhint: /);

    const missing = await mcp.call('ports_check', { directory: 'no/such/folder' });
    expect(missing.isError).toBe(true);
    expect(textOf(missing)).toContain('error[E_USAGE]: directory no/such/folder: no such directory');
    expect((await mcp.call('ports_who', { port: 1 })).isError).toBeFalsy();
  });

  it('rejects invalid input with a message naming the argument', async () => {
    const big = await mcp.call('ports_who', { port: 70000 });
    expect(big.isError).toBe(true);
    expect(textOf(big)).toMatch(/Input validation error: .*ports_who.*port/s);
    const suite = await mcp.call('troubleshoot', { suite: 'everything' });
    expect(suite.isError).toBe(true);
    expect(textOf(suite)).toMatch(/suite/);
    expect(textOf(suite)).toContain('connectivity');
    const typed = await mcp.call('ports_check', { files: 'compose.yaml' });
    expect(typed.isError).toBe(true);
    expect(textOf(typed)).toMatch(/files/);
    const unknown = await mcp.call('ports_reserve', { name: 'x', confirm: true });
    expect(unknown.isError).toBe(true);
    expect(textOf(unknown)).toContain('ports_reserve not found');
    // Still alive and answering.
    expect((await mcp.client.listTools()).tools.length).toBeGreaterThan(5);
  });

  it('lists and reads resources: the catalog and the last troubleshoot result', async () => {
    const { resources } = await mcp.client.listResources();
    const uris = resources.map((r) => r.uri);
    expect(uris).toContain('portico://catalog');
    expect(uris).toContain('portico://last/troubleshoot');
    expect(uris).toContain('portico://last/health');
    const templates = (await mcp.client.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate);
    expect(templates).toContain('portico://catalog/{project}');

    const catalog = await mcp.client.readResource({ uri: 'portico://catalog/mcp-test-project' });
    const content = catalog.contents[0] as { text: string; mimeType: string };
    expect(content.mimeType).toBe('application/json');
    expect(JSON.parse(content.text)).toMatchObject({ project: 'mcp-test-project', instances: [] });

    const port = await freePort();
    await mcp.call('troubleshoot', { suite: 'connectivity', target: `127.0.0.1:${port}` });
    const last = await mcp.client.readResource({ uri: 'portico://last/troubleshoot' });
    const remembered = JSON.parse((last.contents[0] as { text: string }).text) as {
      exitCode: number;
      arguments: { target: string };
      result: { target: string };
    };
    expect(remembered.arguments.target).toBe(`127.0.0.1:${port}`);
    expect(remembered.result.target).toBe(`127.0.0.1:${port}`);
    expect(remembered.exitCode).toBe(1);

    const none = await mcp.client.readResource({ uri: 'portico://last/health' });
    expect(JSON.parse((none.contents[0] as { text: string }).text)).toMatchObject({ available: false });
  });
});
