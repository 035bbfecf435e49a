import { request } from 'undici';
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { TargetName } from '../../src/exporters/index.js';
import { freePort } from '../helpers/net.js';
import { stopProcess } from '../helpers/processes.js';
import { describeWith } from '../helpers/requirements.js';
import { startUpstream, type TestUpstream } from '../helpers/upstreams.js';
import { specFromYaml, startGateway, waitAnswers, writeGenerated } from './gateways.js';

async function get(port: number, path: string, host?: string): Promise<{ status: number; body: string }> {
  const r = await request(`http://127.0.0.1:${port}${path}`, {
    headers: host ? { host } : {},
    headersTimeout: 5000,
    bodyTimeout: 5000,
  });
  return { status: r.statusCode, body: await r.body.text() };
}

async function wsEcho(port: number, host: string): Promise<string> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/socket`, { headers: { host }, handshakeTimeout: 5000 });
  try {
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const answer = new Promise<string>((resolve) => ws.once('message', (m) => resolve(m.toString())));
    ws.send('hello');
    return await answer;
  } finally {
    ws.terminate();
  }
}

for (const target of ['nginx', 'haproxy', 'caddy'] as TargetName[]) {
  describeWith(
    [target],
    `${target}: host/path routes, strip prefix, WebSocket${target === 'caddy' ? '' : ', TCP'}`,
    () => {
      let api: TestUpstream;
      let web: TestUpstream;
      let db: TestUpstream;
      let port: number;
      let tcpPort: number;
      let gateway: ReturnType<typeof startGateway>;
      beforeAll(async () => {
        [api, web, db] = await Promise.all([startUpstream('api'), startUpstream('web'), startUpstream('db')]);
        port = await freePort();
        tcpPort = await freePort();
        const lines = [
          `listen: 127.0.0.1:${port}`,
          `admin: 127.0.0.1:${await freePort()}`,
          'routes:',
          '  - name: api',
          '    host: api.example.test',
          '    pathPrefix: /v1',
          '    stripPrefix: true',
          `    upstreams: [127.0.0.1:${api.port}]`,
          '  - name: web',
          `    upstreams: [127.0.0.1:${web.port}]`,
        ];
        if (target !== 'caddy')
          lines.push(
            'tcp:',
            '  - name: db',
            `    listen: 127.0.0.1:${tcpPort}`,
            `    upstreams: [127.0.0.1:${db.port}]`,
          );
        gateway = startGateway(target, writeGenerated(target, specFromYaml(lines.join('\n'))));
        await waitAnswers(port);
      });
      afterAll(async () => {
        await stopProcess(gateway);
      });

      it('routes by host and path prefix, stripping the prefix', async () => {
        expect(await get(port, '/v1/items', 'api.example.test:8080')).toEqual({ status: 200, body: 'api' });
        expect(api.hits.get('/items')).toBe(1);
        expect(await get(port, '/v1/items', 'other.example.test')).toEqual({ status: 200, body: 'web' });
        expect(await get(port, '/elsewhere')).toEqual({ status: 200, body: 'web' });
      });

      it('passes WebSocket upgrades through', async () => {
        expect(await wsEcho(port, 'www.example.test')).toBe('web: hello');
      });

      if (target !== 'caddy')
        it('proxies a TCP route at layer 4', async () => {
          await waitAnswers(tcpPort);
          expect(await get(tcpPort, '/')).toEqual({ status: 200, body: 'db' });
        });
    },
  );
}
