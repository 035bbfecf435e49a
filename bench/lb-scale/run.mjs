#!/usr/bin/env node
// Scaling with workers: Portico (lb serve --workers N) against nginx (worker_processes N) and
// HAProxy (nbthread N), N = 1 then 2, on the same two nginx backends in the same run. wrk req/s
// as a ratio to nginx at the same N, p50/p99, and the resident memory of each balancer: the
// peak of all its processes together, and that divided by N. Portico with 2 workers also runs
// with the kernel distributing connections (NODE_CLUSTER_SCHED_POLICY=none) for comparison with
// cluster's round-robin. nginx and HAProxy also run from the configs `lb generate` writes for the
// same input with `workers: N` (worker_processes N / nbthread N): the ratio generated/hand-written
// at the same N is the exporters' target (>= 0.98x). BENCH_BASE_CLI=<another build's dist/cli/main.js> adds that build at
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
import { root, writeResult } from '../lib/measure.mjs';

const { exporters } = await import(join(root, 'dist/exporters/index.js'));
const { specFromOptions } = await import(join(root, 'dist/balancer/commands/spec-from-options.js'));

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const counts = (process.env.BENCH_WORKERS ?? '1,2').split(',').map(Number);
const only = process.env.BENCH_ONLY?.split(',');
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
const rows = [];
// Other load on the machine skews every figure (ratios less so): recorded with the results.
const loadBefore = loadavg()[0];
try {
  backends.push(await nginxBackend(dir, 'b1', ports.b1), await nginxBackend(dir, 'b2', ports.b2));
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
      rows.push({
        name,
        n,
        ...r,
        rssMB: Math.round(peak),
        rssRootMB: forked ? Math.round(rootPeak) : null,
        rssPerWorkerMB: Math.round(forked ? childPeak : peak / n),
      });
      console.error(`${name} ×${n}: ${r.rps} req/s, p99 ${r.p99} ms, RSS ${Math.round(peak)} MB`);
      await stopAndWait(peer);
    }
  }
} finally {
  for (const b of backends) await stopAndWait(b).catch(() => {});
  rmSync(dir, { recursive: true, force: true });
}

const nginxAt = (n) => rows.find((r) => r.name === 'nginx' && r.n === n)?.rps;
const rpsOf = (name, n) => rows.find((r) => r.name === name && r.n === n)?.rps;
const generatedLines = counts.flatMap((n) =>
  ['nginx', 'haproxy'].flatMap((t) =>
    rpsOf(t, n) && rpsOf(`${t} (generated)`, n)
      ? [`${t} ×${n}: generated / hand-written ${(rpsOf(`${t} (generated)`, n) / rpsOf(t, n)).toFixed(2)}x`]
      : [],
  ),
);
const porticoAt = (n) => rows.find((r) => r.name === 'portico' && r.n === n)?.rps;
const md = [
  `# load balancers by worker count — wrk -t2 -c${connections} -d${seconds}s, two nginx backends (${new Date().toISOString()})`,
  '',
  '| balancer | workers/threads | req/s | vs nginx (same N) | p50 | p99 | non-2xx | RSS total | RSS primary/master | RSS per worker (peak of one) |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...rows.map(
    (r) =>
      `| ${r.name} | ${r.n} | ${Math.round(r.rps)} | ${nginxAt(r.n) ? (r.rps / nginxAt(r.n)).toFixed(2) : '-'}x | ${r.p50.toFixed(2)} ms | ${r.p99.toFixed(2)} ms | ${r.non2xx} | ${r.rssMB} MB | ${r.rssRootMB === null ? '-' : `${r.rssRootMB} MB`} | ${r.rssPerWorkerMB} MB |`,
  ),
  '',
  porticoAt(1) && porticoAt(2)
    ? `Portico 2 workers / 1 worker: ${(porticoAt(2) / porticoAt(1)).toFixed(2)}x; nginx: ${(nginxAt(2) / nginxAt(1)).toFixed(2)}x.`
    : '',
  generatedLines.length
    ? `Generated configs (lb generate, workers: N) vs hand-written, same N: ${generatedLines.join('; ')}.`
    : '',
  'nginx and HAProxy workers/threads = N; Portico = `lb serve --workers N`. RSS per worker: the largest peak of one worker process (Portico at N = 1, and HAProxy, have no separate workers: total / N); the primary (health checks, admin, access log, catalog) is counted once, in its column and in the total.',
  `The backends and wrk run on the same machine (${cpus().length} CPUs): N = 2 competes with them. Load average (1 min) at start: ${loadBefore.toFixed(1)}, at end: ${loadavg()[0].toFixed(1)}.`,
].join('\n');
console.log(md);
writeResult('lb-scale', { seconds, connections, loadBefore, loadAfter: loadavg()[0], rows }, md);
