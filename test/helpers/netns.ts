import { execFileSync } from 'node:child_process';
import { afterAll } from 'vitest';
import { assertRouteVia } from './net.js';

export interface TestNamespace {
  name: string;
  /** The namespace's address, reachable from the host through our veth. */
  address: string;
  hostDevice: string;
  exec(args: string[]): string;
}

const created: string[] = [];
afterAll(() => {
  for (const ns of created.splice(0)) {
    try {
      execFileSync('ip', ['netns', 'del', ns]); // also removes its end of the veth, and so the pair
    } catch {}
  }
});

/**
 * A network namespace joined to the host by a veth pair: host 10.200.<n>.1, namespace
 * 10.200.<n>.2. Before returning, it proves the route to the namespace address goes through our
 * veth, never the default route.
 */
export function createNamespace(n: number): TestNamespace {
  const name = `ptc${process.pid % 10000}n${n}`;
  const hostDevice = `ptc${process.pid % 10000}h${n}`;
  const nsDevice = `ptc${process.pid % 10000}c${n}`;
  const ip = (...args: string[]): string => execFileSync('ip', args, { encoding: 'utf8' });
  ip('netns', 'add', name);
  created.push(name);
  ip('link', 'add', hostDevice, 'type', 'veth', 'peer', 'name', nsDevice);
  ip('link', 'set', nsDevice, 'netns', name);
  ip('addr', 'add', `10.200.${n}.1/24`, 'dev', hostDevice);
  ip('link', 'set', hostDevice, 'up');
  ip('netns', 'exec', name, 'ip', 'addr', 'add', `10.200.${n}.2/24`, 'dev', nsDevice);
  ip('netns', 'exec', name, 'ip', 'link', 'set', nsDevice, 'up');
  ip('netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up');
  const address = `10.200.${n}.2`;
  assertRouteVia(address, hostDevice);
  return {
    name,
    address,
    hostDevice,
    exec: (args) => execFileSync('ip', ['netns', 'exec', name, ...args], { encoding: 'utf8' }),
  };
}
