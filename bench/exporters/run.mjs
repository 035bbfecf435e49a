#!/usr/bin/env node
// Exporters, same run, same machine: (1) a Portico-generated nginx/HAProxy config against a
// hand-written one with the same features (references.mjs): wrk req/s and the gateway's CPU
// time per request, as ratios; (2) client errors
// while lb deploy reloads each gateway under load; (3) lb sync --watch: catalog change →
// traffic follows, p50/p99 per target. Everything on 127.0.0.1; every loop bounded.
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { request } from 'undici';
import { childPids, haproxy, nginxBackend, nginxProxy, waitPort } from '../lb/peers.mjs';
import { cli, quantile, root, writeResult } from '../lib/measure.mjs';
import { haproxyReference, nginxReference } from './references.mjs';

const dist = (p) => join(root, 'dist', p);
const { exporters } = await import(dist('exporters/index.js'));
const { deploy } = await import(dist('exporters/deploy.js'));
const { listenersOf } = await import(dist('exporters/exporter.js'));
const { specFromOptions } = await import(dist('balancer/commands/spec-from-options.js'));
const { openStore } = await import(dist('store/index.js'));

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
const syncRuns = Number(process.env.BENCH_SYNC_RUNS ?? 10);
const deploys = Number(process.env.BENCH_DEPLOYS ?? 5);
const parts = (process.env.BENCH_PARTS ?? 'load,deploy,sync').split(',');
const dir = mkdtempSync(join(tmpdir(), 'portico-bench-exp-'));
const ports = { b1: 19201, b2: 19202, proxy: 19280 };
const cleanup = [];
/** The peer under load now: stopped by Ctrl-C too, with the backends (nothing left running). */
let current;
const onSignal = async () => {
  try {
    await current?.stop();
  } catch {}
  for (const c of cleanup.reverse()) {
    try {
      await c();
    } catch {}
  }
  rmSync(dir, { recursive: true, force: true });
  process.exit(130);
};
process.once('SIGINT', onSignal);
process.once('SIGTERM', onSignal);
const run = promisify(execFile);

async function wrk(port, secs = seconds) {
  const { stdout } = await run('wrk', ['-t2', '-c50', `-d${secs}s`, `http://127.0.0.1:${port}/`]);
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)[1]),
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(stdout)?.[1] ?? 0),
    socketErrors: /Socket errors: (.*)/.exec(stdout)?.[1] ?? '',
  };
}

const spec = (extra = {}) =>
  specFromOptions({
    listen: `127.0.0.1:${ports.proxy}`,
    upstream: [`127.0.0.1:${ports.b1}`, `127.0.0.1:${ports.b2}`],
    healthPath: '/',
    ...extra,
  });

/** The generated file, started as the peers are (daemon, pid file under its runtime folder). */
async function generated(target, extra = {}) {
  const run = join(dir, `${target}-gen-run`);
  mkdirSync(run, { recursive: true });
  const file = join(dir, `gen-${exporters[target].defaultFile}`);
  // workers: 1 (the default) renders nginx worker_processes 1 / HAProxy nbthread 1, as the
  // hand-written peers run; `auto` leaves HAProxy at its own default (a thread per CPU).
  const s = spec({ admin: false });
  writeFileSync(file, exporters[target].render({ ...s, ...extra }, { runtimeDir: run }));
  await exporters[target].apply(file, run);
  await waitPort(ports.proxy);
  const [pid] = exporters[target].running(run);
  return { pid, stop: () => stopPids(exporters[target].running(run)) };
}

async function stopPids(pids) {
  for (const pid of pids) process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 200 && pids.some(alive); i++) await new Promise((r) => setTimeout(r, 50));
}
const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * CPU time (user + system, ms) of the processes that carry a gateway's load: nginx's workers
 * (children of the master in the pid file), or the process itself when it has no children
 * (HAProxy -D without master-worker, as both HAProxy variants run). On a shared machine req/s
 * moves with whatever else runs; CPU per request moves much less.
 */
function cpuMs(pid) {
  const children = childPids(pid);
  let total = 0;
  for (const p of children.length > 0 ? children : [pid]) {
    const fields = readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1].split(' ');
    total += (Number(fields[11]) + Number(fields[12])) * 10; // ticks of 10 ms (USER_HZ 100)
  }
  return total;
}

const stopped = (pid) => () => stopPids([pid]);

