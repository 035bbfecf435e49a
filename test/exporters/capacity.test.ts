import { createServer, get, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { freePort } from '../helpers/net.js';
import { stopProcess } from '../helpers/processes.js';
import { describeWith } from '../helpers/requirements.js';
import { readText, specFromYaml, startGateway, waitAnswers, writeGenerated } from './gateways.js';

/** More requests in flight at once than a worker with 1024 connections can proxy (2 each). */
const inFlight = 600;

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

/** An upstream that answers nobody until `n` requests are waiting: all are in flight together. */
async function barrierUpstream(n: number): Promise<{ port: number }> {
  const held: ServerResponse[] = [];
  const server = createServer((req, res) => {
    if (req.url !== '/held') return void res.end('ok');
    held.push(res);
    if (held.length >= n) for (const r of held.splice(0)) r.end('released');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanup.push(() => {
    for (const r of held.splice(0)) r.destroy();
    server.closeAllConnections();
    server.close();
  });
  return { port: (server.address() as AddressInfo).port };
}

/** One GET on its own connection; resolves with the status and body, or the error message. */
function getOnce(port: number, path: string): Promise<string> {
  return new Promise((resolve) => {
    const req = get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => {
        body += c;
      });
      res.on('end', () => resolve(`${res.statusCode} ${body}`));
      res.on('error', (e) => resolve(e.message));
    });
    req.on('error', (e) => resolve(e.message));
    req.setTimeout(20_000, () => req.destroy(new Error('no answer in 20 s')));
  });
}

describeWith(['nginx'], 'a generated nginx worker holds lb serve’s concurrency', () => {
  it(`proxies ${inFlight} requests in flight at once (2 connections each) on one worker`, async () => {
    const up = await barrierUpstream(inFlight);
    const port = await freePort();
    const spec = specFromYaml(
      [`listen: 127.0.0.1:${port}`, 'routes:', '  - name: web', `    upstreams: [127.0.0.1:${up.port}]`].join(
        '\n',
      ),
    );
    const w = writeGenerated('nginx', spec);
    expect(readText(w.config)).toMatch(/^ {2}worker_connections 4096;$/m);
    const gateway = startGateway('nginx', w);
    cleanup.push(() => stopProcess(gateway));
    // Warm the route with a request the barrier does not hold.
    await waitAnswers(port);
    const answers = Promise.all(Array.from({ length: inFlight }, () => getOnce(port, '/held')));
    // With too few connection slots nginx stops accepting (or fails the upstream connect)
    // before the upstream holds them all, and the barrier never opens: errors or no answer.
    const results = await answers;
    expect(results.filter((r) => r !== '200 released').slice(0, 3)).toEqual([]);
    expect(readText(`${w.run}/error.log`)).not.toMatch(/worker_connections are not enough/);
  });
});
