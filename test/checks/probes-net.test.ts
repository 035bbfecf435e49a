import { chmodSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCheckSpec } from '../../src/checks/define.js';
import { runCheck } from '../../src/checks/run-check.js';
import { issueCertificate } from '../../src/tls/certificates.js';
import { socketFaultServer } from '../helpers/fault-servers.js';
import { freePort } from '../helpers/net.js';
import { tempDir } from '../helpers/tmp.js';

const servers: Array<{ close(): void }> = [];
afterAll(() => {
  for (const s of servers) s.close();
});

async function listen(server: Server | ReturnType<typeof createServer>): Promise<number> {
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return (server.address() as AddressInfo).port;
}

const target = (port: number) => ({ address: '127.0.0.1', port, instanceId: 'i1' });

describe('http probe', () => {
  let port: number;
  beforeAll(async () => {
    port = await listen(
      createHttpServer((req, res) => {
        if (req.url === '/health') return res.end('ok: all good');
        if (req.url === '/busy') return res.writeHead(429).end('slow down');
        if (req.url === '/hang') return; // never answers
        res.writeHead(503).end('database down');
      }),
    );
  });

  it('passes on an expected status and body', async () => {
    const r = await runCheck(parseCheckSpec('http:/health,expectBody=ok'), target(port));
    expect(r).toMatchObject({ status: 'passing' });
    expect(r.output).toMatch(/HTTP 200 from http:\/\/127\.0\.0\.1:\d+\/health in/);
  });
  it('is critical on 5xx with the body in the output, warning on 429', async () => {
    expect(await runCheck(parseCheckSpec('http:/down'), target(port))).toMatchObject({
      status: 'critical',
      reason: 'http_status',
    });
    expect((await runCheck(parseCheckSpec('http:/down'), target(port))).output).toContain('database down');
    expect(await runCheck(parseCheckSpec('http:/busy'), target(port))).toMatchObject({
      status: 'warning',
      reason: 'http_429',
    });
  });
  it('is critical when the body lacks the expected text', async () => {
    expect(await runCheck(parseCheckSpec('http:/health,expectBody=ready'), target(port))).toMatchObject({
      reason: 'http_body',
    });
  });
  it('times out a hanging endpoint at the check timeout', async () => {
    const r = await runCheck(parseCheckSpec('http:/hang,timeout=300ms,interval=1s'), target(port));
    expect(r).toMatchObject({ status: 'critical', reason: 'timeout' });
    expect(r.durationMs).toBeLessThan(2000);
  });
  it('classifies a refused connection', async () => {
    const closed = await freePort();
    expect(await runCheck(parseCheckSpec('http:/'), target(closed))).toMatchObject({
      status: 'critical',
      reason: 'refused',
    });
  });
});

describe('http probe: every step must succeed (connect, request, read, parse)', () => {
  it.each([
    // The RST can reach the client before its connect callback runs: connect or request.
    ['rst-at-accept', /^(reset|closed)$/, /^(connect|request)$/],
    ['fin-after-request', /^closed$/, /^request$/],
    ['rst-after-request', /^reset$/, /^request$/],
    ['garbage', /^protocol_error$/, /^parse$/],
    ['rst-mid-body', /^reset$/, /^read$/],
  ] as const)('is critical when the server does %s, naming the failed step', async (fault, reason, step) => {
    const port = await socketFaultServer(fault);
    const r = await runCheck({ ...parseCheckSpec('http:/'), timeoutMs: 1500 }, target(port));
    expect(r.status).toBe('critical');
    expect(r.reason).toMatch(reason);
    const { httpCheckProbe } = await import('../../src/checks/probes/http.js');
    const outcome = await httpCheckProbe.run(parseCheckSpec('http:/') as never, target(port), {
      signal: new AbortController().signal,
      timeoutMs: 1500,
      env: {},
      now: Date.now,
    });
    expect(outcome.steps!.find((s) => !s.ok)?.name).toMatch(step);
  });

  it('passes a healthy server with every step reported ok', async () => {
    const port = await socketFaultServer('healthy');
    const { httpCheckProbe } = await import('../../src/checks/probes/http.js');
    const outcome = await httpCheckProbe.run(parseCheckSpec('http:/') as never, target(port), {
      signal: new AbortController().signal,
      timeoutMs: 1500,
      env: {},
      now: Date.now,
    });
    expect(outcome.status).toBe('passing');
    expect(outcome.steps!.map((s) => `${s.name}:${s.ok}`)).toEqual([
      'connect:true',
      'request:true',
      'read:true',
      'parse:true',
    ]);
  });
});

