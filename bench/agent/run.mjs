#!/usr/bin/env node
// The agent (`portico agent`, built) against its targets: catalog/health read latency at a paced
// 500 req/s with 5,000 instances, wake-up latency of 100 SSE clients and 100 Consul blocking
// queries after a catalog write, peak RSS, idle CPU with 50 real HTTP services checked every 10 s,
// and the dashboard's first load and gzipped bundle size. Everything on 127.0.0.1.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, get as httpGet } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { Pool } from 'undici';
import { openStore } from '../../dist/store/index.js';
import { cli, quantile, root, writeResult } from '../lib/measure.mjs';

const instancesTotal = Number(process.env.BENCH_INSTANCES ?? 5000);
const servicesTotal = Number(process.env.BENCH_SERVICES ?? 100);
const readRate = Number(process.env.BENCH_RATE ?? 500);
const readSeconds = Number(process.env.BENCH_READ_SECONDS ?? 10);
const watchers = Number(process.env.BENCH_WATCHERS ?? 100);
const changes = Number(process.env.BENCH_CHANGES ?? 20);
const cpuSeconds = Number(process.env.BENCH_CPU_SECONDS ?? 60);
const loads = Number(process.env.BENCH_LOADS ?? 5);
const baselineSeconds = Number(process.env.BENCH_CPU_BASELINE_SECONDS ?? 20);
const project = 'bench';

const cleanups = [];
const tmp = (prefix) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
};

