import { join } from 'node:path';
import { request } from 'undici';
import { expect, it } from 'vitest';
import { runPortico } from '../helpers/cli.js';
import { freePort } from '../helpers/net.js';
import { spawnTracked, stopProcess } from '../helpers/processes.js';
import { describeWith } from '../helpers/requirements.js';
import { tempDir } from '../helpers/tmp.js';
import { startUpstream } from '../helpers/upstreams.js';
import { load, waitAnswers } from './gateways.js';

describeWith(['haproxy'], 'lb generate --from-catalog', () => {
  it("routes <service>.localhost to the catalog's instances with their weights; other hosts get 404", async () => {
    const dir = tempDir('portico-exp-catalog-');
    const env = { PORTICO_HOME: join(dir, 'home') };
    const store = `sqlite://${join(dir, 'catalog.db')}`;
    const [one, two] = await Promise.all([startUpstream('shop-1'), startUpstream('shop-2')]);
    for (const [u, weight] of [
      [one, 1],
      [two, 3],
    ] as const) {
      const r = await runPortico(
        [
          'discovery',
          'register',
          'shop',
          '--port',
          String(u.port),
          '--protocol',
          'http',
          '--meta',
          `weight=${weight}`,
          '--store',
          store,
        ],
        { cwd: dir, env },
      );
      expect(r.code).toBe(0);
    }
    const port = await freePort();
    const gen = await runPortico(
      [
        'lb',
        'generate',
        '--target',
        'haproxy',
        '--from-catalog',
        '--store',
        store,
        '--listen',
        `127.0.0.1:${port}`,
        '-o',
        'haproxy.cfg',
      ],
      { cwd: dir, env },
    );
    expect(gen.code).toBe(0);
    const haproxy = spawnTracked('haproxy', ['-db', '-f', join(dir, 'haproxy.cfg')]);
    try {
      await waitAnswers(port, 'shop.localhost');
      const other = await request(`http://127.0.0.1:${port}/`, { headers: { host: 'nothing.localhost' } });
      await other.body.dump();
      expect(other.statusCode).toBe(404);
      const shares = await loadHost(port, 'shop.localhost', 400);
      expect(shares.get('shop-1')).toBe(100);
      expect(shares.get('shop-2')).toBe(300);
      expect((await load(port, 1)).errors).toEqual(['404 no route']);
    } finally {
      await stopProcess(haproxy);
    }
  });
});

async function loadHost(port: number, host: string, n: number): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const r = await request(`http://127.0.0.1:${port}/`, { headers: { host } });
    const body = await r.body.text();
    counts.set(body, (counts.get(body) ?? 0) + 1);
  }
  return counts;
}