describe('tcp probe', () => {
  it('passes on a listener that keeps the connection, and is refused on a closed port', async () => {
    const port = await socketFaultServer('silent'); // accepts and waits for a request
    const r = await runCheck(parseCheckSpec('tcp'), target(port));
    expect(r).toMatchObject({ status: 'passing' });
    expect(r.output).toMatch(/stayed open/);
    expect(await runCheck(parseCheckSpec('tcp'), target(await freePort()))).toMatchObject({
      reason: 'refused',
    });
  });

  it('passes a server that speaks first and then closes (a banner is someone there)', async () => {
    const port = await listen(createServer((s) => s.on('error', () => {}).end('220 ready\r\n')));
    expect(await runCheck(parseCheckSpec('tcp'), target(port))).toMatchObject({ status: 'passing' });
  });

  // What docker-proxy does for a published port whose container app does not listen: accept,
  // then drop. "Connected" would call that healthy.
  it('is critical when the server closes (FIN) at accept, naming the failed step', async () => {
    const port = await socketFaultServer('fin-at-accept');
    const r = await runCheck(parseCheckSpec('tcp'), target(port));
    expect(r).toMatchObject({ status: 'critical', reason: 'closed' });
    expect(r.output).toContain(`127.0.0.1:${port} accepted the connection and closed (FIN) it at once`);
    expect((await probeSteps(port)).map((s) => `${s.name}:${s.ok}`)).toEqual([
      'connect:true',
      'stay connected:false',
    ]);
  });

  it('is critical when the server resets (RST) at accept', async () => {
    const port = await socketFaultServer('rst-at-accept');
    const r = await runCheck(parseCheckSpec('tcp'), target(port));
    // The RST can reach this client before its own connect callback: connect, or the hold.
    expect(r).toMatchObject({ status: 'critical', reason: 'reset' });
    expect((await probeSteps(port)).at(-1)).toMatchObject({ ok: false });
  });
});

async function probeSteps(port: number) {
  const { tcpProbe } = await import('../../src/checks/probes/tcp.js');
  const outcome = await tcpProbe.run(parseCheckSpec('tcp') as never, target(port), {
    signal: new AbortController().signal,
    timeoutMs: 1500,
    env: {},
    now: Date.now,
  });
  return outcome.steps!;
}

describe('tls probe', () => {
  const day = 86_400_000;
  async function tlsServer(names: string[], notBefore: Date, notAfter: Date): Promise<number> {
    const cert = await issueCertificate({ names, notBefore, notAfter });
    return await listen(createHttpsServer({ cert: cert.certPem, key: cert.keyPem }, (_q, s) => s.end('x')));
  }
  it('tells expired, self-signed, wrong-name and expiring-soon apart', async () => {
    const now = Date.now();
    const expired = await tlsServer(['localhost'], new Date(now - 30 * day), new Date(now - day));
    const selfSigned = await tlsServer(['localhost'], new Date(now - day), new Date(now + 300 * day));
    const soon = await tlsServer(['localhost'], new Date(now - day), new Date(now + 5 * day));
    expect(await runCheck(parseCheckSpec('tls,serverName=localhost'), target(expired))).toMatchObject({
      reason: 'tls_expired',
    });
    expect(await runCheck(parseCheckSpec('tls,serverName=localhost'), target(selfSigned))).toMatchObject({
      reason: 'tls_self_signed',
    });
    expect(
      await runCheck(parseCheckSpec('tls,serverName=api.example.test'), target(selfSigned)),
    ).toMatchObject({
      reason: 'tls_name_mismatch',
    });
    expect(
      await runCheck(parseCheckSpec('tls,serverName=localhost,tlsVerify=false'), target(soon)),
    ).toMatchObject({
      status: 'warning',
      reason: 'tls_expiring',
    });
    expect(
      await runCheck(parseCheckSpec('tls,serverName=localhost,tlsVerify=false'), target(selfSigned)),
    ).toMatchObject({
      status: 'passing',
    });
  });
});

