#!/usr/bin/env node
// Scaling with workers: Portico (lb serve --workers N) against nginx (worker_processes N) and
// HAProxy (nbthread N), N = 1 then 2, on the same two nginx backends in the same run. wrk req/s
// as a ratio to nginx at the same N, p50/p99, and the resident memory of each balancer: the
// peak of all its processes together, and that divided by N. Portico with 2 workers also runs
// with the kernel distributing connections (NODE_CLUSTER_SCHED_POLICY=none) for comparison with
// cluster's round-robin. nginx and HAProxy also run from the configs `lb generate` writes for the
// same input with `workers: N` (worker_processes N / nbthread N), next to the plain peers above.
// Those peers do less per request (no forwarding-field hygiene, no passive checks), so this ratio
// is what the generated features cost at N workers, not the exporters' "generation adds no cost"
// target: bench/exporters measures that against a hand-written config with the same features,
// with an A/A row for the noise. BENCH_BASE_CLI=<another build's dist/cli/main.js> adds that build at
// N = 1 (before/after a change, same run).

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  childPids,
  haproxy,
  nginxBackend,
  nginxProxy,
  portico,
  stopAndWait,
  waitPort,
  wrk,
} from '../lb/peers.mjs';
import { median, root, writeResult } from '../lib/measure.mjs';

const { exporters } = await import(join(root, 'dist/exporters/index.js'));
const { specFromOptions } = await import(join(root, 'dist/balancer/commands/spec-from-options.js'));

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const counts = (process.env.BENCH_WORKERS ?? '1,2').split(',').map(Number);
const only = process.env.BENCH_ONLY?.split(',');
// req/s here moves ±15% from run to run (wrk and the backends share the cores): every figure is
// the median over BENCH_ROUNDS rounds, and ratios are taken within a round first.
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const baseCli = process.env.BENCH_BASE_CLI;
const dir = mkdtempSync(join(tmpdir(), 'portico-bench-lb-scale-'));
// Its own ports (BENCH_PORT_BASE moves them), so it can run beside the other lb benchmark.
const base = Number(process.env.BENCH_PORT_BASE ?? 19700);
const ports = { b1: base + 1, b2: base + 2, proxy: base + 80, admin: base + 90 };

function rssKB(pid) {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
  } catch {
    return 0;
  }
}

/** RSS of a process and all its descendants, MB: the whole tree, the root, and each child. */
function treeMB(pid) {
  const all = [pid];
  for (let i = 0; i < all.length && all.length < 1000; i++) all.push(...childPids(all[i]));
  const children = childPids(pid);
  return {
    total: all.reduce((n, p) => n + rssKB(p), 0) / 1024,
    root: rssKB(pid) / 1024,
    children: children.map((c) => rssKB(c) / 1024),
  };
}

/**
 * Each peer: start it, and the pid whose process tree is the balancer. Portico's `lb serve`
 * re-runs itself with V8 heap flags; the launcher only waits, so its tree is measured from the
 * launcher's child (the primary and its workers).
 */
const peers = (n) => ({
  nginx: async () => {
    const p = await nginxProxy(dir, ports.proxy, [ports.b1, ports.b2], n);
    return { stop: p.stop, pid: p.pid, tree: p.pid };
  },
  haproxy: async () => {
    const p = await haproxy(dir, ports.proxy, [ports.b1, ports.b2], n);
    return { stop: p.stop, pid: p.pid, tree: p.pid };
  },
  'nginx (generated)': async () => generatedPeer('nginx', n),
  'haproxy (generated)': async () => generatedPeer('haproxy', n),
  portico: async () => porticoPeer(n),
  ...(n === 2
    ? { 'portico (sched none)': async () => porticoPeer(n, { NODE_CLUSTER_SCHED_POLICY: 'none' }) }
    : {}),
  ...(n === 1 && baseCli ? { 'portico (baseline build)': async () => porticoPeer(n, {}, baseCli) } : {}),
});

/**
 * The gateway run from what `lb generate --target <target> --workers N` writes for the same
 * input as the Portico peer (two upstreams, HTTP health checks of / every second).
 */
async function generatedPeer(target, n) {
  const run = join(dir, `${target}-gen-${n}`);
  mkdirSync(run, { recursive: true });
  const spec = specFromOptions({
    listen: `127.0.0.1:${ports.proxy}`,
    upstream: [`127.0.0.1:${ports.b1}`, `127.0.0.1:${ports.b2}`],
    healthPath: '/',
    healthInterval: '1s',
    admin: false,
  });
  const file = join(run, exporters[target].defaultFile);
  writeFileSync(file, exporters[target].render({ ...spec, workers: n }, { runtimeDir: run }));
  await exporters[target].apply(file, run);
  await waitPort(ports.proxy);
  const pid = () => exporters[target].running(run)[0];
  return { pid, tree: pid(), stop: () => process.kill(pid(), 'SIGTERM') };
}

async function porticoPeer(n, env = {}, cli = undefined) {
  // No --workers flag for one: the default, and what a baseline build from before it takes.
  const flags = n > 1 ? ['--workers', String(n)] : [];
  const p = await portico(dir, ports.proxy, [ports.b1, ports.b2], ports.admin, flags, {
    env,
    ...(cli ? { cli } : {}),
  });
  return { stop: p.stop, pid: p.pid, tree: () => childPids(p.pid())[0] ?? p.pid() };
}

