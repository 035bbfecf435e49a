import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/net.js';
import { spawnTracked, stopProcess } from '../helpers/processes.js';
import { describeWith } from '../helpers/requirements.js';
import { tempDir } from '../helpers/tmp.js';
import { waitFor } from '../helpers/wait.js';
import { type AgentProcess, api, type Json, startAgent } from './agent-process.js';

let agent: AgentProcess;
let server: Server;
let webPort = 0;

beforeAll(async () => {
  server = createServer((_req, res) => {
    res.statusCode = 200;
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  webPort = (server.address() as AddressInfo).port;
  agent = await startAgent(['--no-discover', '--project', 'shop'], {
    env: { PORTICO_HOME: tempDir('portico-prom-home-') },
    cwd: tempDir('portico-prom-cwd-'),
  });
  const created = await api(`${agent.url}/api/v1/instances`, {
    method: 'POST',
    body: {
      service: 'web',
      port: webPort,
      tags: ['edge'],
      checks: [{ kind: 'http', path: '/health', interval: '200ms', rise: 1, fall: 1 }],
    },
  });
  expect(created.status).toBe(201);
  // A second service whose only instance never reports: critical (TTL), still a target.
  await api(`${agent.url}/api/v1/instances`, {
    method: 'POST',
    body: { service: 'jobs', port: 9, checks: ['ttl:1s,rise=1,fall=1'] },
  });
  await waitFor(async () => (await api(`${agent.url}/api/v1/services/web`)).body.status === 'passing', {
    what: 'web to pass',
  });
});

afterAll(async () => {
  await agent?.stop();
  server?.close();
});

describe('portico agent: /metrics and http_sd', () => {
  it('/metrics has check results, latency histograms, instance states and runtime, one prefix each', async () => {
    const res = await fetch(`${agent.url}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toMatch(
      /^portico_check_results_total\{service="web",check="http",kind="http",status="passing",project="shop"\} [1-9]/m,
    );
    const bucket = text
      .split('\n')
      .find(
        (l) =>
          l.startsWith('portico_check_duration_seconds_bucket{') &&
          l.includes('le="0.1"') &&
          l.includes('service="web"'),
      );
    expect(bucket).toMatch(/ [1-9]\d*$/);
    expect(text).toMatch(/^portico_instances\{service="web",status="passing",project="shop"\} 1$/m);
    expect(text).toMatch(/^portico_agent_process_cpu_seconds_total/m);
    expect(text).toMatch(/^portico_agent_start_time_seconds\{project="shop"\} \d/m);
    const names = [...text.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1]!);
    expect(
      names.filter((n) => /portico_.*portico_|process_process|nodejs_nodejs|agent_agent/.test(n)),
    ).toEqual([]);
  });

  it('http_sd is the strict format: [{targets, labels}] with string labels, one group per service', async () => {
    const { body } = await api(`${agent.url}/api/v1/sd/prometheus`);
    expect(Array.isArray(body)).toBe(true);
    for (const group of body as Json[]) {
      expect(Object.keys(group).sort()).toEqual(['labels', 'targets']);
      for (const t of group.targets) expect(t).toMatch(/^[^\s/]+:\d+$/);
      for (const v of Object.values(group.labels)) expect(typeof v).toBe('string');
    }
    const web = (body as Json[]).find((g) => g.labels.service === 'web');
    expect(web).toMatchObject({
      targets: [`127.0.0.1:${webPort}`],
      labels: { project: 'shop', service: 'web', health: 'passing', __meta_portico_tags: ',edge,' },
    });
    const jobs = (body as Json[]).find((g) => g.labels.service === 'jobs');
    expect(jobs.labels.health).toMatch(/critical|unknown/);
    expect((body as Json[]).map((g) => g.labels.service).sort()).toEqual(['jobs', 'web']);
  });
});

// Debian's prometheus 2.42 is built without consul_sd_configs ("field consul_sd_configs not
// found"), so only http_sd runs against the real binary; the Consul paths are covered by the
// consul client in consul.test.ts.
describeWith(['prometheus'], "Prometheus's own discovery against the agent", () => {
  let prometheus: ReturnType<typeof spawnTracked> | undefined;
  let promPort = 0;
  afterAll(async () => {
    if (prometheus) await stopProcess(prometheus, 5000);
  });

  it('http_sd_configs finds the services with their labels (Prometheus /api/v1/targets)', {
    timeout: 90_000,
  }, async () => {
    const dir = tempDir('portico-prometheus-');
    promPort = await freePort();
    writeFileSync(
      join(dir, 'prometheus.yml'),
      [
        'global: { scrape_interval: 1s, evaluation_interval: 1s }',
        'scrape_configs:',
        '  - job_name: portico-http-sd',
        '    http_sd_configs:',
        `      - { url: "${agent.url}/api/v1/sd/prometheus", refresh_interval: 1s }`,
        '',
      ].join('\n'),
    );
    prometheus = spawnTracked('prometheus', [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
      '--log.level=warn',
    ]);
    let log = '';
    prometheus.stderr!.on('data', (c: Buffer) => {
      log += c.toString();
    });
    let last: Json;
    const targets = await waitFor(
      async () => {
        if (prometheus?.exitCode !== null) throw new Error(`prometheus exited ${prometheus?.exitCode}`);
        const res = await fetch(`http://127.0.0.1:${promPort}/api/v1/targets`);
        last = (await res.json()) as Json;
        const active = last.data.activeTargets as Json[];
        const http = active.filter((t) => t.scrapePool === 'portico-http-sd');
        return http.length === 2 ? { http } : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250, what: "Prometheus to discover the agent's services" },
    ).catch((error: Error) => {
      throw new Error(
        `${error.message}\nlast targets: ${JSON.stringify(last)}\nprometheus log: ${log.slice(-1500)}`,
      );
    });
    const httpWeb = targets.http.find((t) => t.labels.service === 'web');
    expect(httpWeb.labels).toMatchObject({
      project: 'shop',
      health: 'passing',
      instance: `127.0.0.1:${webPort}`,
    });
    expect(httpWeb.discoveredLabels.__meta_portico_service).toBe('web');
    // Prometheus scrapes the discovered web target itself: it is up.
    await waitFor(
      async () => {
        const doc = (await (await fetch(`http://127.0.0.1:${promPort}/api/v1/targets`)).json()) as Json;
        return (doc.data.activeTargets as Json[]).some(
          (t) => t.scrapePool === 'portico-http-sd' && t.labels.service === 'web' && t.health === 'up',
        );
      },
      { timeoutMs: 20_000, intervalMs: 250, what: 'the web target to be scraped' },
    );
  });
});
