import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cliPath, runPortico } from '../helpers/cli.js';
import { freePort } from '../helpers/net.js';
import { holdPort } from '../helpers/port-holder.js';
import { spawnTracked } from '../helpers/processes.js';
import { tempDir } from '../helpers/tmp.js';
import { waitFor } from '../helpers/wait.js';

const fixtures = fileURLToPath(new URL('../fixtures/discovery/', import.meta.url));

interface ListDoc {
  instances: Array<{ id: string; service: string; status: string; port: number }>;
}

describe('portico discovery CLI', () => {
  it('registers, lists, health-checks and deregisters an instance', async () => {
    const env = { PORTICO_HOME: tempDir() };
    const up = await holdPort('127.0.0.1');
    const down = await freePort();
    expect(
      (
        await runPortico(
          [
            'discovery',
            'register',
            'auth-service',
            '--port',
            String(up.port),
            '--check',
            'tcp',
            '--tag',
            'api',
            '--meta',
            'team=identity',
          ],
          { env },
        )
      ).code,
    ).toBe(0);
    expect(
      (
        await runPortico(
          ['discovery', 'register', 'billing', '--port', String(down), '--check', 'tcp,fall=1'],
          { env },
        )
      ).code,
    ).toBe(0);

    const list = (await runPortico(['discovery', 'list', '--json'], { env })).json<ListDoc>();
    expect(list.instances.map((i) => [i.service, i.status])).toEqual([
      ['auth-service', 'unknown'],
      ['billing', 'unknown'],
    ]);

    const health = await runPortico(['discovery', 'health', '--json'], { env });
    expect(health.code).toBe(1);
    const doc = health.json<{
      summary: { passing: number; critical: number };
      instances: Array<{ service: string; checks: Array<{ reason: string | null }> }>;
    }>();
    expect(doc.summary).toMatchObject({ passing: 1, critical: 1 });
    expect(doc.instances.find((i) => i.service === 'billing')!.checks[0]!.reason).toBe('refused');

    const onlyUp = await runPortico(['discovery', 'health', 'auth-service'], { env });
    expect(onlyUp.code, `${onlyUp.stdout}\n${onlyUp.stderr}`).toBe(0);
    expect(onlyUp.stdout).toContain('TCP connect OK');

    const after = (await runPortico(['discovery', 'list', '--json'], { env })).json<ListDoc>();
    expect(after.instances.map((i) => i.status)).toEqual(['passing', 'critical']);

    expect(
      (await runPortico(['discovery', 'deregister', `cli:billing:127.0.0.1:${down}`], { env })).code,
    ).toBe(0);
    const gone = await runPortico(['discovery', 'deregister', `cli:billing:127.0.0.1:${down}`], { env });
    expect(gone.code).toBe(2);
    expect(gone.stderr).toContain('[E_INSTANCE_UNKNOWN]');
  });

  it.each([
    [
      ['register', 'auth service', '--port', '1'],
      'E_REGISTER_INVALID',
      'service name "auth service" is not valid',
    ],
    [['register', 'auth'], 'E_REGISTER_INVALID', '--port is required'],
    [['register', 'auth', '--port', '70000'], 'E_PORT_INVALID', '--port "70000"'],
    [
      ['register', 'auth', '--port', '1', '--address', 'bad host!'],
      'E_REGISTER_INVALID',
      'not an IP address or host name',
    ],
    [['register', 'auth', '--port', '1', '--meta', 'novalue'], 'E_REGISTER_INVALID', 'is not key=value'],
    [
      ['register', 'auth', '--port', '1', '--check', 'http:health'],
      'E_CHECK_INVALID',
      'invalid check "http:health"',
    ],
    [['register', 'auth', '--port', '1', '--protocol', 'ftp'], 'E_REGISTER_INVALID', '--protocol "ftp"'],
    [['discover', '--source', 'kubernetes'], 'E_SOURCE_UNKNOWN', 'unknown source "kubernetes"'],
    [['health', 'nosuch'], 'E_INSTANCE_UNKNOWN', 'no service "nosuch"'],
    [['pass', 'nosuch'], 'E_INSTANCE_UNKNOWN', 'no instance or service "nosuch"'],
    [['list', '--store', 'etcdx://x'], 'E_STORE_URL', 'unknown store'],
  ])('discovery %j → %s', async (args, code, message) => {
    const r = await runPortico(['discovery', ...args], { env: { PORTICO_HOME: tempDir() }, cwd: tempDir() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`[${code}]`);
    expect(r.stderr).toContain(message);
  });

  it('discovers from portico.yaml and registers, replacing only that source', async () => {
    const env = { PORTICO_HOME: tempDir() };
    const r = await runPortico(['discovery', 'discover', '--register', '--json', '--source', 'manifest'], {
      env,
      cwd: fixtures,
    });
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({
      sources: ['manifest'],
      registered: { manifest: { added: 3, removed: 0 } },
    });
    const again = await runPortico(
      ['discovery', 'discover', '--register', '--json', '--source', 'manifest'],
      { env, cwd: fixtures },
    );
    expect(again.json()).toMatchObject({ registered: { manifest: { added: 0, removed: 0, changed: 0 } } });
  });

  it('takes TTL reports and shows them in health', async () => {
    const env = { PORTICO_HOME: tempDir() };
    await runPortico(
      ['discovery', 'register', 'batch', '--port', '1', '--check', 'ttl:1m', '--id', 'batch-1'],
      { env },
    );
    expect((await runPortico(['discovery', 'health', 'batch'], { env })).code).toBe(1);
    expect(
      (await runPortico(['discovery', 'pass', 'batch-1', '--note', 'nightly run ok'], { env })).code,
    ).toBe(0);
    const r = await runPortico(['discovery', 'health', 'batch'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('nightly run ok');
  });

  it('monitor streams one JSON object per status change', async () => {
    const env = { PORTICO_HOME: tempDir() };
    const held = await holdPort('127.0.0.1');
    await runPortico(
      [
        'discovery',
        'register',
        'api',
        '--port',
        String(held.port),
        '--check',
        'tcp,fall=1,rise=1',
        '--id',
        'api-1',
      ],
      { env },
    );
    const child = spawnTracked(
      process.execPath,
      [cliPath, 'discovery', 'monitor', '0.2', '--json', '--no-discover', '--duration', '20s'],
      {
        env: { ...process.env, ...env },
      },
    );
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
    });
    await waitFor(() => out.includes('"passing"'), { timeoutMs: 10_000, what: 'first transition' });
    await held.stop();
    await waitFor(() => out.includes('"critical"'), {
      timeoutMs: 10_000,
      what: 'critical after the listener died',
    });
    child.kill('SIGINT');
    await new Promise((r) => child.once('exit', r));
    const events = out
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as { status: string; previous: string | null; instanceId: string; reason?: string },
      );
    expect(events.map((e) => [e.previous, e.status])).toEqual([
      [null, 'passing'],
      ['passing', 'critical'],
    ]);
    expect(events[1]).toMatchObject({ instanceId: 'api-1', reason: 'refused' });
    const list = (await runPortico(['discovery', 'list', '--json'], { env })).json<ListDoc>();
    expect(list.instances[0]!.status).toBe('critical');
  });
});
