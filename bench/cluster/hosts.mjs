// Three "hosts" on one machine: network namespaces joined by veth pairs to one bridge in the
// bench's own namespace (the same layout as test/cluster/topology.ts). Host i has
// 10.200.<net>.<i+1>, the bridge 10.200.<net>.254, so the bench process reaches every host
// directly — and `ip route get` must name our bridge before anything is sent there.
// Names contain "cbench" and the pid, so other helpers' namespaces never collide with ours.
import { execFileSync } from 'node:child_process';
import { onCleanup } from './cleanup.mjs';

const ip = (...args) => execFileSync('ip', args, { encoding: 'utf8', timeout: 10_000 });

/** Whether this process can make namespaces (root and the `ip` tool). */
export function canMakeHosts() {
  if (process.getuid?.() !== 0) return 'not root';
  try {
    ip('netns', 'list');
    return undefined;
  } catch (error) {
    return `ip netns: ${error.message}`;
  }
}

/** A /24 in 10.200.200–249 that no interface or route on this machine uses yet. */
function freeSubnet() {
  const used = ip('-o', 'addr', 'show') + ip('route', 'show', 'table', 'all');
  for (let k = 0; k < 50; k++) {
    const net = 200 + ((process.pid + k) % 50);
    if (!used.includes(`10.200.${net}.`)) return `10.200.${net}`;
  }
  throw new Error('no free 10.200.200-249.0/24 subnet for the bench hosts');
}

/** Refuse to send to `address` unless its route goes out through `device` (our bridge). */
export function assertRouteVia(address, device) {
  const route = ip('route', 'get', address);
  if (!new RegExp(`\\bdev ${device}\\b`).test(route))
    throw new Error(`refusing to send to ${address}: route is "${route.trim()}", expected dev ${device}`);
}

/**
 * Make `count` hosts. Each is `{ name, ns, address, exec }` where `exec` is the argv prefix that
 * runs a command inside it. Registered with cleanup.mjs (namespaces, then the bridge).
 */
export function createHosts(count) {
  const tag = `cbench${process.pid % 10000}`;
  const subnet = freeSubnet();
  const bridge = `${tag}br`;
  ip('link', 'add', bridge, 'type', 'bridge');
  onCleanup(`bridge ${bridge}`, () => {
    try {
      ip('link', 'del', bridge);
    } catch {}
  });
  ip('addr', 'add', `${subnet}.254/24`, 'dev', bridge);
  ip('link', 'set', bridge, 'up');
  const hosts = [];
  for (let i = 0; i < count; i++) {
    const ns = `${tag}n${i}`;
    const outside = `${tag}v${i}`;
    const inside = `${tag}e${i}`;
    ip('netns', 'add', ns);
    // Deleting the namespace removes its veth end, and so the pair.
    onCleanup(`netns ${ns}`, () => {
      try {
        ip('netns', 'del', ns);
      } catch {}
    });
    ip('link', 'add', outside, 'type', 'veth', 'peer', 'name', inside);
    ip('link', 'set', inside, 'netns', ns);
    ip('link', 'set', outside, 'master', bridge);
    ip('link', 'set', outside, 'up');
    const address = `${subnet}.${i + 1}`;
    ip('netns', 'exec', ns, 'ip', 'addr', 'add', `${address}/24`, 'dev', inside);
    ip('netns', 'exec', ns, 'ip', 'link', 'set', inside, 'up');
    ip('netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up');
    assertRouteVia(address, bridge);
    hosts.push({
      name: `host-${String.fromCharCode(97 + i)}`,
      ns,
      address,
      exec: ['ip', 'netns', 'exec', ns],
    });
  }
  return { subnet, bridge, hosts };
}