async function throughput() {
  const variants = {
    'nginx hand-written': async () => {
      const p = await nginxReference(dir, ports.proxy, [ports.b1, ports.b2]);
      return { pid: p.pid(), stop: stopped(p.pid()) };
    },
    'nginx generated': () => generated('nginx'),
    // The reference once more, started anew: its ratio to itself is the noise floor of the run.
    'nginx hand-written again (A/A)': async () => {
      const p = await nginxReference(dir, ports.proxy, [ports.b1, ports.b2]);
      return { pid: p.pid(), stop: stopped(p.pid()) };
    },
    'nginx lb bench peer (fewer features)': async () => {
      const p = await nginxProxy(dir, ports.proxy, [ports.b1, ports.b2]);
      return { pid: p.pid(), stop: stopped(p.pid()) };
    },
    'haproxy hand-written': async () => {
      const p = await haproxyReference(dir, ports.proxy, [ports.b1, ports.b2]);
      return { pid: p.pid(), stop: stopped(p.pid()) };
    },
    'haproxy generated': () => generated('haproxy'),
    'haproxy hand-written again (A/A)': async () => {
      const p = await haproxyReference(dir, ports.proxy, [ports.b1, ports.b2]);
      return { pid: p.pid(), stop: stopped(p.pid()) };
    },
    'haproxy lb bench peer (fewer features)': async () => {
      const p = await haproxy(dir, ports.proxy, [ports.b1, ports.b2]);
      return { pid: p.pid(), stop: stopped(p.pid()) };
    },
    'haproxy generated, workers: auto': () => generated('haproxy', { workers: 'auto' }),
  };
  const only = process.env.BENCH_ONLY?.split(',');
  const names = Object.keys(variants).filter((n) => !only || only.some((o) => n.startsWith(o)));
  const results = Object.fromEntries(names.map((k) => [k, []]));
  // Interleaved rounds, in reverse order every other round: a busier moment on the shared
  // machine, or a drift over the run, hits every variant alike.
  for (let round = 0; round < rounds; round++)
    for (const name of round % 2 === 0 ? names : [...names].reverse()) {
      const peer = await variants[name]();
      current = peer;
      await wrk(ports.proxy, 1);
      const before = cpuMs(peer.pid);
      const r = await wrk(ports.proxy);
      r.cpuUs = ((cpuMs(peer.pid) - before) * 1000) / (r.rps * seconds);
      results[name].push(r);
      console.error(`${name}: ${r.rps} req/s, ${r.cpuUs.toFixed(1)} µs CPU/request`);
      await peer.stop();
      current = undefined;
    }
  // Each ratio is the median over rounds of the ratio within the round (variant and its
  // hand-written reference measured minutes apart at most), less exposed than a ratio of medians.
  const median = (values) => quantile(values, 0.5);
  /** Median and quartiles over rounds of f(variant's round, reference's same round). */
  const ratio = (name, peer, f) => {
    const within = results[name].map((r, i) => f(r, results[peer][i]));
    const q = (x) => Number(quantile(within, x).toFixed(3));
    return { median: q(0.5), p25: q(0.25), p75: q(0.75) };
  };
  return names.map((name) => {
    const peer = name.startsWith('nginx') ? 'nginx hand-written' : 'haproxy hand-written';
    const has = names.includes(peer);
    const rps = has ? ratio(name, peer, (r, p) => r.rps / p.rps) : undefined;
    // > 1 means the variant spends less CPU per request than the hand-written one.
    const cpu = has ? ratio(name, peer, (r, p) => p.cpuUs / r.cpuUs) : undefined;
    return {
      name,
      rps: Math.round(median(results[name].map((r) => r.rps))),
      ratio: rps?.median ?? null,
      ratioQuartiles: rps ? [rps.p25, rps.p75] : null,
      cpuUsPerRequest: Number(median(results[name].map((r) => r.cpuUs)).toFixed(2)),
      cpuRatio: cpu?.median ?? null,
      cpuRatioQuartiles: cpu ? [cpu.p25, cpu.p75] : null,
      rounds: results[name].map((r) => ({ rps: r.rps, cpuUs: Number(r.cpuUs.toFixed(2)) })),
      errors: results[name].reduce((a, r) => a + r.non2xx, 0),
      socketErrors: results[name].map((r) => r.socketErrors).filter(Boolean),
    };
  });
}

