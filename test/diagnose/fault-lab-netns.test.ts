import { expect, it } from 'vitest';
import { Facts } from '../../src/diagnose/facts.js';
import type { CheckOutcome } from '../../src/diagnose/finding.js';
import { runChecks } from '../../src/diagnose/runner.js';
import { connectivityChecks } from '../../src/diagnose/suites/connectivity.js';
import { createNamespace } from '../helpers/netns.js';
import { spawnTracked, stopProcess, waitForOutput } from '../helpers/processes.js';
import { describeWith } from '../helpers/requirements.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * The fault lab across a real link: a network namespace behind a veth (10.200.n.2, route
 * checked before use), firewall rules inside it, and servers that misbehave on the far side.
 */
async function diagnose(target: string): Promise<CheckOutcome> {
  const cwd = tempDir();
  const env = { PORTICO_HOME: tempDir() };
  const facts = new Facts({ cwd, env });
  const checks = await connectivityChecks(target, facts, { timeoutMs: 1000 });
  const [outcome] = await runChecks(checks, { cwd, env, facts, signal: new AbortController().signal });
  return outcome!;
}
const codes = (o: CheckOutcome): string[] => o.findings.map((f) => f.code);

// Ports inside the namespace: 8001-8005 answer HTTP, 8006 resets at accept, 8007 stays silent.
const serverScript = `
const net = require('net'), http = require('http');
for (const p of [8001, 8002, 8003, 8004, 8005]) http.createServer((q, r) => r.end('ok')).listen(p, '0.0.0.0');
net.createServer((s) => { s.on('error', () => {}); s.resetAndDestroy(); }).listen(8006, '0.0.0.0');
net.createServer((s) => { s.on('error', () => {}); }).listen(8007, '0.0.0.0');
setTimeout(() => console.log('ready'), 100);
`;

describeWith(['ip', 'iptables', { root: true }], 'fault lab in a network namespace', () => {
  it('tells DROP, REJECT (tcp-reset and icmp-port-unreachable), unreachable, RST at accept and silence apart, and passes the healthy port', async () => {
    const ns = createNamespace(160 + (process.pid % 40));
    const server = spawnTracked('ip', ['netns', 'exec', ns.name, process.execPath, '-e', serverScript]);
    try {
      await waitForOutput(server, /ready/);
      const rule = (port: number, ...target: string[]) =>
        ns.exec(['iptables', '-A', 'INPUT', '-p', 'tcp', '--dport', String(port), '-j', ...target]);
      rule(8001, 'DROP');
      rule(8002, 'REJECT', '--reject-with', 'tcp-reset');
      rule(8003, 'REJECT', '--reject-with', 'icmp-host-unreachable');
      rule(8005, 'REJECT', '--reject-with', 'icmp-port-unreachable');
      const url = (port: number) => `http://${ns.address}:${port}/`;
      const [drop, reset, unreachable, healthy, portUnreachable, rstAtAccept, silent] = await Promise.all(
        [8001, 8002, 8003, 8004, 8005, 8006, 8007].map((p) => diagnose(url(p))),
      );
      expect(codes(drop!)).toEqual(['CONN_FILTERED']);
      expect(codes(reset!)).toEqual(['CONN_REFUSED']);
      expect(codes(portUnreachable!)).toEqual(['CONN_REFUSED']);
      expect(codes(unreachable!)).toEqual(['CONN_UNREACHABLE']);
      expect(codes(rstAtAccept!)).toEqual(['CONN_RESET']);
      expect(codes(silent!)).toEqual(['HTTP_NO_RESPONSE']);
      expect(healthy!.status, JSON.stringify(healthy)).toBe('passed');
    } finally {
      await stopProcess(server);
    }
  }, 30_000);
});
