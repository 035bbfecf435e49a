import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp.js';
import { startUpstream } from '../helpers/upstreams.js';
import { waitFor } from '../helpers/wait.js';
import { startServe } from './serve-process.js';

describe('lb serve: SIGHUP reloads --config', () => {
  it('applies new routes and upstreams with zero failed requests, and keeps serving when the new file is invalid', async () => {
    const [a, b] = await Promise.all([startUpstream('a'), startUpstream('b')]);
    const dir = tempDir();
    const file = join(dir, 'portico-lb.yaml');
    writeFileSync(
      file,
      `routes:\n  - { name: web, upstreams: ["127.0.0.1:${a.port}"], healthCheck: false }\n`,
    );
    const s = await startServe(['--config', file], { PORTICO_HOME: tempDir() });

    // A stream of requests over keep-alive connections across both reloads.
    const agent = new Agent({ connections: 4 });
    const seen: string[] = [];
    const failures: string[] = [];
    let stop = false;
    const stream = Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let i = 0; i < 20_000 && !stop; i++) {
          try {
            const res = await request(`http://127.0.0.1:${s.listen}/`, { dispatcher: agent });
            const body = await res.body.text();
            if (res.statusCode === 200) seen.push(body);
            else failures.push(`${res.statusCode} ${body}`);
          } catch (error) {
            failures.push((error as Error).message);
          }
        }
      }),
    );
    try {
      await waitFor(() => seen.length > 50, { what: 'traffic before the reload' });
      writeFileSync(
        file,
        `routes:\n  - { name: web, upstreams: ["127.0.0.1:${b.port}"], healthCheck: false }\n` +
          `  - { name: api, host: api.localhost, upstreams: ["127.0.0.1:${a.port}"], healthCheck: false }\n`,
      );
      s.child.kill('SIGHUP'); // to the launcher, which passes it on
      await waitFor(() => s.stderr().includes('1 route(s) added, 1 changed, 0 removed'), {
        what: 'the reload',
      });
      const afterReload = seen.length;
      await waitFor(() => seen.length > afterReload + 50, { what: 'traffic after the reload' });
      expect(seen.slice(-20).every((x) => x === 'b')).toBe(true);
      const api = await request(`http://127.0.0.1:${s.listen}/`, { headers: { host: 'api.localhost' } });
      expect(await api.body.text()).toBe('a');

      writeFileSync(file, 'routes:\n  - { name: web, upstreams: ["not an address"] }\nbogus: 1\n');
      s.child.kill('SIGHUP');
      await waitFor(() => s.stderr().includes('still serving the previous configuration'), {
        what: 'the failed reload',
      });
      expect(s.stderr()).toMatch(/\[E_LB_CONFIG\] .*portico-lb\.yaml:\d+:\d+/);
      const afterFailed = seen.length;
      await waitFor(() => seen.length > afterFailed + 50, { what: 'traffic after the failed reload' });
      expect(seen.slice(-20).every((x) => x === 'b')).toBe(true);
    } finally {
      stop = true;
      await stream;
      await agent.close();
    }
    expect(failures).toEqual([]);
    expect(s.child.exitCode).toBeNull(); // SIGHUP did not stop it
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  });

  it('says there is nothing to reload without --config, and keeps serving', async () => {
    const up = await startUpstream('plain');
    const s = await startServe(['--upstream', `127.0.0.1:${up.port}`, '--no-health'], {
      PORTICO_HOME: tempDir(),
    });
    s.child.kill('SIGHUP');
    await waitFor(() => s.stderr().includes('nothing to reload'), { what: 'the warning' });
    const res = await request(`http://127.0.0.1:${s.listen}/`);
    expect(await res.body.text()).toBe('plain');
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  });
});