/** `portico agent` on 127.0.0.1 port 0 with its own PORTICO_HOME; killed by pid on cleanup. */
async function startAgent(home) {
  const env = { ...process.env, PORTICO_HOME: home, NO_COLOR: '1' };
  delete env.PORTICO_STORE;
  const child = spawn(
    process.execPath,
    [cli, 'agent', '--listen', '127.0.0.1:0', '--no-discover', '--project', project],
    { cwd: tmp('portico-bench-agent-cwd-'), env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let out = '';
  child.stdout.on('data', (c) => {
    out += c;
  });
  child.stderr.on('data', (c) => {
    out += c;
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    const m = /on (http:\/\/127\.0\.0\.1:(\d+))/.exec(out);
    if (m) return { child, pid: child.pid, url: m[1], output: () => out };
    if (child.exitCode !== null) throw new Error(`agent exited ${child.exitCode}: ${out}`);
    if (Date.now() > deadline) throw new Error(`agent did not start within 60 s: ${out}`);
    await sleep(50);
  }
}

async function stopAgent(agent) {
  if (agent.child.exitCode !== null) return;
  const exited = new Promise((r) => agent.child.once('exit', r));
  agent.child.kill('SIGTERM');
  await Promise.race([exited, sleep(10_000)]);
  if (agent.child.exitCode === null) agent.child.kill('SIGKILL');
}

const rssKb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);

/** Where the agent's memory is: RSS split anonymous / file-backed, and V8's heap from /metrics. */
async function memoryOf(pid, url) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const mb = (key) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024;
  const text = await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
  const gauge = (name) =>
    Number(new RegExp(`^portico_agent_nodejs_${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? NaN) /
    1048576;
  return {
    rss: mb('VmRSS'),
    anon: mb('RssAnon'),
    file: mb('RssFile'),
    heapUsed: gauge('heap_size_used_bytes'),
    heapTotal: gauge('heap_size_total_bytes'),
    external: gauge('external_memory_bytes'),
  };
}

const memoryLine = (m) =>
  `RSS ${m.rss.toFixed(1)} MB (anonymous ${m.anon.toFixed(1)}, file-backed ${m.file.toFixed(1)}); V8 heap used ${m.heapUsed.toFixed(1)} of ${m.heapTotal.toFixed(1)} MB, external ${m.external.toFixed(1)} MB`;

/** utime + stime of a process, in seconds. */
const clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
function cpuSecondsOf(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / clockTicks;
}

/** Peak RSS of `pid`, sampled every 250 ms until stopped. */
function rssSampler(pid) {
  let peak = 0;
  const sample = () => {
    try {
      peak = Math.max(peak, rssKb(pid));
    } catch {}
  };
  sample();
  const timer = setInterval(sample, 250);
  return {
    peak: () => peak / 1024,
    stop() {
      clearInterval(timer);
      sample();
      return peak / 1024;
    },
  };
}

async function postJson(url, body, method = 'POST') {
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

// ---------------------------------------------------------------- 1. 5,000 instances, reads

/** The catalog written straight into the agent's store before it starts (no checks: no probes). */
async function seedCatalog(home) {
  const store = await openStore(
    undefined,
    { ...process.env, PORTICO_HOME: home, PORTICO_STORE: '' },
    project,
  );
  try {
    const perService = Math.ceil(instancesTotal / servicesTotal);
    for (let i = 0; i < instancesTotal; i++) {
      const s = Math.floor(i / perService);
      await store.register({
        id: `bench:${i}`,
        service: `svc-${s}`,
        address: `127.0.0.${1 + (i % 250)}`,
        port: 20000 + (i % 40000),
        protocol: 'http',
        tags: ['bench', `shard-${i % 4}`],
        meta: { zone: `z${i % 3}` },
        source: 'cli',
        checks: [],
      });
    }
  } finally {
    await store.close();
  }
}

/** Service time without queueing: `count` sequential requests per endpoint, one connection. */
async function sequentialReads(url, paths, count = 20) {
  const pool = new Pool(url, { connections: 1, headersTimeout: 30_000, bodyTimeout: 30_000 });
  const out = {};
  try {
    for (const p of paths) {
      const l = [];
      for (let i = 0; i < count; i++) {
        const t = performance.now();
        const r = await pool.request({ path: p.path, method: 'GET' });
        await r.body.arrayBuffer();
        l.push(performance.now() - t);
      }
      out[p.name] = { p50: quantile(l, 0.5), max: Math.max(...l) };
    }
  } finally {
    await pool.destroy();
  }
  return out;
}

/** Open loop: request i is due at start + i/rate whatever the previous answers did. */
async function pacedReads(url, paths) {
  const pool = new Pool(url, { connections: 64, headersTimeout: 30_000, bodyTimeout: 30_000 });
  const total = Math.round(readRate * readSeconds);
  const latencies = new Map(paths.map((p) => [p.name, []]));
  let errors = 0;
  let maxLag = 0;
  let lastDone = 0;
  let gaveUp = false;
  const inflight = [];
  const start = performance.now();
  let next = 0;
  const hardStop = start + readSeconds * 1000 + 30_000;
  while (next < total && performance.now() < hardStop) {
    const now = performance.now();
    while (next < total && start + (next * 1000) / readRate <= now) {
      const p = paths[next % paths.length];
      maxLag = Math.max(maxLag, now - (start + (next * 1000) / readRate));
      const t = performance.now();
      inflight.push(
        pool
          .request({ path: p.path, method: 'GET' })
          .then(async (r) => {
            await r.body.arrayBuffer();
            lastDone = performance.now();
            if (r.statusCode !== 200) errors++;
            else latencies.get(p.name).push(performance.now() - t);
          })
          .catch(() => {
            if (!gaveUp) errors++;
          }),
      );
      next++;
    }
    await sleep(1);
  }
  await Promise.race([Promise.all(inflight), sleep(30_000)]);
  gaveUp = true; // what is still queued 30 s after the last send is counted as unanswered
  const seconds = (lastDone - start) / 1000;
  await pool.destroy();
  const out = {};
  for (const [name, l] of latencies)
    out[name] = { n: l.length, p50: quantile(l, 0.5), p99: quantile(l, 0.99), max: Math.max(...l) };
  // Answered per second, from the first send to the last answer (below the offered rate when the
  // agent cannot keep up and the requests queue).
  const answered = [...latencies.values()].reduce((n, l) => n + l.length, 0);
  return {
    perEndpoint: out,
    sent: next,
    answered,
    errors,
    unanswered: next - answered - errors,
    seconds,
    achievedRate: answered / seconds,
    maxLagMs: maxLag,
  };
}

// ---------------------------------------------------------------- 2. wake-up latency

/** `count` SSE clients on /api/v1/events; each notes when a frame naming `marker()` arrives. */
async function sseClients(url, count, onFrame) {
  const clients = [];
  for (let i = 0; i < count; i++) {
    clients.push(
      await new Promise((resolve, reject) => {
        const req = httpGet(`${url}/api/v1/events`, { agent: false }, (res) => {
          if (res.statusCode !== 200) return reject(new Error(`SSE status ${res.statusCode}`));
          res.setEncoding('utf8');
          res.on('data', (chunk) => onFrame(i, chunk, performance.now()));
          resolve(req);
        });
        req.on('error', reject);
        req.setTimeout(15_000, () => req.destroy(new Error('SSE connect timeout')));
      }),
    );
    clients[i].setTimeout(0);
  }
  return {
    close: () => {
      for (const r of clients) r.destroy();
    },
  };
}

/** `count` Consul blocking queries on one service, re-armed with the new index on every answer. */
function blockingQueries(url, service, count, index, onAnswer) {
  const pool = new Pool(url, { connections: count, headersTimeout: 45_000, bodyTimeout: 45_000 });
  let closed = false;
  const arm = (i, idx) => {
    if (closed) return;
    pool
      .request({ path: `/v1/health/service/${service}?index=${idx}&wait=30s`, method: 'GET' })
      .then(async (r) => {
        await r.body.arrayBuffer();
        const t = performance.now();
        const nextIndex = Number(r.headers['x-consul-index'] ?? idx);
        if (nextIndex !== idx) onAnswer(i, t);
        arm(i, nextIndex);
      })
      .catch(() => {
        if (!closed) setTimeout(() => arm(i, idx), 100);
      });
  };
  for (let i = 0; i < count; i++) arm(i, index);
  return {
    close: async () => {
      closed = true;
      await pool.destroy();
    },
  };
}

async function wakeups(url, sseCount, queryCount, rounds) {
  let pending; // { marker, sse: Map<i,t>, bq: Map<i,t> }
  const sse = await sseClients(url, sseCount, (i, chunk, t) => {
    if (pending && !pending.sse.has(i) && chunk.includes(pending.marker)) pending.sse.set(i, t);
  });
  const first = await fetch(`${url}/v1/health/service/svc-0`, { signal: AbortSignal.timeout(10_000) });
  await first.arrayBuffer();
  const bq = blockingQueries(
    url,
    'svc-0',
    queryCount,
    Number(first.headers.get('x-consul-index')),
    (i, t) => {
      if (pending && !pending.bq.has(i)) pending.bq.set(i, t);
    },
  );
  // Let every query reach the agent and park before the first change.
  await sleep(1000);
  const sseLat = [];
  const bqLat = [];
  let beforeAck = 0;
  let missed = 0;
  try {
    for (let k = 0; k < rounds; k++) {
      const id = `wake-${Math.floor(k / 2)}`;
      pending = { marker: id, sse: new Map(), bq: new Map() };
      if (k % 2 === 0)
        await postJson(`${url}/api/v1/instances`, {
          id,
          service: 'svc-0',
          address: '127.0.0.9',
          port: 30000 + k,
        });
      else await postJson(`${url}/api/v1/instances/${encodeURIComponent(id)}`, undefined, 'DELETE');
      const ack = performance.now();
      const deadline = ack + 5000;
      while ((pending.sse.size < sseCount || pending.bq.size < queryCount) && performance.now() < deadline)
        await sleep(2);
      for (const [map, into, count] of [
        [pending.sse, sseLat, sseCount],
        [pending.bq, bqLat, queryCount],
      ]) {
        missed += count - map.size;
        for (const t of map.values()) {
          if (t < ack) beforeAck++;
          into.push(Math.max(0, t - ack));
        }
      }
      pending = undefined;
      await sleep(300); // pacing: the re-armed queries park again before the next change
    }
  } finally {
    sse.close();
    await bq.close();
  }
  const stats = (l) => ({ n: l.length, p50: quantile(l, 0.5), p99: quantile(l, 0.99), max: Math.max(...l) });
  const all = [...sseLat, ...bqLat];
  return { sse: stats(sseLat), blocking: stats(bqLat), all: stats(all), beforeAck, missed };
}

// ---------------------------------------------------------------- 4. idle CPU, 50 services

async function httpServices(count) {
  const servers = [];
  let hits = 0;
  for (let i = 0; i < count; i++) {
    const s = createHttpServer((_req, res) => {
      hits++;
      res.end('ok');
    });
    await new Promise((r) => s.listen(0, '127.0.0.1', r));
    servers.push(s);
  }
  cleanups.push(() => {
    for (const s of servers) {
      s.closeAllConnections();
      s.close();
    }
  });
  return { ports: servers.map((s) => s.address().port), hits: () => hits };
}

/** The agent's CPU over `seconds`, as % of one core. */
async function cpuOver(pid, seconds) {
  const cpu0 = cpuSecondsOf(pid);
  const t0 = performance.now();
  await sleep(seconds * 1000);
  const cpu = cpuSecondsOf(pid) - cpu0;
  const wall = (performance.now() - t0) / 1000;
  return { percent: (cpu / wall) * 100, cpuSeconds: cpu, wallSeconds: wall };
}

async function idleCpu(url, pid, services) {
  for (const [i, port] of services.ports.entries())
    await postJson(`${url}/api/v1/instances`, {
      service: `web-${i}`,
      address: '127.0.0.1',
      port,
      protocol: 'http',
      checks: [{ kind: 'http', path: '/', interval: '10s' }],
    });
  // Every service checked at least once (the scheduler spreads first runs), then settle.
  const deadline = Date.now() + 60_000;
  while (services.hits() < services.ports.length && Date.now() < deadline) await sleep(200);
  await sleep(5000);
  const hits0 = services.hits();
  return { ...(await cpuOver(pid, cpuSeconds)), checks: services.hits() - hits0 };
}

// ---------------------------------------------------------------- 5. dashboard

function bundleSize() {
  const dir = join(root, 'web', 'dashboard');
  const files = readdirSync(dir, { recursive: true }).filter((f) => /\.(js|css)$/.test(f));
  let raw = 0;
  let gz = 0;
  for (const f of files) {
    const bytes = readFileSync(join(dir, f));
    raw += bytes.length;
    gz += gzipSync(bytes, { level: 9 }).length;
  }
  return { files: files.length, rawKb: raw / 1024, gzipKb: gz / 1024 };
}

async function firstLoads(url) {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const rendered = 'main[aria-busy="false"] div.view[data-view="overview"]';
  const load = async () => {
    const context = await browser.newContext(); // empty cache: a first load each time
    try {
      const page = await context.newPage();
      const t = performance.now();
      await page.goto(`${url}/`, { waitUntil: 'commit', timeout: 30_000 });
      // performance.now() in the page counts from its navigation start: the time the page itself
      // took, without the browser's work to open a tab.
      const inPage = await (
        await page.waitForFunction(
          (sel) => (document.querySelector(sel) ? performance.now() : false),
          rendered,
          {
            polling: 10,
            timeout: 30_000,
          },
        )
      ).jsonValue();
      return { wall: performance.now() - t, inPage };
    } finally {
      await context.close();
    }
  };
  try {
    await load(); // warm-up: the browser's first tab and the agent's first dashboard read
    const wall = [];
    const inPage = [];
    for (let i = 0; i < loads; i++) {
      const r = await load();
      wall.push(r.wall);
      inPage.push(r.inPage);
    }
    return { median: quantile(wall, 0.5), times: wall, inPageMedian: quantile(inPage, 0.5), inPage };
  } finally {
    await browser.close();
  }
}

// ---------------------------------------------------------------- run

const ms = (v) => (Number.isFinite(v) ? `${v.toFixed(2)} ms` : 'n/a');
const mark = (ok) => (ok ? 'meets' : 'MISSES');
const lines = [];
const say = (s) => {
  console.log(s);
  lines.push(s);
};
const result = {
  date: new Date().toISOString(),
  loadavgStart: readFileSync('/proc/loadavg', 'utf8').trim(),
  config: { instancesTotal, servicesTotal, readRate, readSeconds, watchers, changes, cpuSeconds, loads },
};
const onSignal = () => {
  for (const c of cleanups.reverse()) c();
  process.exit(130);
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

try {
  say(`# agent benchmark ${result.date.slice(0, 10)}`);
  say('');
  say(`load average at start: ${result.loadavgStart}`);
  say('');
  // 1–3: the big catalog.
  const homeA = tmp('portico-bench-agent-home-');
  let t = performance.now();
  await seedCatalog(homeA);
  result.seedSeconds = (performance.now() - t) / 1000;
  const agentA = await startAgent(homeA);
  const rssA = rssSampler(agentA.pid);
  result.memoryAtStart = await memoryOf(agentA.pid, agentA.url);
  const services = await (await fetch(`${agentA.url}/api/v1/services`)).json();
  result.catalogServices = services.services?.length;
  say(
    `## 5,000-instance catalog (${instancesTotal} instances, ${result.catalogServices} services, seeded in ${result.seedSeconds.toFixed(1)} s)`,
  );
  say('');
  const endpoints = [
    { name: 'GET /api/v1/services', path: '/api/v1/services' },
    { name: 'GET /api/v1/instances?service=X', path: '/api/v1/instances?service=svc-7' },
    { name: 'GET /v1/health/service/X', path: '/v1/health/service/svc-7' },
    { name: 'GET /v1/catalog/services', path: '/v1/catalog/services' },
  ];
  const sequential = await sequentialReads(agentA.url, endpoints);
  result.sequentialReads = sequential;
  const reads = await pacedReads(agentA.url, endpoints);
  result.reads = reads;
  say(
    `Reads, open loop at ${readRate} req/s for ${readSeconds} s: sent ${reads.sent}, answered ${reads.answered} at ${reads.achievedRate.toFixed(0)} req/s (first send to last answer), errors ${reads.errors}, still queued 30 s after the last send ${reads.unanswered}, max send lag ${ms(reads.maxLagMs)}`,
  );
  say('');
  say('| endpoint | n | p50 | p99 | max | target p99 < 5 ms | one at a time: p50 / max |');
  say('|---|---|---|---|---|---|---|');
  for (const [name, r] of Object.entries(reads.perEndpoint))
    say(
      `| ${name} | ${r.n} | ${ms(r.p50)} | ${ms(r.p99)} | ${ms(r.max)} | ${mark(r.p99 < 5)} | ${ms(sequential[name].p50)} / ${ms(sequential[name].max)} |`,
    );
  say('');
  t = performance.now();
  const wake = await wakeups(agentA.url, watchers, watchers, changes);
  result.wakeups = wake;
  // The same with one SSE client and no blocking query: the floor of the write → event path.
  const alone = await wakeups(agentA.url, 1, 0, Math.min(changes, 10));
  result.wakeupsOneClient = alone;
  say(
    `Wake-up after a write's acknowledgement, ${watchers} SSE clients + ${watchers} blocking queries, ${changes} changes (missed ${wake.missed}, ${wake.beforeAck} receipts arrived before the ack, counted as 0):`,
  );
  say('');
  say('| clients | n | p50 | p99 | max | target p99 < 50 ms |');
  say('|---|---|---|---|---|---|');
  for (const [name, r] of [
    ['SSE /api/v1/events', wake.sse],
    ['Consul blocking query', wake.blocking],
    ['all', wake.all],
    ['one SSE client alone (info)', alone.sse],
  ])
    say(`| ${name} | ${r.n} | ${ms(r.p50)} | ${ms(r.p99)} | ${ms(r.max)} | ${mark(r.p99 < 50)} |`);
  say('');
  result.rssPeakLoadMb = rssA.peak();
  result.memoryAfterReads = await memoryOf(agentA.pid, agentA.url);
  const loadsA = await firstLoads(agentA.url);
  result.dashboard5000 = loadsA;
  result.rssPeakMb = rssA.stop();
  say(
    `Agent peak RSS (5,000 instances, through the reads and ${2 * watchers} watchers): ${result.rssPeakLoadMb.toFixed(1)} MB — target < 150 MB: ${mark(result.rssPeakLoadMb < 150)}; with the dashboard loads after: ${result.rssPeakMb.toFixed(1)} MB`,
  );
  say(
    `Memory after start (the catalog loaded once, by that /metrics scrape): ${memoryLine(result.memoryAtStart)} (info)`,
  );
  say(`Memory after the reads and watchers: ${memoryLine(result.memoryAfterReads)} (info)`);
  say(
    `Dashboard first load with 5,000 instances: median ${ms(loadsA.median)} (in page ${ms(loadsA.inPageMedian)}) (info)`,
  );
  say('');
  await stopAgent(agentA);

  // 4–5: 50 real services checked every 10 s.
  const homeB = tmp('portico-bench-agent-home-');
  const agentB = await startAgent(homeB);
  await sleep(3000); // past start-up
  const empty = await cpuOver(agentB.pid, baselineSeconds);
  result.idleCpuEmpty = empty;
  const http = await httpServices(50);
  const cpu = await idleCpu(agentB.url, agentB.pid, http);
  result.idleCpu = cpu;
  say('## 50 HTTP services, checks every 10 s');
  say('');
  say(
    `Idle CPU over ${cpu.wallSeconds.toFixed(0)} s: ${cpu.percent.toFixed(2)}% of a core (${cpu.cpuSeconds.toFixed(2)} s CPU, ${cpu.checks} checks served) — target < 2%: ${mark(cpu.percent < 2)}`,
  );
  say(
    `Same agent before the services were registered (empty catalog), over ${empty.wallSeconds.toFixed(0)} s: ${empty.percent.toFixed(2)}% of a core (info)`,
  );
  const loadsB = await firstLoads(agentB.url);
  result.dashboard = loadsB;
  const bundle = bundleSize();
  result.bundle = bundle;
  say(
    `Dashboard first load (cold context, goto → overview rendered): median of ${loads} ${ms(loadsB.median)} [${loadsB.times.map((x) => x.toFixed(0)).join(', ')}], of which in the page (navigation start → rendered) ${ms(loadsB.inPageMedian)} — target < 1 s: ${mark(loadsB.median < 1000)}`,
  );
  say(
    `Dashboard bundle: ${bundle.files} files, ${bundle.rawKb.toFixed(1)} kB raw, ${bundle.gzipKb.toFixed(1)} kB gzipped — target < 200 kB: ${mark(bundle.gzipKb < 200)}`,
  );
  await stopAgent(agentB);
  result.loadavgEnd = readFileSync('/proc/loadavg', 'utf8').trim();
  say('');
  say(`load average at end: ${result.loadavgEnd}`);
  const file = writeResult('agent', result, lines.join('\n'));
  console.log(`\nwritten: ${file}`);
} finally {
  for (const c of cleanups.reverse()) {
    try {
      c();
    } catch {}
  }
}
