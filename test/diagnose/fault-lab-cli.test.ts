import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCertificateAuthority, issueCertificate } from '../../src/tls/certificates.js';
import { runPortico } from '../helpers/cli.js';
import { socketFaultServer, tlsServer } from '../helpers/fault-servers.js';
import { tempDir } from '../helpers/tmp.js';

/** The fault lab through the built CLI: exit codes, the report, and a clean stderr. */
interface Doc {
  checks: Array<{ status: string; findings: Array<{ code: string }> }>;
}
const env = () => ({ PORTICO_HOME: tempDir() });

describe('troubleshoot connectivity through the CLI', () => {
  it.each([
    ['resets the connection right after accept', 'rst-at-accept', 'CONN_RESET'],
    ['closes the connection right after accept', 'fin-at-accept', 'CONN_CLOSED'],
    ['reads the request and closes without answering', 'fin-after-request', 'HTTP_CLOSED_NO_RESPONSE'],
  ] as const)('no longer passes a server that %s (%s → %s)', async (_what, fault, code) => {
    const port = await socketFaultServer(fault);
    const r = await runPortico(['troubleshoot', 'connectivity', `http://127.0.0.1:${port}/`, '--json'], {
      env: env(),
    });
    expect(r.code, r.stderr).toBe(1);
    expect(r.json<Doc>().checks[0]!.findings.map((f) => f.code)).toEqual([code]);
  });

  it('passes a healthy HTTPS server whose CA the client trusts, with nothing on stderr (no DEP0123 for an IP)', async () => {
    const ca = await createCertificateAuthority('Fault Lab CA');
    const dir = tempDir();
    writeFileSync(join(dir, 'ca.pem'), ca.certPem);
    const port = await tlsServer(await issueCertificate({ names: ['localhost', '127.0.0.1'], ca }));
    const trusted = { ...env(), NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem') };
    const byName = await runPortico(['troubleshoot', 'connectivity', `https://localhost:${port}/`], {
      env: trusted,
    });
    expect(byName.code, byName.stdout).toBe(0);
    expect(byName.stdout).toContain('nothing wrong found');
    const byIp = await runPortico(['troubleshoot', 'connectivity', `https://127.0.0.1:${port}/`], {
      env: trusted,
    });
    expect(byIp.code, byIp.stdout).toBe(0);
    expect(byIp.stderr).toBe('');
    expect(byName.stderr).toBe('');
  });

  it('passes a healthy HTTP server', async () => {
    const port = await socketFaultServer('healthy');
    const r = await runPortico(['troubleshoot', 'connectivity', `http://127.0.0.1:${port}/`], { env: env() });
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toContain('1 of 1 checks passed — nothing wrong found');
  });
});

describe('--only / --skip names', () => {
  it.each([
    ['--only', 'bogus'],
    ['--skip', 'conectivity'],
  ])('%s %s (unknown) is a usage error naming the valid ones', async (flag, name) => {
    const port = await socketFaultServer('healthy');
    const r = await runPortico(['troubleshoot', 'connectivity', `127.0.0.1:${port}`, flag, name], {
      env: env(),
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('E_USAGE');
    expect(r.stderr).toContain(`"${name}"`);
    expect(r.stderr).toContain('connectivity, api-gateway');
    expect(r.stderr).toContain(`connectivity:127.0.0.1:${port}`);
    expect(r.stdout).not.toContain('nothing wrong found');
  });

  it('accepts a known category or check id', async () => {
    const port = await socketFaultServer('healthy');
    const r = await runPortico(
      ['troubleshoot', 'connectivity', `127.0.0.1:${port}`, '--only', `connectivity:127.0.0.1:${port}`],
      { env: env() },
    );
    expect(r.code, r.stderr).toBe(0);
  });
});

describe('a clean stderr', () => {
  it('troubleshoot all on a project with many checks prints no Node warning (MaxListenersExceeded)', async () => {
    const fixture = new URL('../fixtures/compose/fix/', import.meta.url).pathname;
    const r = await runPortico(['troubleshoot', 'all', '--json'], {
      cwd: fixture,
      env: env(),
      timeoutMs: 60_000,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(/Warning|DEP0/);
    // Every check either passed having run steps, or says why not: none passes with a failed step.
    for (const c of r.json<{ checks: Array<{ status: string; steps?: Array<{ ok: boolean }> }> }>().checks)
      if (c.status === 'passed') expect(c.steps!.length > 0 && c.steps!.every((s) => s.ok)).toBe(true);
  }, 70_000);
});
