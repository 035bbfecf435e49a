import { describe, expect, it } from 'vitest';
import { addressScope } from '../../core/address.js';
import type { Listener } from '../../ports/listener.js';
import { Locator } from '../locate.js';
import type { RuleContext } from '../model.js';
import { policySchema } from '../schema.js';
import { liveListenerExposed } from './live-listener-exposed.js';

function listener(address: string, port: number, processName = 'node'): Listener {
  return {
    protocol: 'tcp',
    family: address.includes(':') ? 6 : 4,
    address,
    port,
    scope: addressScope(address),
    inode: 1,
    uid: 1000,
    processes: [{ pid: 4242, name: processName, commandLine: processName }],
    ownerHidden: false,
  };
}

function context(listeners: Listener[]): RuleContext {
  return {
    project: { name: 'p', dir: '/p', files: [] },
    services: [],
    policy: policySchema.parse({}),
    locate: new Locator(),
    reservations: [],
    listeners,
    today: '2026-11-27',
  };
}

// The CLI test can only show the passing side (this host's real sockets); binding a database
// beyond loopback in a test is not something to do on a shared machine, so the failing side is here.
describe('live-listener-exposed', () => {
  it('reports databases and admin ports listening beyond loopback', () => {
    const found = liveListenerExposed.check(
      context([
        listener('0.0.0.0', 5432, 'postgres'),
        listener('::', 9229),
        listener('10.0.0.5', 40000, 'redis-server'),
      ]),
    );
    expect(found.map((v) => [v.port, v.message.split(' is listening')[0]])).toEqual([
      [5432, 'PostgreSQL'],
      [9229, 'Node.js inspector'],
      [40000, 'redis-server'],
    ]);
    expect(found[1]!.message).toContain('[::]:9229');
  });

  it('leaves loopback binds and ordinary ports alone', () => {
    expect(
      liveListenerExposed.check(
        context([listener('127.0.0.1', 5432, 'postgres'), listener('::1', 6379), listener('0.0.0.0', 8080)]),
      ),
    ).toEqual([]);
  });
});
