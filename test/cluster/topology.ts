import { execFileSync } from 'node:child_process';
import { assertRouteVia } from '../helpers/net.js';

/**
 * Several "hosts" on one machine: network namespaces joined by veth pairs to one bridge in the
 * test's own namespace. Host i has 10.200.<net>.<i+1>; the bridge holds 10.200.<net>.254, so the
 * test process reaches every host directly — and `ip route get` proves the packets go to our
 * bridge, never the default route. Everything is deleted by `destroy()`, which the test calls in
 * afterAll (a failed setup destroys what it made before rethrowing).
 */
export interface Host {
  name: string;
  ns: string;
  address: string;
  /** argv prefix that runs a command inside this host's namespace. */
  exec: string[];
  run(args: string[]): string;
}

export interface Topology {
  bridge: string;
  subnet: string;
  hosts: Host[];
  /** Drop every packet between `host` and the other hosts (the test's bridge address still passes). */
  partition(host: Host): void;
  heal(host: Host): void;
  destroy(): void;
}

const ip = (...args: string[]): string => execFileSync('ip', args, { encoding: 'utf8', timeout: 10_000 });

export function createTopology(count: number): Topology {
  const tag = `pc${process.pid % 10000}`;
  const net = 100 + (process.pid % 100);
  const subnet = `10.200.${net}`;
  const bridge = `${tag}br`;
  const namespaces: string[] = [];
  let bridgeMade = false;
  const destroy = (): void => {
    for (const ns of namespaces.splice(0)) {
      try {
        ip('netns', 'del', ns); // removes its veth end, and so the pair
      } catch {}
    }
    if (bridgeMade) {
      try {
        ip('link', 'del', bridge);
      } catch {}
      bridgeMade = false;
    }
  };
  try {
    ip('link', 'add', bridge, 'type', 'bridge');
    bridgeMade = true;
    ip('addr', 'add', `${subnet}.254/24`, 'dev', bridge);
    ip('link', 'set', bridge, 'up');
    const hosts: Host[] = [];
    for (let i = 0; i < count; i++) {
      const ns = `${tag}n${i}`;
      const outside = `${tag}v${i}`;
      const inside = `${tag}e${i}`;
      ip('netns', 'add', ns);
      namespaces.push(ns);
      ip('link', 'add', outside, 'type', 'veth', 'peer', 'name', inside);
      ip('link', 'set', inside, 'netns', ns);
      ip('link', 'set', outside, 'master', bridge);
      ip('link', 'set', outside, 'up');
      const address = `${subnet}.${i + 1}`;
      ip('netns', 'exec', ns, 'ip', 'addr', 'add', `${address}/24`, 'dev', inside);
      ip('netns', 'exec', ns, 'ip', 'link', 'set', inside, 'up');
      ip('netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up');
      assertRouteVia(address, bridge);
      const exec = ['ip', 'netns', 'exec', ns];
      hosts.push({
        name: `host-${String.fromCharCode(97 + i)}`,
        ns,
        address,
        exec,
        run: (args) =>
          execFileSync(exec[0]!, [...exec.slice(1), ...args], { encoding: 'utf8', timeout: 20_000 }),
      });
    }
    const peersOf = (host: Host) => hosts.filter((h) => h !== host).map((h) => h.address);
    const rules = (host: Host, op: '-A' | '-D'): void => {
      for (const peer of peersOf(host)) {
        host.run(['iptables', op, 'INPUT', '-s', peer, '-j', 'DROP']);
        host.run(['iptables', op, 'OUTPUT', '-d', peer, '-j', 'DROP']);
      }
    };
    return {
      bridge,
      subnet,
      hosts,
      partition: (host) => rules(host, '-A'),
      heal: (host) => rules(host, '-D'),
      destroy,
    };
  } catch (error) {
    destroy();
    throw error;
  }
}
