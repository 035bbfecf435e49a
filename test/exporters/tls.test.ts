import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { exporters, type TargetName } from '../../src/exporters/index.js';
import { runPortico } from '../helpers/cli.js';
import { freePort } from '../helpers/net.js';
import { stopProcess } from '../helpers/processes.js';
import { describeWith } from '../helpers/requirements.js';
import { tempDir } from '../helpers/tmp.js';
import { startUpstream, type TestUpstream } from '../helpers/upstreams.js';
import { waitFor } from '../helpers/wait.js';
import { specFromYaml, startGateway, trackDaemons, waitAnswers, writeGeneratedTls } from './gateways.js';

/** An HTTPS GET that trusts only the given CA and sends `servername` as SNI. */
async function httpsGet(port: number, ca: string | undefined, servername: string, host = servername) {
  const dispatcher = new Agent({ connect: { ...(ca ? { ca } : {}), servername } });
  try {
    const r = await request(`https://127.0.0.1:${port}/`, {
      dispatcher,
      headers: { host },
      headersTimeout: 5000,
      bodyTimeout: 5000,
    });
    return { status: r.statusCode, body: await r.body.text() };
  } finally {
    await dispatcher.close();
  }
}

for (const target of ['nginx', 'haproxy', 'caddy'] as TargetName[]) {
  describeWith(
    [target],
    `${target}: the generated TLS listener presents a development-CA certificate`,
    () => {
      let api: TestUpstream;
      let web: TestUpstream;
      let port: number;
      let tlsPort: number;
      let ca: string;
      let gateway: ReturnType<typeof startGateway>;
      beforeAll(async () => {
        [api, web] = await Promise.all([startUpstream(`${target}-api`), startUpstream(`${target}-web`)]);
        [port, tlsPort] = [await freePort(), await freePort()];
        const home = tempDir('portico-tls-home-');
        const spec = specFromYaml(
          [
            `listen: 127.0.0.1:${port}`,
            `admin: 127.0.0.1:${await freePort()}`,
            `tls: { listen: 127.0.0.1:${tlsPort}, redirectHttp: true }`,
            'routes:',
            '  - name: api',
            '    host: api.example.test',
            `    upstreams: [127.0.0.1:${api.port}]`,
            '  - name: web',
            `    upstreams: [127.0.0.1:${web.port}]`,
          ].join('\n'),
        );
        const w = await writeGeneratedTls(target, spec, home);
        expect(await exporters[target].validate(w.config, w.run)).toBeUndefined();
        ca = readFileSync(`${home}/ca/portico-dev-ca.crt`, 'utf8');
        gateway = startGateway(target, w);
        await waitFor(async () => (await httpsGet(tlsPort, ca, 'localhost')).status === 200, {
          what: `${target} to answer over TLS`,
          timeoutMs: 10_000,
        });
      });
      afterAll(async () => {
        await stopProcess(gateway);
      });

      it('answers HTTPS for a route host and for localhost, trusted through the development CA', async () => {
        expect(await httpsGet(tlsPort, ca, 'api.example.test')).toEqual({ status: 200, body: api.name });
        expect(await httpsGet(tlsPort, ca, 'localhost')).toEqual({ status: 200, body: web.name });
      });

      it('is refused by a client that does not trust the development CA', async () => {
        await expect(httpsGet(tlsPort, undefined, 'localhost')).rejects.toThrow(/certificate/i);
      });

      it('redirects plain HTTP to the TLS port (308) when redirectHttp is set', async () => {
        await waitAnswers(port).catch(() => {});
        const r = await request(`http://127.0.0.1:${port}/a?b=1`, {
          headers: { host: 'api.example.test' },
          headersTimeout: 5000,
        });
        await r.body.dump();
        expect(r.statusCode).toBe(308);
        expect(r.headers.location).toBe(`https://api.example.test:${tlsPort}/a?b=1`);
      });
    },
  );
}

describeWith(
  ['haproxy'],
  'lb deploy --tls-listen (CLI): issues the certificate, serves HTTPS, reuses it',
  () => {
    it('deploys HAProxy with a development-CA certificate and keeps the same one on the next deploy', async () => {
      const dir = tempDir('portico-tls-deploy-');
      const home = tempDir('portico-tls-home-');
      trackDaemons('haproxy', join(dir, 'haproxy-run'));
      const u = await startUpstream('tls-cli');
      const [port, tlsPort] = [await freePort(), await freePort()];
      const args = [
        'lb',
        'deploy',
        '--target',
        'haproxy',
        '--to',
        join(dir, 'haproxy.cfg'),
        '--listen',
        `127.0.0.1:${port}`,
        '--tls-listen',
        `127.0.0.1:${tlsPort}`,
        '--upstream',
        `127.0.0.1:${u.port}`,
        '--json',
      ];
      const first = await runPortico(args, { cwd: dir, env: { PORTICO_HOME: home } });
      expect(first.json()).toMatchObject({ status: 'deployed', action: 'start' });
      const cert = join(dir, 'haproxy-run', 'tls', 'portico-dev.crt');
      const issued = readFileSync(cert, 'utf8');
      const ca = readFileSync(join(home, 'ca', 'portico-dev-ca.crt'), 'utf8');
      expect(await httpsGet(tlsPort, ca, 'localhost')).toEqual({ status: 200, body: u.name });
      const again = await runPortico(args, { cwd: dir, env: { PORTICO_HOME: home } });
      expect(again.json()).toMatchObject({ status: 'unchanged' });
      expect(readFileSync(cert, 'utf8')).toBe(issued);
    });
  },
);
