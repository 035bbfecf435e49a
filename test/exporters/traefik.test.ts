import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { deploy } from '../../src/exporters/deploy.js';
import { exporters } from '../../src/exporters/index.js';
import { validateTraefik } from '../../src/exporters/traefik/validate.js';
import { runPortico } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { specFromYaml } from './gateways.js';

const traefik = exporters.traefik;
const run = '/var/tmp/portico-traefik-run';

const weighted = () =>
  specFromYaml(
    [
      'listen: 127.0.0.1:18080',
      'routes:',
      '  - name: api',
      '    host: api.example.test',
      '    pathPrefix: /v1',
      '    upstreams:',
      '      - { address: 127.0.0.1, port: 19001, weight: 1 }',
      '      - { address: 127.0.0.1, port: 19002, weight: 2 }',
      '      - { address: 127.0.0.1, port: 19003, weight: 3 }',
      '      - { address: 127.0.0.1, port: 19004, weight: 3 }',
      '    healthCheck: { path: /health, interval: 3s, timeout: 500ms }',
      'tcp:',
      '  - name: db',
      '    listen: 127.0.0.1:15432',
      '    algorithm: round-robin',
      '    upstreams: [127.0.0.1:19008, 127.0.0.1:19009]',
    ].join('\n'),
  );

function written(text: string): string {
  const file = join(tempDir('portico-traefik-'), 'dynamic.yaml');
  writeFileSync(file, text);
  return file;
}

type Service = {
  loadBalancer?: { servers: Array<{ url: string }>; healthCheck?: Record<string, string> };
  weighted?: { services: Array<{ name: string; weight: number }>; healthCheck?: object };
};

describe('lb generate --target traefik', () => {
  it("passes Traefik's published file-provider schema and its references resolve", async () => {
    const file = written(traefik.render(weighted(), { runtimeDir: run }));
    expect(await validateTraefik(file)).toBeUndefined();
  });

  it('gives each server the share its Portico weight asks for, through weighted services', () => {
    const doc = parse(traefik.render(weighted(), { runtimeDir: run })) as {
      http: { services: Record<string, Service>; routers: Record<string, { rule: string; service: string }> };
    };
    const services = doc.http.services;
    const top = services[doc.http.routers['route-api']!.service]!;
    const total = top.weighted!.services.reduce((a, s) => a + s.weight, 0);
    const share = new Map<string, number>();
    for (const child of top.weighted!.services) {
      const servers = services[child.name]!.loadBalancer!.servers;
      for (const s of servers) share.set(s.url, child.weight / total / servers.length);
      expect(services[child.name]!.loadBalancer!.healthCheck).toEqual({
        path: '/health',
        interval: '3s',
        timeout: '500ms',
      });
    }
    expect(Object.fromEntries(share)).toEqual({
      'http://127.0.0.1:19001': 1 / 9,
      'http://127.0.0.1:19002': 2 / 9,
      'http://127.0.0.1:19003': 3 / 9,
      'http://127.0.0.1:19004': 3 / 9,
    });
    // The weighted service follows its children's health.
    expect(top.weighted!.healthCheck).toEqual({});
    expect(doc.http.routers['route-api']!.rule).toBe(
      'Host(`api.example.test`) && (Path(`/v1`) || PathPrefix(`/v1/`))',
    );
  });

  it('reports what does not match the schema or does not resolve, as its check', async () => {
    const good = traefik.render(weighted(), { runtimeDir: run });
    const doc = parse(good) as { http: { services: Record<string, { loadBalancer?: object }> } };
    const unknownKey = structuredClone(doc);
    (unknownKey.http.services['route-api-w1']!.loadBalancer as Record<string, unknown>).lbPolicy = 'x';
    expect(await validateTraefik(written(JSON.stringify(unknownKey)))).toMatch(/additional properties/);
    const dangling = good.replace('service: route-api\n', 'service: route-nowhere\n');
    expect(await validateTraefik(written(dangling))).toMatch(/route-nowhere, which is not defined/);
    expect(await validateTraefik(written(`${good}\nthis is not a directive {\n`))).toMatch(/not YAML/);
  });

  it('refuses what Traefik cannot express instead of writing something else', () => {
    const header = { ...weighted(), upstreamHeader: 'X-Upstream' };
    expect(() => traefik.render(header, { runtimeDir: run })).toThrow(/upstream header/);
    const hashed = weighted();
    hashed.routes[0]!.algorithm = 'consistent-hash';
    expect(() => traefik.render(hashed, { runtimeDir: run })).toThrow(
      expect.objectContaining({ code: 'E_LB_EXPORT_UNSUPPORTED' }),
    );
  });
});

describe('lb deploy --target traefik (file provider: write atomically, no reload)', () => {
  it('writes, keeps a backup on change, says unchanged, and refuses an invalid file', async () => {
    const dir = tempDir('portico-traefik-deploy-');
    const env = { PORTICO_HOME: tempDir() };
    const to = join(dir, 'dynamic.yaml');
    const cli = (upstream: string) =>
      runPortico(['lb', 'deploy', '--target', 'traefik', '--to', to, '--upstream', upstream, '--json'], {
        cwd: dir,
        env,
      });
    const first = await cli('127.0.0.1:19001');
    expect(first.code).toBe(0);
    expect(first.json()).toMatchObject({ status: 'deployed', action: 'written' });
    expect(readFileSync(to, 'utf8')).toContain('url: http://127.0.0.1:19001');
    const second = await cli('127.0.0.1:19002');
    expect(second.json()).toMatchObject({ status: 'deployed', action: 'written' });
    expect(second.json<{ diff: string }>().diff).toContain('+          - url: http://127.0.0.1:19002');
    expect(readdirSync(dir).some((f) => f.includes('.portico-bak-'))).toBe(true);
    expect((await cli('127.0.0.1:19002')).json()).toMatchObject({ status: 'unchanged' });

    const before = readFileSync(to, 'utf8');
    await expect(
      deploy({
        exporter: traefik,
        text: before.replace('service: route-default\n', 'service: route-nowhere\n'),
        to,
        runtimeDir: join(dir, 'traefik-run'),
        listeners: { http: [], tcp: [] },
      }),
    ).rejects.toMatchObject({ code: 'E_LB_DEPLOY_INVALID' });
    expect(readFileSync(to, 'utf8')).toBe(before);
  });
});
