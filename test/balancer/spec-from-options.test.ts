import { describe, expect, it } from 'vitest';
import { specFromOptions } from '../../src/balancer/commands/spec-from-options.js';

describe('lb serve flags to a spec', () => {
  it('--admin off leaves no admin listener; --admin ADDR sets it', () => {
    const off = specFromOptions({ upstream: ['127.0.0.1:8080'], admin: 'off' }, {}, '/');
    expect('admin' in off).toBe(false);
    expect(off.routes[0]?.upstreams[0]).toMatchObject({ address: '127.0.0.1', port: 8080 });
    const on = specFromOptions({ upstream: ['127.0.0.1:8080'], admin: '127.0.0.1:9911' }, {}, '/');
    expect(on.admin).toEqual({ host: '127.0.0.1', port: 9911 });
  });
});
