import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TargetName } from '../../src/exporters/index.js';
import { freePort } from '../helpers/net.js';
import { stopProcess } from '../helpers/processes.js';
import { describeWith } from '../helpers/requirements.js';
import { startUpstream, type TestUpstream } from '../helpers/upstreams.js';
import { waitFor } from '../helpers/wait.js';
import { load, specFromYaml, startGateway, waitAnswers, writeGenerated } from './gateways.js';

const weights = [1, 2, 3];
const total = weights.reduce((a, b) => a + b, 0);
/** Shares measured per target, printed at the end (the report quotes them). */
const measured: string[] = [];
afterAll(() => {
  if (measured.length > 0) console.log(`exporter traffic shares:\n${measured.join('\n')}`);
});

for (const target of ['nginx', 'haproxy', 'caddy'] as TargetName[]) {
  describeWith([target], `a generated ${target} configuration runs with real traffic`, () => {
    let upstreams: TestUpstream[];
    let port: number;
    let gateway: ReturnType<typeof startGateway>;
    beforeAll(async () => {
      upstreams = await Promise.all(weights.map((_, i) => startUpstream(`${target}-u${i + 1}`)));
      port = await freePort();
      const admin = await freePort();
      const spec = specFromYaml(
        [
          `listen: 127.0.0.1:${port}`,
          `admin: 127.0.0.1:${admin}`,
          'routes:',
          '  - name: web',
          '    upstreams:',
          ...upstreams.map(
            (u, i) => `      - { address: 127.0.0.1, port: ${u.port}, weight: ${weights[i]} }`,
          ),
          '    healthCheck: { path: /health, interval: 1s }',
        ].join('\n'),
      );
      gateway = startGateway(target, writeGenerated(target, spec));
      await waitAnswers(port);
    });
    afterAll(async () => {
      await stopProcess(gateway);
    });

    it('shares 600 requests by weight (±5 points)', async () => {
      const r = await load(port, 600);
      expect(r.errors).toEqual([]);
      // Health checks hit /health, never /: count only what the load sent.
      const byBody = upstreams.map((u) => (r.byBody.get(u.name) ?? 0) / 600);
      measured.push(
        `${target}: ${byBody.map((s, i) => `u${i + 1} (w${weights[i]}) ${(s * 100).toFixed(1)}%`).join(', ')}`,
      );
      for (const [i, share] of byBody.entries())
        expect(Math.abs(share - weights[i]! / total)).toBeLessThanOrEqual(0.05);
    });

    if (target !== 'nginx')
      it('takes an upstream out on its failing active health check, and back in when it passes', async () => {
        const first = upstreams[0]!;
        first.setHealthy(false);
        const without = async () => {
          const r = await load(port, 12, 2);
          return r.errors.length === 0 && !r.byBody.has(first.name);
        };
        await waitFor(without, { what: `${target} to stop sending to a failing upstream`, timeoutMs: 8000 });
        first.setHealthy(true);
        await waitFor(async () => (await load(port, 12, 2)).byBody.has(first.name), {
          what: `${target} to send to it again`,
          timeoutMs: 8000,
        });
      });

    it('answers every GET with no error after an upstream is killed', async () => {
      await upstreams[2]!.kill();
      const r = await load(port, 300);
      expect(r.errors).toEqual([]);
      expect(r.byBody.get(upstreams[2]!.name) ?? 0).toBe(0);
      expect((r.byBody.get(upstreams[0]!.name) ?? 0) + (r.byBody.get(upstreams[1]!.name) ?? 0)).toBe(300);
    });
  });
}