/** GETs on new connections (4 at a time) until stopped; counts failures. */
function loadLoop(port, headers = {}) {
  let stop = false;
  const counts = { requests: 0, errors: 0, samples: [], byBody: new Map(), lastAt: new Map() };
  const deadline = Date.now() + 120_000;
  const worker = async () => {
    while (!stop && Date.now() < deadline && counts.requests < 200_000) {
      try {
        const r = await request(`http://127.0.0.1:${port}/`, {
          headers,
          reset: true,
          headersTimeout: 5000,
          bodyTimeout: 5000,
        });
        const body = (await r.body.text()).trim();
        counts.requests++;
        if (r.statusCode !== 200) {
          counts.errors++;
          if (counts.samples.length < 5) counts.samples.push(`${r.statusCode} ${body.slice(0, 40)}`);
        } else {
          counts.byBody.set(body, (counts.byBody.get(body) ?? 0) + 1);
          counts.lastAt.set(body, Date.now());
        }
      } catch (error) {
        counts.requests++;
        counts.errors++;
        if (counts.samples.length < 5) counts.samples.push(error.message);
      }
    }
  };
  const done = Promise.all(Array.from({ length: 4 }, worker));
  return {
    counts,
    async stop() {
      stop = true;
      await done;
    },
  };
}

async function deployUnderLoad() {
  const out = [];
  for (const target of ['nginx', 'haproxy', 'caddy']) {
    const base = join(dir, `deploy-${target}`);
    mkdirSync(base, { recursive: true });
    const run = join(base, 'run');
    const to = join(base, exporters[target].defaultFile);
    const render = (upstreams) => {
      const s = specFromOptions({
        listen: `127.0.0.1:${ports.proxy}`,
        upstream: upstreams,
        admin: '127.0.0.1:19290',
      });
      return { s, text: exporters[target].render(s, { runtimeDir: run }) };
    };
    const sets = [[`127.0.0.1:${ports.b1}`], [`127.0.0.1:${ports.b2}`]];
    const first = render(sets[0]);
    await deploy({
      exporter: exporters[target],
      text: first.text,
      to,
      runtimeDir: run,
      listeners: listenersOf(first.s),
    });
    const loop = loadLoop(ports.proxy);
    const statuses = [];
    for (let i = 1; i <= deploys; i++) {
      const next = render(sets[i % 2]);
      const r = await deploy({
        exporter: exporters[target],
        text: next.text,
        to,
        runtimeDir: run,
        listeners: listenersOf(next.s),
      });
      statuses.push(r.status);
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    await loop.stop();
    await stopPids(exporters[target].running(run));
    out.push({ target, deploys, statuses: [...new Set(statuses)], ...pick(loop.counts) });
    console.error(`deploy ${target}: ${loop.counts.errors} errors / ${loop.counts.requests}`);
  }
  return out;
}
const pick = ({ requests, errors, samples }) => ({ requests, errors, samples });

/** A tiny upstream that names itself. */
function upstream(name) {
  const server = createServer((_req, res) => res.end(name));
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ name, port: server.address().port, close: () => server.close() }),
    ),
  );
}

