import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Facts } from '../../src/diagnose/facts.js';
import type { CheckOutcome } from '../../src/diagnose/finding.js';
import { runChecks } from '../../src/diagnose/runner.js';
import { connectivityChecks } from '../../src/diagnose/suites/connectivity.js';
import { issueCertificate } from '../../src/tls/certificates.js';
import { freePort } from '../helpers/net.js';
import { describeWith } from '../helpers/requirements.js';
import { tempDir } from '../helpers/tmp.js';
import { waitFor } from '../helpers/wait.js';

/** TLS and plain mixed up against a real nginx, which answers each mistake in its own way. */
async function diagnose(target: string): Promise<CheckOutcome> {
  const cwd = tempDir();
  const env = { PORTICO_HOME: tempDir() };
  const facts = new Facts({ cwd, env });
  const checks = await connectivityChecks(target, facts, { timeoutMs: 1500 });
  const [outcome] = await runChecks(checks, { cwd, env, facts, signal: new AbortController().signal });
  return outcome!;
}
const codes = (o: CheckOutcome): string[] => o.findings.map((f) => f.code);

describeWith(['nginx'], 'fault lab: nginx with a TLS port and a plain port', () => {
  const dir = tempDir();
  let tlsPort: number;
  let plainPort: number;
  beforeAll(async () => {
    tlsPort = await freePort();
    plainPort = await freePort();
    const cert = await issueCertificate({ names: ['localhost', '127.0.0.1'] });
    writeFileSync(join(dir, 'cert.pem'), cert.certPem);
    writeFileSync(join(dir, 'key.pem'), cert.keyPem);
    mkdirSync(join(dir, 'tmp'));
    const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
      .map((t) => `${t}_temp_path ${dir}/tmp/${t};`)
      .join(' ');
    writeFileSync(
      join(dir, 'nginx.conf'),
      `pid ${dir}/nginx.pid; error_log ${dir}/error.log; events {}
http { access_log off; ${temp}
  server { listen 127.0.0.1:${tlsPort} ssl; ssl_certificate ${dir}/cert.pem; ssl_certificate_key ${dir}/key.pem;
    location / { return 200 "ok\\n"; } }
  server { listen 127.0.0.1:${plainPort}; location / { return 200 "ok\\n"; } } }\n`,
    );
    execFileSync('nginx', ['-c', join(dir, 'nginx.conf'), '-p', `${dir}/`, '-e', join(dir, 'error.log')]);
    await waitFor(async () => (await diagnose(`http://127.0.0.1:${plainPort}/`)).status === 'passed', {
      what: 'nginx to answer',
    });
  });
  afterAll(() => {
    try {
      execFileSync('nginx', ['-c', join(dir, 'nginx.conf'), '-p', `${dir}/`, '-s', 'quit']);
    } catch {}
  });

  it('http:// on the TLS port (nginx answers 400 "plain HTTP request was sent to HTTPS port") → HTTP_TLS_PORT', async () => {
    const o = await diagnose(`http://127.0.0.1:${tlsPort}/`);
    expect(codes(o)).toEqual(['HTTP_TLS_PORT']);
  });

  it('https:// on the plain port → TLS_PLAIN_PORT', async () => {
    const o = await diagnose(`https://127.0.0.1:${plainPort}/`);
    expect(codes(o)).toEqual(['TLS_PLAIN_PORT']);
  });

  it('https:// on the TLS port passes except for the self-signed certificate', async () => {
    const o = await diagnose(`https://127.0.0.1:${tlsPort}/`);
    expect(codes(o)).toEqual(['TLS_SELF_SIGNED']);
  });
});
