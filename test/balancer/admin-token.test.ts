import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPortico } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { startUpstream } from '../helpers/upstreams.js';
import { startServe } from './serve-process.js';

const token = 'a-long-admin-token-0123456789';

describe('lb admin token from an environment variable or a file', () => {
  it('reads admin.tokenEnv from portico-lb.yaml; lb status needs the token, given by variable', async () => {
    const up = await startUpstream('tok');
    const dir = tempDir();
    const file = join(dir, 'portico-lb.yaml');
    writeFileSync(
      file,
      `admin: { listen: "127.0.0.1:0", tokenEnv: LB_ADMIN_TOKEN }\nroutes:\n  - { name: web, upstreams: ["127.0.0.1:${up.port}"], healthCheck: false }\n`,
    );
    const env = { PORTICO_HOME: tempDir(), LB_ADMIN_TOKEN: token };
    const s = await startServe(['--config', file], env);
    const admin = `127.0.0.1:${s.admin}`;
    const without = await runPortico(['lb', 'status', '--admin', admin], { env });
    expect(without.code).toBe(2);
    expect(without.stderr).toContain('answered 401');
    const withEnv = await runPortico(
      ['lb', 'status', '--admin', admin, '--admin-token-env', 'LB_ADMIN_TOKEN'],
      {
        env,
      },
    );
    expect(withEnv.code).toBe(0);
    const wrong = await runPortico(['lb', 'status', '--admin', admin, '--admin-token-env', 'OTHER'], {
      env: { ...env, OTHER: 'x'.repeat(20) },
    });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('answered 401');
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  });

  it('reads admin.tokenFile relative to the config file, and the serve/status flags', async () => {
    const up = await startUpstream('tokfile');
    const dir = tempDir();
    writeFileSync(join(dir, 'admin.token'), `${token}\n`, { mode: 0o600 });
    const file = join(dir, 'portico-lb.yaml');
    writeFileSync(
      file,
      `admin: { listen: "127.0.0.1:0", tokenFile: admin.token }\nroutes:\n  - { name: web, upstreams: ["127.0.0.1:${up.port}"], healthCheck: false }\n`,
    );
    const env = { PORTICO_HOME: tempDir() };
    const s = await startServe(['--config', file], env);
    const status = await runPortico(
      ['lb', 'status', '--admin', `127.0.0.1:${s.admin}`, '--admin-token-file', join(dir, 'admin.token')],
      { env },
    );
    expect(status.code).toBe(0);
    s.child.kill('SIGTERM');
    await s.exited;

    const flagged = await startServe(
      ['--upstream', `127.0.0.1:${up.port}`, '--no-health', '--admin-token-env', 'MY_TOKEN'],
      { ...env, MY_TOKEN: token },
    );
    const denied = await runPortico(['lb', 'status', '--admin', `127.0.0.1:${flagged.admin}`], { env });
    expect(denied.code).toBe(2);
    const allowed = await runPortico(
      ['lb', 'status', '--admin', `127.0.0.1:${flagged.admin}`, '--admin-token-env', 'MY_TOKEN'],
      { env: { ...env, MY_TOKEN: token } },
    );
    expect(allowed.code).toBe(0);
    flagged.child.kill('SIGTERM');
    await flagged.exited;
  });

  it.each([
    [
      `admin: { listen: "127.0.0.1:0", tokenEnv: LB_MISSING_TOKEN }`,
      [],
      'the environment variable LB_MISSING_TOKEN is not set',
    ],
    [`admin: { listen: "127.0.0.1:0", tokenFile: nowhere.token }`, [], 'cannot read the token file (ENOENT)'],
    [`admin: { listen: "127.0.0.1:0", tokenEnv: SHORT_TOKEN }`, [], 'shorter than 16 characters'],
    [
      `admin: { listen: "127.0.0.1:0", token: "${token}", tokenEnv: X }`,
      [],
      'give one of token, tokenEnv or tokenFile',
    ],
    [
      '',
      ['--admin-token-env', 'LB_MISSING_TOKEN'],
      '--admin-token-env LB_MISSING_TOKEN: the environment variable',
    ],
    ['', ['--admin-token-file', '/nonexistent/token'], '--admin-token-file /nonexistent/token: cannot read'],
  ])('%s %j → exit 2 naming the source', async (admin, flags, message) => {
    const dir = tempDir();
    const file = join(dir, 'portico-lb.yaml');
    writeFileSync(file, `${admin}\nroutes:\n  - { name: web, upstreams: ["127.0.0.1:9"] }\n`);
    const r = await runPortico(['lb', 'serve', '--config', file, '--listen', '127.0.0.1:0', ...flags], {
      env: { PORTICO_HOME: tempDir(), SHORT_TOKEN: 'short' },
      timeoutMs: 15_000,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\[E_LB_CONFIG\]|\[E_USAGE\]/);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toContain('at ');
  });
});
