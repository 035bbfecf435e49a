import { execFileSync } from 'node:child_process';
import { userInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { listListeners } from '../../src/ports/listeners.js';
import { parseLsof } from '../../src/ports/lsof.js';
import { hexToIPv4, hexToIPv6 } from '../../src/ports/procfs-net.js';
import { cliPath, runPortico } from '../helpers/cli.js';
import { createNamespace } from '../helpers/netns.js';
import { holdPort } from '../helpers/port-holder.js';
import { spawnTracked, waitForOutput } from '../helpers/processes.js';
import { describeWith } from '../helpers/requirements.js';

describe('procfs address decoding', () => {
  it('decodes little-endian IPv4 and IPv6 words', () => {
    expect(hexToIPv4('0100007F')).toBe('127.0.0.1');
    expect(hexToIPv6('00000000000000000000000001000000')).toBe('::1');
    expect(hexToIPv6('00000000000000000000000000000000')).toBe('::');
    expect(hexToIPv6('0000000000000000FFFF00000100007F')).toBe('::ffff:127.0.0.1');
    expect(hexToIPv6('B80D0120000000000000000001000000')).toBe('2001:db8::1');
  });
});

describe('listListeners with real sockets', () => {
  it('finds TCP on 127.0.0.1 and ::1, and UDP, each with the holder pid and command line', async () => {
    const v4 = await holdPort('127.0.0.1');
    const v6 = await holdPort('::1');
    const udp = await holdPort('127.0.0.1', 0, 'udp');
    const all = await listListeners({ docker: false });
    const find = (port: number, protocol = 'tcp') =>
      all.find((l) => l.port === port && l.protocol === protocol);

    expect(find(v4.port)).toMatchObject({
      family: 4,
      address: '127.0.0.1',
      scope: 'loopback',
      processes: [{ pid: v4.pid }],
    });
    expect(find(v6.port)).toMatchObject({
      family: 6,
      address: '::1',
      scope: 'loopback',
      processes: [{ pid: v6.pid }],
    });
    expect(find(udp.port, 'udp')).toMatchObject({
      protocol: 'udp',
      address: '127.0.0.1',
      processes: [{ pid: udp.pid }],
    });
    expect(find(v4.port)!.processes[0]!.commandLine).toContain(process.execPath);
    expect(find(v4.port)!.user).toBe(userInfo().username);
  });

  it('shows the listener in `portico ports --json` and a table on demand', async () => {
    const held = await holdPort('127.0.0.1');
    const json = await runPortico(['ports', '--json', '--port', String(held.port), '--no-docker']);
    expect(json.code).toBe(0);
    const doc = json.json<{ listeners: Array<{ port: number; processes: Array<{ pid: number }> }> }>();
    expect(doc.listeners).toHaveLength(1);
    expect(doc.listeners[0]!.processes[0]!.pid).toBe(held.pid);
    const table = await runPortico(['ports', '--port', String(held.port), '--no-docker']);
    expect(table.stdout).toMatch(
      new RegExp(`tcp\\s+127\\.0\\.0\\.1\\s+loopback\\s+${held.port}\\s+${held.pid}`),
    );
  });
});

describeWith(['lsof'], 'lsof fallback', () => {
  it('parses real lsof output into the same listener as procfs', async () => {
    const held = await holdPort('127.0.0.1');
    const out = execFileSync('lsof', ['-nP', `-iTCP:${held.port}`, '-sTCP:LISTEN', '-FpcuLtPn'], {
      encoding: 'utf8',
    });
    const [l] = parseLsof(out);
    expect(l).toMatchObject({
      protocol: 'tcp',
      family: 4,
      address: '127.0.0.1',
      port: held.port,
      processes: [{ pid: held.pid }],
    });
  });
});

describeWith(['ip', { root: true }], 'listeners on all interfaces', () => {
  it('lists a dual-stack :: and a 0.0.0.0 listener as "all", inside a namespace of our own', async () => {
    // Wildcard listeners are made in a private network namespace, never on the host's interfaces.
    const ns = createNamespace(40 + (process.pid % 30));
    const holder = spawnTracked('ip', [
      'netns',
      'exec',
      ns.name,
      process.execPath,
      '-e',
      "const n=require('net');n.createServer().listen({host:'::',port:7100},()=>n.createServer().listen(7101,'0.0.0.0',()=>console.log('ready')))",
    ]);
    await waitForOutput(holder, /ready/);
    const out = ns.exec([process.execPath, cliPath, 'ports', '--json', '--no-docker']);
    const doc = JSON.parse(out) as {
      listeners: Array<{
        port: number;
        address: string;
        scope: string;
        family: number;
        processes: Array<{ pid: number }>;
      }>;
    };
    expect(doc.listeners.find((l) => l.port === 7100)).toMatchObject({
      address: '::',
      family: 6,
      scope: 'all',
      processes: [{ pid: holder.pid }],
    });
    expect(doc.listeners.find((l) => l.port === 7101)).toMatchObject({
      address: '0.0.0.0',
      family: 4,
      scope: 'all',
      processes: [{ pid: holder.pid }],
    });
  });
});