describe('command probe', () => {
  const dir = tempDir();
  const script = (name: string, body: string): string => {
    const path = join(dir, name);
    writeFileSync(path, `#!/bin/sh\n${body}\n`);
    chmodSync(path, 0o755);
    return path;
  };
  it('maps exit 0/1/2 to passing/warning/critical with output', async () => {
    expect(
      await runCheck(parseCheckSpec(`command:${script('ok.sh', 'echo fine')}`), target(1)),
    ).toMatchObject({ status: 'passing', output: 'fine' });
    expect(
      await runCheck(parseCheckSpec(`command:${script('warn.sh', 'echo meh; exit 1')}`), target(1)),
    ).toMatchObject({ status: 'warning' });
    expect(
      await runCheck(parseCheckSpec(`command:${script('bad.sh', 'echo broken >&2; exit 2')}`), target(1)),
    ).toMatchObject({
      status: 'critical',
      output: 'exit 2: broken',
    });
  });
  it('kills a command (and its children) at the timeout', async () => {
    const marker = join(dir, 'survived');
    const slow = script('slow.sh', `sleep 5 && touch ${marker} & sleep 5`);
    const r = await runCheck(parseCheckSpec(`command:${slow},timeout=300ms,interval=1s`), target(1));
    expect(r).toMatchObject({ status: 'critical', reason: 'timeout' });
  });
  it('reports a missing program', async () => {
    expect(await runCheck(parseCheckSpec('command:/nonexistent/check'), target(1))).toMatchObject({
      status: 'critical',
    });
  });
});

describe('ttl probe', () => {
  it('is critical without a report, follows fresh reports, and expires', async () => {
    const check = parseCheckSpec('ttl:1s');
    expect(await runCheck(check, target(1))).toMatchObject({ status: 'critical', reason: 'ttl_expired' });
    let now = 10_000;
    const report = { status: 'warning' as const, output: 'queue long', at: 9_500 };
    const opts = { now: () => now, ttlReport: () => report };
    expect(await runCheck(check, target(1), opts)).toMatchObject({ status: 'warning', output: 'queue long' });
    now = 11_000;
    expect(await runCheck(check, target(1), opts)).toMatchObject({
      status: 'critical',
      reason: 'ttl_expired',
    });
  });
});

describe('parseCheckSpec', () => {
  it('builds definitions with defaults and rejects bad specs', () => {
    expect(parseCheckSpec('http:/ready,interval=5s,expectStatus=200-204')).toMatchObject({
      kind: 'http',
      path: '/ready',
      intervalMs: 5000,
      expectStatus: [[200, 204]],
      rise: 2,
      fall: 3,
    });
    expect(parseCheckSpec('postgres:app,database=app,passwordEnv=PGPASSWORD')).toMatchObject({
      user: 'app',
      database: 'app',
    });
    for (const bad of ['bogus', 'http:health', 'tcp:1', 'http:/,interval=soon', 'ttl']) {
      expect(() => parseCheckSpec(bad)).toThrow(expect.objectContaining({ code: 'E_CHECK_INVALID' }));
    }
  });
});