const backends = [];
const runs = [];
// Other load on the machine skews every figure (ratios less so): recorded with the results.
const loadBefore = loadavg()[0];
try {
  backends.push(await nginxBackend(dir, 'b1', ports.b1), await nginxBackend(dir, 'b2', ports.b2));
  for (let round = 0; round < rounds; round++)
    for (const n of counts) {
      for (const [name, start] of Object.entries(peers(n))) {
        if (only && !only.some((o) => name.startsWith(o))) continue;
        const peer = await start();
        await wrk(ports.proxy, { seconds: 2, connections }); // warm-up (JIT, connection pools)
        // Peaks: the whole tree; the root (Portico's primary, nginx's master); the largest child
        // (a worker). HAProxy is one process with N threads: per worker = its RSS / N.
        let peak = 0;
        let rootPeak = 0;
        let childPeak = 0;
        const sampler = setInterval(() => {
          const t = treeMB(typeof peer.tree === 'function' ? peer.tree() : peer.tree);
          peak = Math.max(peak, t.total);
          rootPeak = Math.max(rootPeak, t.root);
          childPeak = Math.max(childPeak, ...t.children);
        }, 250);
        const r = await wrk(ports.proxy, { seconds, connections });
        clearInterval(sampler);
        const forked = childPeak > 0;
        runs.push({
          round,
          name,
          n,
          ...r,
          rssMB: Math.round(peak),
          rssRootMB: forked ? Math.round(rootPeak) : null,
          rssPerWorkerMB: Math.round(forked ? childPeak : peak / n),
        });
        console.error(
          `round ${round + 1}/${rounds} ${name} ×${n}: ${r.rps} req/s, p99 ${r.p99} ms, RSS ${Math.round(peak)} MB`,
        );
        await stopAndWait(peer);
      }
    }
} finally {
  for (const b of backends) await stopAndWait(b).catch(() => {});
  rmSync(dir, { recursive: true, force: true });
}

const runOf = (name, n, round) => runs.find((r) => r.name === name && r.n === n && r.round === round);
/** Median over the rounds of a/b, each taken within its round. */
const ratio = (a, nA, b, nB) => {
  const xs = [];
  for (let round = 0; round < rounds; round++) {
    const x = runOf(a, nA, round);
    const y = runOf(b, nB, round);
    if (x && y) xs.push(x.rps / y.rps);
  }
  return xs.length ? median(xs) : undefined;
};
const rows = [];
for (const r of runs) {
  if (rows.some((x) => x.name === r.name && x.n === r.n)) continue;
  const all = runs.filter((x) => x.name === r.name && x.n === r.n);
  const med = (k) => median(all.map((x) => x[k]));
  rows.push({
    name: r.name,
    n: r.n,
    rps: med('rps'),
    p50: med('p50'),
    p99: med('p99'),
    non2xx: all.reduce((t, x) => t + x.non2xx, 0),
    rssMB: Math.max(...all.map((x) => x.rssMB)),
    rssRootMB: r.rssRootMB === null ? null : Math.max(...all.map((x) => x.rssRootMB)),
    rssPerWorkerMB: Math.max(...all.map((x) => x.rssPerWorkerMB)),
    vsNginx: ratio(r.name, r.n, 'nginx', r.n),
  });
}
const generatedLines = counts.flatMap((n) =>
  ['nginx', 'haproxy'].flatMap((t) => {
    const x = ratio(`${t} (generated)`, n, t, n);
    return x === undefined ? [] : [`${t} ×${n}: ${x.toFixed(2)}x`];
  }),
);
const porticoScale = ratio('portico', 2, 'portico', 1);
const nginxScale = ratio('nginx', 2, 'nginx', 1);
const md = [
  `# load balancers by worker count — wrk -t2 -c${connections} -d${seconds}s, two nginx backends, ${rounds} rounds (${new Date().toISOString()})`,
  '',
  'Medians over the rounds; ratios are taken within each round, then their median. RSS: the highest peak of any round.',
  '',
  '| balancer | workers/threads | req/s | vs nginx (same N) | p50 | p99 | non-2xx | RSS total | RSS primary/master | RSS per worker (peak of one) |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...rows.map(
    (r) =>
      `| ${r.name} | ${r.n} | ${Math.round(r.rps)} | ${r.vsNginx === undefined ? '-' : r.vsNginx.toFixed(2)}x | ${r.p50.toFixed(2)} ms | ${r.p99.toFixed(2)} ms | ${r.non2xx} | ${r.rssMB} MB | ${r.rssRootMB === null ? '-' : `${r.rssRootMB} MB`} | ${r.rssPerWorkerMB} MB |`,
  ),
  '',
  porticoScale !== undefined && nginxScale !== undefined
    ? `Portico 2 workers / 1 worker: ${porticoScale.toFixed(2)}x; nginx: ${nginxScale.toFixed(2)}x.`
    : '',
  generatedLines.length
    ? `Generated configs (lb generate, workers: N) vs the plain peers above, same N (the generated ones also strip untrusted forwarding fields, add X-Forwarded-*/X-Real-IP and passive checks; bench/exporters compares them with hand-written configs doing the same): ${generatedLines.join('; ')}.`
    : '',
  'nginx and HAProxy workers/threads = N; Portico = `lb serve --workers N`. RSS per worker: the largest peak of one worker process (Portico at N = 1, and HAProxy, have no separate workers: total / N); the primary (health checks, admin, access log, catalog) is counted once, in its column and in the total.',
  `The backends and wrk run on the same machine (${cpus().length} CPUs): N = 2 competes with them. Load average (1 min) at start: ${loadBefore.toFixed(1)}, at end: ${loadavg()[0].toFixed(1)}.`,
].join('\n');
console.log(md);
writeResult(
  'lb-scale',
  { seconds, connections, rounds, loadBefore, loadAfter: loadavg()[0], rows, runs },
  md,
);
