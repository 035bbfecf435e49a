import type { ChildProcess } from 'node:child_process';
import { spawnTracked, stopProcess, waitForOutput } from './processes.js';

export interface HeldPort {
  pid: number;
  port: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

const script = `
const [proto, host, port] = process.argv.slice(1);
const done = (p) => console.log('listening ' + p);
if (proto === 'udp') {
  const s = require('node:dgram').createSocket(host.includes(':') ? 'udp6' : 'udp4');
  s.bind(Number(port), host, () => done(s.address().port));
} else {
  // A probe that resets the connection must not crash the holder (unhandled 'error' on c).
  const s = require('node:net').createServer((c) => { c.on('error', () => {}); c.end('held\\n'); });
  s.listen({ host, port: Number(port), ipv6Only: host.includes(':') && host !== '::' }, () => done(s.address().port));
}
setInterval(() => {}, 1 << 30);
`;

/** A separate process that holds a port (so its pid is not ours), stopped after the test file. */
export async function holdPort(host: string, port = 0, protocol: 'tcp' | 'udp' = 'tcp'): Promise<HeldPort> {
  const child = spawnTracked(process.execPath, ['-e', script, protocol, host, String(port)]);
  const m = await waitForOutput(child, /listening (\d+)/);
  return { pid: child.pid!, port: Number(m[1]), child, stop: () => stopProcess(child) };
}

/**
 * Hold a port on ::1 only, with the same number free on IPv4: the kernel may hand a v6-only
 * socket a port number that an unrelated IPv4 socket already uses.
 */
export async function holdIPv6OnlyPort(): Promise<HeldPort> {
  const { bindTest } = await import('../../src/ports/bind-test.js');
  for (let attempt = 0; attempt < 20; attempt++) {
    const held = await holdPort('::1');
    if ((await bindTest('0.0.0.0', held.port)) === 'free') return held;
    await held.stop();
  }
  throw new Error('could not find a port free on IPv4 to hold on ::1');
}