async function syncLatency() {
  const out = [];
  for (const target of ['haproxy', 'caddy', 'nginx']) {
    const base = join(dir, `sync-${target}`);
    mkdirSync(base, { recursive: true });
    const db = join(base, 'catalog.db');
    const store = await openStore(`sqlite://${db}`, {}, 'bench');
    const instance = (u) => ({
      id: `shop-${u.port}`,
      service: 'shop',
      address: '127.0.0.1',
      port: u.port,
      protocol: 'http',
      tags: [],
      meta: {},
      source: 'cli',
      checks: [],
    });
    let current = await upstream(`${target}-0`);
    await store.register(instance(current));
    const watcher = spawn(
      process.execPath,
      [
        cli,
        '--project',
        'bench',
        'lb',
        'sync',
        '--target',
        target,
        '--to',
        join(base, exporters[target].defaultFile),
        '--from-catalog',
        '--store',
        `sqlite://${db}`,
        '--listen',
        `127.0.0.1:${ports.proxy}`,
        '--admin',
        '127.0.0.1:19291',
        '--watch',
        '--json',
      ],
      {
        cwd: base,
        env: { ...process.env, PORTICO_HOME: join(base, 'home') },
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    await waitPort(ports.proxy, 20_000);
    const loop = loadLoop(ports.proxy, { host: 'shop.localhost' });
    const latencies = [];
    for (let i = 1; i <= syncRuns; i++) {
      const next = await upstream(`${target}-${i}`);
      const t0 = Date.now();
      await store.register(instance(next));
      const until = t0 + 15_000;
      while (!loop.counts.byBody.has(next.name) && Date.now() < until)
        await new Promise((r) => setTimeout(r, 2));
      const first = loop.counts.lastAt.get(next.name);
      if (first === undefined) throw new Error(`${target}: traffic never reached ${next.name}`);
      latencies.push(first - t0);
      await store.deregister(instance(current).id);
      const gone = current;
      const quiet = Date.now() + 15_000;
      // Out of rotation for a while (no answer in the last 300 ms) before it is stopped.
      while (Date.now() < quiet && Date.now() - (loop.counts.lastAt.get(gone.name) ?? 0) < 300)
        await new Promise((r) => setTimeout(r, 20));
      gone.close();
      current = next;
    }
    await loop.stop();
    watcher.kill('SIGTERM');
    await new Promise((r) => watcher.once('exit', r));
    const run = join(base, `${target}-run`);
    await stopPids(exporters[target].running(run));
    await store.close();
    current.close();
    const p = (q) => Math.round(quantile(latencies, q));
    out.push({ target, runs: syncRuns, p50: p(0.5), p99: p(0.99), ...pick(loop.counts) });
    console.error(`sync ${target}: p50 ${p(0.5)} ms, p99 ${p(0.99)} ms, ${loop.counts.errors} errors`);
  }
  return out;
}

try {
  const backends = [await nginxBackend(dir, 'b1', ports.b1), await nginxBackend(dir, 'b2', ports.b2)];
  cleanup.push(...backends.map((b) => () => b.stop()));
  const load = parts.includes('load') ? await throughput() : [];
  const deploying = parts.includes('deploy') ? await deployUnderLoad() : [];
  const syncing = parts.includes('sync') ? await syncLatency() : [];
  const result = {
    date: new Date().toISOString(),
    preliminary: true,
    seconds,
    rounds,
    load,
    deploying,
    syncing,
  };
  const md = [
    `# exporters — ${result.date} (PRELIMINARY: shared 2-core machine, short runs)`,
    '',
    `## Generated vs hand-written config (wrk -t2 -c50, ${seconds}s × ${rounds} interleaved rounds, median)`,
    'Ratios: median over rounds of the within-round ratio to the hand-written config of the same',
    'gateway (quartiles over rounds in brackets); CPU ratio = hand-written CPU/request ÷ this one',
    '(≥ 1: no more CPU than by hand). The A/A row (the reference again) is the noise floor.',
    '',
    '| config | req/s | req/s ratio | CPU/request (gateway) | CPU ratio | non-2xx |',
    '|---|---|---|---|---|---|',
    ...load.map((r) => {
      const q = (v) => (v ? ` [${v[0].toFixed(2)}–${v[1].toFixed(2)}]` : '');
      return `| ${r.name} | ${r.rps} | ${r.ratio?.toFixed(3) ?? '-'}x${q(r.ratioQuartiles)} | ${r.cpuUsPerRequest} µs | ${r.cpuRatio?.toFixed(3) ?? '-'}x${q(r.cpuRatioQuartiles)} | ${r.errors} |`;
    }),
    '',
    `## lb deploy under load (${deploys} reloads, 4 clients, a new connection per GET)`,
    '| target | requests | client errors | deploy statuses |',
    '|---|---|---|---|',
    ...deploying.map((r) => `| ${r.target} | ${r.requests} | ${r.errors} | ${r.statuses.join(', ')} |`),
    '',
    `## lb sync --watch: catalog change → first answer from the new instance (${syncRuns} runs)`,
    '| target | via | p50 | p99 | requests | client errors |',
    '|---|---|---|---|---|---|',
    ...syncing.map(
      (r) =>
        `| ${r.target} | ${{ haproxy: 'runtime API', caddy: 'caddy reload (/load)', nginx: 'nginx -s reload (1 s debounce)' }[r.target]} | ${r.p50} ms | ${r.p99} ms | ${r.requests} | ${r.errors} |`,
    ),
    '',
    'Error samples:',
    ...[...deploying, ...syncing]
      .filter((r) => r.samples.length > 0)
      .map((r) => `- ${r.target}: ${r.samples.join('; ')}`),
  ].join('\n');
  console.log(md);
  console.log(`\nwritten: ${writeResult('exporters', result, md)}`);
} finally {
  for (const c of cleanup.reverse()) {
    try {
      await c();
    } catch {}
  }
  rmSync(dir, { recursive: true, force: true });
}
