import { writeFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { issueCertificate } from '../../src/tls/certificates.js';
import { runPortico } from '../helpers/cli.js';
import { runContainer, testDockerHost } from '../helpers/docker.js';
import { freePort } from '../helpers/net.js';
import { createNamespace } from '../helpers/netns.js';
import { holdPort } from '../helpers/port-holder.js';
import { spawnTracked, waitForOutput } from '../helpers/processes.js';
import { describeWith } from '../helpers/requirements.js';
import { tempDir } from '../helpers/tmp.js';

interface Doc {
  summary: { errors: number };
  checks: Array<{
    notes: string[];
    findings: Array<{ code: string; title: string; evidence: string[]; fix: string; severity: string }>;
  }>;
}
const codes = (d: Doc): string[] => d.checks.flatMap((c) => c.findings.map((f) => f.code));
const env = () => ({ PORTICO_HOME: tempDir() });

async function troubleshoot(
  target: string,
  extra: NodeJS.ProcessEnv = {},
  cwd?: string,
): Promise<{ code: number | null; doc: Doc; stdout: string }> {
  const r = await runPortico(['troubleshoot', 'connectivity', target, '--json'], {
    env: { ...env(), ...extra },
    ...(cwd ? { cwd } : {}),
    timeoutMs: 60_000,
  });
  return { code: r.code, doc: r.json<Doc>(), stdout: r.stdout };
}

describe('connectivity on loopback', () => {
  it('explains a closed port as refused, with each step timed', async () => {
    const port = await freePort();
    const { code, doc } = await troubleshoot(`127.0.0.1:${port}`);
    expect(code).toBe(1);
    expect(codes(doc)).toEqual(['CONN_REFUSED']);
    expect(doc.checks[0]!.notes.some((n) => /^TCP 127\.0\.0\.1:\d+ refused \(\d+\.\dms\)$/.test(n))).toBe(
      true,
    );
  });

  it('passes for a listening server, and says so', async () => {
    const held = await holdPort('127.0.0.1');
    const r = await runPortico(['troubleshoot', 'connectivity', `127.0.0.1:${held.port}`], { env: env() });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('1 of 1 checks passed — nothing wrong found');
  });

  it('explains localhost reaching 127.0.0.1 while the server listens on ::1 only', async () => {
    const { holdIPv6OnlyPort } = await import('../helpers/port-holder.js');
    const held = await holdIPv6OnlyPort();
    const { doc } = await troubleshoot(`localhost:${held.port}`);
    const f = doc.checks[0]!.findings[0]!;
    expect(f.code).toBe('LOCALHOST_IPV6_MISMATCH');
    expect(f.evidence.join(' ')).toContain(`held on ::1`);
  });

  it('flags a compose service name used from the host and points at the published port', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'compose.yaml'),
      'services:\n  auth-service:\n    image: x\n    ports: ["127.0.0.1:13001:3000"]\n',
    );
    const { doc } = await troubleshoot('auth-service:3000', {}, dir);
    const f = doc.checks[0]!.findings[0]!;
    expect(f.code).toBe('DNS_COMPOSE_NAME_FROM_HOST');
    expect(f.fix).toContain('127.0.0.1:13001');
  });

  describe('TLS certificates', () => {
    const servers: Array<{ close(): void }> = [];
    afterAll(() => {
      for (const s of servers) s.close();
    });
    async function tls(names: string[], from: number, to: number): Promise<number> {
      const day = 86_400_000;
      const c = await issueCertificate({
        names,
        notBefore: new Date(Date.now() + from * day),
        notAfter: new Date(Date.now() + to * day),
      });
      const s = createHttpsServer({ cert: c.certPem, key: c.keyPem }, (_q, r) => r.end('ok'));
      servers.push(s);
      await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
      return (s.address() as AddressInfo).port;
    }
    it('tells expired, self-signed and wrong-name certificates apart', async () => {
      const expired = await tls(['localhost'], -30, -1);
      const selfSigned = await tls(['localhost'], -1, 300);
      const otherName = await tls(['api.example.test'], -1, 300);
      expect(codes((await troubleshoot(`https://localhost:${expired}/`)).doc)).toContain('TLS_EXPIRED');
      expect(codes((await troubleshoot(`https://localhost:${selfSigned}/`)).doc)).toEqual([
        'TLS_SELF_SIGNED',
      ]);
      expect(codes((await troubleshoot(`https://localhost:${otherName}/`)).doc)).toContain(
        'TLS_NAME_MISMATCH',
      );
    });
  });
});

