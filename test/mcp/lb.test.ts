import { beforeAll, describe, expect, it } from 'vitest';
import { startServe } from '../balancer/serve-process.js';
import { tempDir } from '../helpers/tmp.js';
import { startUpstream } from '../helpers/upstreams.js';
import { type McpSession, startMcp, textOf } from './client.js';

const home = tempDir();

describe('portico mcp: lb_status and lb_test against a running balancer', () => {
  let mcp: McpSession;
  let admin: number;
  beforeAll(async () => {
    const [a, b] = await Promise.all([startUpstream('a'), startUpstream('b')]);
    // The same `lb serve` start as the balancer tests (flags only, stopped with the test run).
    ({ admin } = await startServe(
      ['--upstream', `127.0.0.1:${a.port}`, '--upstream', `127.0.0.1:${b.port}`],
      { PORTICO_HOME: home },
    ));
    mcp = await startMcp([], { PORTICO_HOME: home });
  });

  it('reads the status and sends a bounded load through the default route', async () => {
    const status = await mcp.call('lb_status', { admin: `127.0.0.1:${admin}` });
    expect(status.isError).toBeFalsy();
    const doc = status.structuredContent as { routes: Array<{ name: string; upstreams: unknown[] }> };
    expect(doc.routes.map((r) => [r.name, r.upstreams.length])).toEqual([['default', 2]]);
    expect(textOf(status)).toContain('1 route(s), 2 upstream(s), 0 out of rotation');

    const load = await mcp.call('lb_test', {
      target: 'default',
      requests: 200,
      concurrency: 4,
      admin: `127.0.0.1:${admin}`,
    });
    expect(load.isError).toBeFalsy();
    const result = load.structuredContent as { requests: number; statuses: Record<string, number> };
    expect(result.requests).toBe(200);
    expect(result.statuses).toEqual({ '200': 200 });

    const tooMany = await mcp.call('lb_test', { target: 'default', requests: 1_000_000 });
    expect(tooMany.isError).toBe(true);
    expect(textOf(tooMany)).toMatch(/requests/);
  });
});
