import { request } from 'undici';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TargetName } from '../../src/exporters/index.js';
import { freePort } from '../helpers/net.js';
import { stopProcess } from '../helpers/processes.js';
import { describeWith } from '../helpers/requirements.js';
import { startUpstream, type TestUpstream } from '../helpers/upstreams.js';
import { specFromYaml, startGateway, waitAnswers, writeGenerated } from './gateways.js';

/** What a client that is nobody's proxy tries to make the upstream believe. */
const planted = {
  'x-forwarded-for': '6.6.6.6',
  'x-real-ip': '6.6.6.6',
  'x-forwarded-proto': 'https',
  'x-forwarded-host': 'evil.example',
  'x-forwarded-port': '6666',
  forwarded: 'for=6.6.6.6;proto=https',
};

async function seenBy(up: TestUpstream, port: number): Promise<Record<string, unknown>> {
  const res = await request(`http://127.0.0.1:${port}/`, {
    headers: { host: `app.localhost:${port}`, ...planted },
    headersTimeout: 5000,
    bodyTimeout: 5000,
  });
  await res.body.dump();
  expect(res.statusCode).toBe(200);
  return { ...up.lastHeaders };
}

// Generated configs follow lb serve's rule (src/balancer/headers.ts): forwarding headers from a
// client outside trustedProxies are never passed on; a trusted proxy's are extended or kept.
for (const target of ['nginx', 'haproxy', 'caddy'] as TargetName[]) {
  for (const trusted of [false, true]) {
    describeWith(
      [target],
      `a generated ${target} config, client ${trusted ? 'trusted' : 'not trusted'}`,
      () => {
        let up: TestUpstream;
        let port: number;
        let gateway: ReturnType<typeof startGateway>;
        beforeAll(async () => {
          up = await startUpstream(`${target}-fwd`);
          port = await freePort();
          const spec = specFromYaml(
            [
              `listen: 127.0.0.1:${port}`,
              ...(trusted ? ['trustedProxies: [127.0.0.1/32]'] : []),
              'routes:',
              `  - { name: web, upstreams: ["127.0.0.1:${up.port}"], healthCheck: false }`,
            ].join('\n'),
          );
          gateway = startGateway(target, writeGenerated(target, spec));
          await waitAnswers(port);
        });
        afterAll(async () => {
          await stopProcess(gateway);
        });

        it(
          trusted
            ? 'extends or keeps what the proxy sent'
            : 'sets them from the connection, whatever was planted',
          async () => {
            const h = await seenBy(up, port);
            if (trusted) {
              expect(h['x-forwarded-for']).toMatch(/^6\.6\.6\.6, ?127\.0\.0\.1$/);
              // Caddy cannot keep a trusted proxy's X-Real-IP: it sets the peer (safe, documented).
              expect(h['x-real-ip']).toBe(target === 'caddy' ? '127.0.0.1' : '6.6.6.6');
              expect(h['x-forwarded-proto']).toBe('https');
              expect(h['x-forwarded-host']).toBe('evil.example');
            } else {
              expect(h['x-forwarded-for']).toBe('127.0.0.1');
              expect(h['x-real-ip']).toBe('127.0.0.1');
              expect(h['x-forwarded-proto']).toBe('http');
              expect(h['x-forwarded-host']).toBe(`app.localhost:${port}`);
              expect(h['x-forwarded-port']).toBeUndefined();
              expect(String(h.forwarded ?? '')).not.toContain('6.6.6.6');
              if (target === 'nginx') expect(h.forwarded).toBe('for=127.0.0.1;proto=http');
            }
          },
        );
      },
    );
  }
}
