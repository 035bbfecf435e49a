import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { accessPolicy, mayWrite } from '../../src/agent/access.js';
import { tempDir } from '../helpers/tmp.js';

const base = { env: {}, cwd: '/' };
const token = 'x'.repeat(24);

describe('agent access policy', () => {
  it('loopback needs no token; 127.0.0.2 and ::1 are loopback too', () => {
    for (const host of ['127.0.0.1', '127.0.0.2', '::1', 'localhost'])
      expect(accessPolicy({ ...base, host })).toEqual({ exposed: false });
  });

  it('beyond loopback, a missing token is a coded error', () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.10'])
      expect(() => accessPolicy({ ...base, host })).toThrow(
        expect.objectContaining({ code: 'E_AGENT_TOKEN_REQUIRED' }),
      );
  });

  it('beyond loopback with a token from the environment or a file: exposed, token set', () => {
    expect(accessPolicy({ ...base, host: '0.0.0.0', tokenEnv: 'T', env: { T: token } })).toEqual({
      exposed: true,
      token,
    });
    const dir = tempDir();
    writeFileSync(join(dir, 'token'), `${token}\n`);
    expect(accessPolicy({ ...base, host: '0.0.0.0', tokenFile: 'token', cwd: dir }).token).toBe(token);
  });

  it('a named but unusable token source is an error, never an open agent', () => {
    expect(() => accessPolicy({ ...base, host: '127.0.0.1', tokenEnv: 'UNSET' })).toThrow(/not set/);
    expect(() => accessPolicy({ ...base, host: '127.0.0.1', tokenEnv: 'T', env: { T: 'short' } })).toThrow(
      /shorter than 16/,
    );
    expect(() => accessPolicy({ ...base, host: '127.0.0.1', tokenFile: '/nonexistent/token' })).toThrow(
      /cannot read/,
    );
    expect(() => accessPolicy({ ...base, host: '127.0.0.1', requireToken: true })).toThrow(
      expect.objectContaining({ code: 'E_AGENT_TOKEN_REQUIRED' }),
    );
  });

  it('mayWrite compares Bearer and X-Consul-Token with the token', () => {
    const policy = { exposed: true, token };
    expect(mayWrite({ exposed: false }, {})).toBe(true);
    expect(mayWrite(policy, {})).toBe(false);
    expect(mayWrite(policy, { authorization: `Bearer ${token}` })).toBe(true);
    expect(mayWrite(policy, { authorization: `Bearer ${token}y` })).toBe(false);
    expect(mayWrite(policy, { 'x-consul-token': token })).toBe(true);
    expect(mayWrite(policy, { 'x-consul-token': 'nope' })).toBe(false);
  });
});