describeWith(['ip', 'iptables', 'unshare', { root: true }], 'failure modes in network namespaces', () => {
  it('tells a firewall DROP (filtered) from a REJECT (refused) and an unreachable host', async () => {
    const ns = createNamespace(80 + (process.pid % 40));
    const server = spawnTracked('ip', [
      'netns',
      'exec',
      ns.name,
      process.execPath,
      '-e',
      "for (const p of [7001,7002,7003,7004]) require('net').createServer((c)=>c.on('error',()=>{})).listen(p, '0.0.0.0'); console.log('ready')",
    ]);
    await waitForOutput(server, /ready/);
    ns.exec(['iptables', '-A', 'INPUT', '-p', 'tcp', '--dport', '7001', '-j', 'DROP']);
    ns.exec([
      'iptables',
      '-A',
      'INPUT',
      '-p',
      'tcp',
      '--dport',
      '7002',
      '-j',
      'REJECT',
      '--reject-with',
      'tcp-reset',
    ]);
    ns.exec([
      'iptables',
      '-A',
      'INPUT',
      '-p',
      'tcp',
      '--dport',
      '7003',
      '-j',
      'REJECT',
      '--reject-with',
      'icmp-host-unreachable',
    ]);
    const [drop, reject, unreachable, open] = (await Promise.all(
      [7001, 7002, 7003, 7004].map((p) => troubleshoot(`${ns.address}:${p}`)),
    )) as [
      Awaited<ReturnType<typeof troubleshoot>>,
      Awaited<ReturnType<typeof troubleshoot>>,
      Awaited<ReturnType<typeof troubleshoot>>,
      Awaited<ReturnType<typeof troubleshoot>>,
    ];
    expect(codes(drop.doc)).toEqual(['CONN_FILTERED']);
    expect(codes(reject.doc)).toEqual(['CONN_REFUSED']);
    expect(codes(unreachable.doc)).toEqual(['CONN_UNREACHABLE']);
    expect(open.code).toBe(0);
  });

  it('explains localhost resolving to ::1 first while the server listens on 127.0.0.1 only', async () => {
    const dir = tempDir();
    const hosts = join(dir, 'hosts');
    writeFileSync(hosts, '::1 localhost\n127.0.0.1 localhost\n');
    const held = await holdPort('127.0.0.1');
    const { cliPath } = await import('../helpers/cli.js');
    const { execFile } = await import('node:child_process');
    // A private mount namespace with its own /etc/hosts: the host's file is untouched.
    const stdout = await new Promise<string>((resolve) => {
      execFile(
        'unshare',
        [
          '--mount',
          'sh',
          '-c',
          `mount --bind ${hosts} /etc/hosts && exec "${process.execPath}" "${cliPath}" troubleshoot connectivity localhost:${held.port} --json`,
        ],
        { env: { ...process.env, ...env() } },
        (_e, out) => resolve(out),
      );
    });
    const doc = JSON.parse(stdout) as Doc;
    const f = doc.checks[0]!.findings[0]!;
    expect(f.code).toBe('LOCALHOST_IPV6_MISMATCH');
    expect(f.severity).toBe('warning');
    expect(f.evidence.join(' ')).toContain('[::1]');
  });
});

describeWith(['dockerd', { root: true }], 'connectivity to a container', () => {
  it('finds the app that listens on 127.0.0.1 inside its container', async () => {
    const port = await freePort();
    await runContainer({
      name: `ptc-loopback-${process.pid}`,
      cmd: ['httpd', '-f', '-p', '127.0.0.1:8080', '-h', '/www'],
      publish: { '8080': port },
    });
    const { doc } = await troubleshoot(`127.0.0.1:${port}`, { DOCKER_HOST: testDockerHost()! });
    const f = doc.checks[0]!.findings.find((x) => x.code === 'CONTAINER_APP_LOOPBACK');
    expect(f, JSON.stringify(doc.checks[0])).toBeDefined();
    expect(f!.evidence.join(' ')).toContain('127.0.0.1:8080');
    expect(f!.fix).toContain('0.0.0.0');
  });
});
