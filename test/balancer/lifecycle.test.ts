import { connect, createServer } from 'node:net';
import { Agent, request } from 'undici';
import { describe, expect, it } from 'vitest';
import { runPortico } from '../helpers/cli.js';
import { freePort } from '../helpers/net.js';
import { tempDir } from '../helpers/tmp.js';
import { startUpstream } from '../helpers/upstreams.js';
import { waitFor } from '../helpers/wait.js';
import { alive, childPidOf, startServe } from './serve-process.js';

/** True when nothing accepts connections on the port any more. */
async function refused(port: number): Promise<boolean> {
  try {
    const res = await request(`http://127.0.0.1:${port}/`, {
      dispatcher: new Agent({ connect: { timeout: 1000 } }),
      headersTimeout: 2000,
    });
    await res.body.dump();
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ECONNREFUSED';
  }
}

/** Whether the port can be bound again (the process released it). */
async function bindable(port: number): Promise<boolean> {
  const server = createServer();
  return await new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

describe('lb serve: start-up failures leave nothing behind', () => {
  it('exits 2 with E_LB_LISTEN when the admin port is taken, and releases the data port', async () => {
    const holder = await startUpstream('holder');
    const listen = await freePort();
    const r = await runPortico(
      [
        'lb',
        'serve',
        '--listen',
        `127.0.0.1:${listen}`,
        '--admin',
        `127.0.0.1:${holder.port}`,
        '--upstream',
        '127.0.0.1:9',
      ],
      { env: { PORTICO_HOME: tempDir() }, timeoutMs: 15_000 },
    );
    // Killed at the timeout (code null) would mean the data listener kept it running.
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('[E_LB_LISTEN]');
    expect(r.stderr).toContain('cannot listen for admin');
    expect(r.stderr).toContain(`portico ports who ${holder.port}`);
    expect(await bindable(listen)).toBe(true);
  });

  it('starts when both ports are free (the passing case)', async () => {
    const up = await startUpstream('free');
    const s = await startServe(['--upstream', `127.0.0.1:${up.port}`, '--no-health'], {
      PORTICO_HOME: tempDir(),
    });
    expect(await bindable(s.listen)).toBe(false);
    expect(await bindable(s.admin)).toBe(false);
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  });

  it('exits 2 when a TCP listener port is taken, closing the HTTP and admin listeners it opened', async () => {
    const holder = await startUpstream('tcp-holder');
    const [listen, admin] = [await freePort(), await freePort()];
    const dir = tempDir();
    const { writeFileSync } = await import('node:fs');
    writeFileSync(
      `${dir}/lb.yaml`,
      `routes:\n  - { name: web, upstreams: ["127.0.0.1:9"] }\ntcp:\n  - { name: db, listen: "127.0.0.1:${holder.port}", upstreams: ["127.0.0.1:9"] }\n`,
    );
    const r = await runPortico(
      [
        'lb',
        'serve',
        '--config',
        `${dir}/lb.yaml`,
        '--listen',
        `127.0.0.1:${listen}`,
        '--admin',
        `127.0.0.1:${admin}`,
      ],
      { env: { PORTICO_HOME: tempDir() }, timeoutMs: 15_000 },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('[E_LB_LISTEN]');
    expect(r.stderr).toContain('TCP db');
    expect(await bindable(listen)).toBe(true);
  });
});

describe('lb serve: drain on SIGTERM / SIGINT', () => {
  it('finishes an in-flight request with 200 after SIGTERM, refuses new connections, says what it drained', async () => {
    const up = await startUpstream('slow');
    const s = await startServe(['--upstream', `127.0.0.1:${up.port}`, '--no-health'], {
      PORTICO_HOME: tempDir(),
    });
    const inFlight = request(`http://127.0.0.1:${s.listen}/slow?ms=4000`, {
      headersTimeout: 10_000,
      bodyTimeout: 10_000,
    });
    await waitFor(() => up.hits.get('/slow') === 1, { what: 'the request to reach the upstream' });
    // An idle keep-alive connection: closed at once by the drain, not waited for.
    const idle = connect(s.listen, '127.0.0.1');
    let idleReply = '';
    idle.on('data', (c: Buffer) => {
      idleReply += c.toString();
    });
    idle.on('error', () => {});
    idle.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await waitFor(() => idleReply.includes('\r\n\r\nslow') || idleReply.endsWith('slow'), {
      what: 'the keep-alive answer',
    });
    s.child.kill('SIGTERM'); // to the launcher: it must reach the balancer
    await waitFor(
      () => s.stdout().includes('stopping: no new connections; waiting up to 10 s for 1 in-flight request'),
      {
        what: 'the drain to start',
      },
    );
    expect(await refused(s.listen)).toBe(true);
    await waitFor(() => idle.destroyed || idle.readableEnded, { what: 'the idle connection to be closed' });
    const res = await inFlight;
    expect(res.statusCode).toBe(200);
    expect(await res.body.text()).toBe('slow');
    expect(await s.exited).toBe(0);
    expect(s.stdout()).toMatch(/drained 1 in-flight request in \d+ ms; 0 cut\n/);
    expect(s.stderr()).not.toMatch(/Warning|error/i);
  });

  it('cuts what is still running at --drain-timeout and says so (SIGINT from a supervisor)', async () => {
    const up = await startUpstream('hang');
    const s = await startServe(
      ['--upstream', `127.0.0.1:${up.port}`, '--no-health', '--drain-timeout', '300ms'],
      { PORTICO_HOME: tempDir() },
    );
    const hung = request(`http://127.0.0.1:${s.listen}/hang`, { headersTimeout: 20_000 }).then(
      () => 'answered',
      (e: NodeJS.ErrnoException) => e.code ?? e.message,
    );
    await waitFor(() => up.hits.get('/hang') === 1, { what: 'the request to reach the upstream' });
    s.child.kill('SIGINT');
    expect(await s.exited).toBe(0);
    expect(await hung).not.toBe('answered');
    expect(s.stdout()).toMatch(/drained 0 in-flight requests in \d+ ms; 1 cut at the drain timeout/);
  });

  it('passes the exit code of the balancer through the launcher, and stops it if the launcher dies', async () => {
    const up = await startUpstream('fate');
    const killed = await startServe(['--upstream', `127.0.0.1:${up.port}`, '--no-health'], {
      PORTICO_HOME: tempDir(),
    });
    process.kill(childPidOf(killed.child.pid!), 'SIGKILL');
    expect(await killed.exited).toBe(128 + 9);

    const orphan = await startServe(['--upstream', `127.0.0.1:${up.port}`, '--no-health'], {
      PORTICO_HOME: tempDir(),
    });
    const balancerPid = childPidOf(orphan.child.pid!);
    orphan.child.kill('SIGKILL');
    await waitFor(() => !alive(balancerPid), { timeoutMs: 10_000, what: 'the orphaned balancer to stop' });
    expect(await bindable(orphan.listen)).toBe(true);
  });
});
