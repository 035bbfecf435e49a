import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runPortico } from '../helpers/cli.js';
import { freePort } from '../helpers/net.js';
import { tempDir } from '../helpers/tmp.js';

interface Doc {
  checks: Array<{ id: string; findings: Array<{ code: string; title: string }>; notes?: string[] }>;
}

const servers: Server[] = [];
async function serve(handler: Parameters<typeof createServer>[1]): Promise<number> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}
afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

describe('troubleshoot performance', () => {
  it('names slow and failing services, and a service with no successful sample', async () => {
    let calls = 0;
    const ports = {
      fast: await serve((_q, res) => res.end('ok')),
      slow: await serve((_q, res) => setTimeout(() => res.end('late'), 120)),
      // Every third request fails: healthy when probed once, broken under a little load.
      flaky: await serve((_q, res) => {
        res.statusCode = ++calls % 3 === 0 ? 500 : 200;
        res.end();
      }),
      down: await freePort(),
    };
    const cwd = tempDir();
    const yaml = Object.entries(ports).flatMap(([name, port]) => [
      `  ${name}:`,
      '    protocol: http',
      `    endpoints: [{ address: 127.0.0.1, port: ${port} }]`,
    ]);
    writeFileSync(join(cwd, 'portico.yaml'), `services:\n${yaml.join('\n')}\n`);

    const r = await runPortico(['troubleshoot', 'performance', '--json', '--fail-on', 'warning'], {
      cwd,
      env: { PORTICO_HOME: tempDir() },
    });
    expect(r.code, r.stderr).toBe(1);
    const doc = r.json<Doc>();
    const codesOf = (service: string) =>
      doc.checks.filter((c) => c.id.includes(`:${service}:`)).flatMap((c) => c.findings.map((f) => f.code));
    expect(codesOf('fast')).toEqual([]);
    expect(codesOf('slow')).toEqual(['PERF_LATENCY_HIGH']);
    expect(codesOf('flaky')).toEqual(['PERF_ERRORS']);
    // Zero successful samples is never "nothing wrong found".
    expect(codesOf('down')).toEqual(['PERF_NO_SAMPLES']);
    const slowTitle = doc.checks
      .flatMap((c) => c.findings)
      .find((f) => f.code === 'PERF_LATENCY_HIGH')!.title;
    expect(slowTitle).toMatch(/^slow answers in \d+ms \(p50\), above the 50 ms target$/);
  });
});

describe('troubleshoot performance with nothing measurable', () => {
  it('fails with PERF_NO_SAMPLES instead of "nothing wrong found" when no sample succeeds', async () => {
    const cwd = tempDir();
    const port = await freePort();
    writeFileSync(
      join(cwd, 'portico.yaml'),
      `services:\n  gone:\n    protocol: tcp\n    endpoints: [{ address: 127.0.0.1, port: ${port} }]\n`,
    );
    const r = await runPortico(['troubleshoot', 'performance'], { cwd, env: { PORTICO_HOME: tempDir() } });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain('PERF_NO_SAMPLES');
    expect(r.stdout).not.toContain('nothing wrong found');
  });
});
