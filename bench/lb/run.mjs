#!/usr/bin/env node
// Load balancers side by side on the same two backends, same run: wrk req/s and latency as
// ratios to single-worker nginx (medians over BENCH_ROUNDS rounds, default 5); failover errors while a backend is killed and restarted;
// Portico's memory under load, across a soak, a 100 MB upload and a slow-reading client.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool, request } from 'undici';
import { median, root, writeResult } from '../lib/measure.mjs';
import {
  caddy,
  childPids,
  haproxy,
  nginxBackend,
  nginxProxy,
  nodeHttpProxy,
  portico,
  stopAndWait,
  waitPort,
  wrk,
} from './peers.mjs';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const soakSeconds = Number(process.env.BENCH_SOAK_SECONDS ?? 60);
const only = process.env.BENCH_ONLY?.split(',');
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const dir = mkdtempSync(join(tmpdir(), 'portico-bench-lb-'));
const ports = { b1: 19101, b2: 19102, b3: 19103, proxy: 19180, admin: 19190, sink: 19104 };
const cleanup = [];

/**
 * RSS of the process that does the balancing: `lb serve` re-runs itself with V8 heap flags,
 * so for Portico that is the launcher's child (the launcher only waits; reported separately).
 */
function rssMB(pid) {
  const target = childPids(pid)[0] ?? pid;
  try {
    return Math.round(
      Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${target}/status`, 'utf8'))[1]) / 1024,
    );
  } catch {
    return 0;
  }
}

/**
 * CPU time (user + system, ms) of the balancing process so far, from /proc: the process under
 * wrk's load is nginx's worker, `lb serve`'s child, or the peer itself. On a busy machine req/s
 * moves with what else runs; CPU per request moves much less, so it is reported next to it.
 */
function cpuMs(pid) {
  const target = childPids(pid)[0] ?? pid;
  try {
    const fields = readFileSync(`/proc/${target}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10; // clock ticks of 10 ms (USER_HZ 100)
  } catch {
    return Number.NaN;
  }
}

function launcherMB(pid) {
  return childPids(pid).length > 0
    ? Math.round(Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024)
    : 0;
}

const peers = {
  nginx: () => nginxProxy(dir, ports.proxy, [ports.b1, ports.b2]),
  haproxy: () => haproxy(dir, ports.proxy, [ports.b1, ports.b2]),
  caddy: () => caddy(dir, ports.proxy, [ports.b1, ports.b2], ports.admin + 1),
  'node-http-proxy': () => nodeHttpProxy(ports.proxy, [ports.b1, ports.b2]),
  portico: () => portico(dir, ports.proxy, [ports.b1, ports.b2], ports.admin),
};

try {
  const backends = [await nginxBackend(dir, 'b1', ports.b1), await nginxBackend(dir, 'b2', ports.b2)];
  cleanup.push(...backends.map((b) => () => stopAndWait(b)));

  // 1. Throughput and latency, one peer at a time on the same backends, in BENCH_ROUNDS rounds.
  // This machine's req/s moves ±15% from run to run with what else the kernel schedules (the
  // backends and wrk share its cores): each round runs every peer once, in a rotated order, and
  // ratios are taken within a round, then their median over the rounds.
  const names = Object.keys(peers).filter((name) => !only || only.includes(name));
  const runs = Object.fromEntries(names.map((name) => [name, []]));
  let porticoRss = 0;
  for (let round = 0; round < rounds; round++) {
    const order = names.map((_, i) => names[(i + round) % names.length]);
    for (const name of order) {
      const peer = await peers[name]();
      await wrk(ports.proxy, { seconds: 2, connections }); // warm-up
      const cpuBefore = cpuMs(peer.pid());
      let peak = 0;
      const sampler = setInterval(() => {
        if (name === 'portico') peak = Math.max(peak, rssMB(peer.pid()));
      }, 250);
      const r = await wrk(ports.proxy, { seconds, connections });
      clearInterval(sampler);
      porticoRss = Math.max(porticoRss, peak);
      r.cpuUsPerRequest = ((cpuMs(peer.pid()) - cpuBefore) * 1000) / (r.rps * seconds);
      runs[name].push(r);
      console.error(
        `round ${round + 1}/${rounds} ${name}: ${r.rps} req/s, ${r.cpuUsPerRequest.toFixed(1)} µs CPU/request`,
      );
      await stopAndWait(peer);
    }
  }
  const results = Object.fromEntries(
    names.map((name) => {
      const rs = runs[name];
      const ratios = runs.nginx ? rs.map((r, i) => r.rps / runs.nginx[i].rps) : [];
      const cpuRatios = runs.nginx ? rs.map((r, i) => r.cpuUsPerRequest / runs.nginx[i].cpuUsPerRequest) : [];
      return [
        name,
        {
          rps: median(rs.map((r) => r.rps)),
          p50: median(rs.map((r) => r.p50)),
          p99: median(rs.map((r) => r.p99)),
          cpuUsPerRequest: median(rs.map((r) => r.cpuUsPerRequest)),
          non2xx: rs.reduce((n, r) => n + r.non2xx, 0),
          vsNginx: ratios.length
            ? { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) }
            : null,
          p99VsNginx: runs.nginx ? median(rs.map((r, i) => r.p99 / runs.nginx[i].p99)) : null,
          cpuVsNginx: cpuRatios.length ? median(cpuRatios) : null,
          rounds: rs,
        },
      ];
    }),
  );
  const table = Object.entries(results).map(([name, r]) => {
    const v = r.vsNginx;
    const ratio = v ? `${v.median.toFixed(2)}x [${v.min.toFixed(2)}–${v.max.toFixed(2)}]` : '-';
    return `| ${name} | ${Math.round(r.rps)} | ${ratio} | ${r.p50.toFixed(2)} ms | ${r.p99.toFixed(2)} ms | ${r.p99VsNginx?.toFixed(2) ?? '-'}x | ${r.cpuUsPerRequest.toFixed(1)} µs | ${r.non2xx} |`;
  });

  // 2. Failover: three backends, one killed and restarted under a bounded load.
  const failover = {};
  for (const name of ['portico', 'nginx', 'haproxy']) {
    if (only && !only.includes(name)) continue;
    const b3 = await nginxBackend(dir, 'b3', ports.b3);
    const peer =
      name === 'portico'
        ? await portico(dir, ports.proxy, [ports.b1, ports.b2, ports.b3], ports.admin)
        : name === 'nginx'
          ? await nginxProxy(dir, ports.proxy, [ports.b1, ports.b2, ports.b3])
          : await haproxy(dir, ports.proxy, [ports.b1, ports.b2, ports.b3]);
    const pool = new Pool(`http://127.0.0.1:${ports.proxy}`, { connections: 20 });
    let ok = 0;
    let errors = 0;
    const stopAt = Date.now() + 12_000;
    const worker = async () => {
      while (Date.now() < stopAt) {
        try {
          const r = await pool.request({ path: '/', method: 'GET' });
          await r.body.dump();
          if (r.statusCode === 200) ok++;
          else errors++;
        } catch {
          errors++;
        }
      }
    };
    const load = Promise.all(Array.from({ length: 20 }, worker));
    await new Promise((r) => setTimeout(r, 4000));
    const b3pid = b3.pid();
    b3.stop();
    await new Promise((r) => setTimeout(r, 4000));
    try {
      process.kill(b3pid, 0);
      throw new Error('backend b3 did not stop');
    } catch (e) {
      if (e.message === 'backend b3 did not stop') throw e;
    }
    const revived = await nginxBackend(dir, 'b3', ports.b3);
    await load;
    await pool.close();
    revived.stop();
    failover[name] = { ok, errors };
    console.error(`failover ${name}: ${errors} errors of ${ok + errors}`);
    await stopAndWait(peer);
  }

  // 3. Portico's memory: soak, a 100 MB upload, a slow reader.
  let memory;
  if (!only || only.includes('portico')) {
    const sink = spawn(process.execPath, [join(root, 'bench/lb/sink.mjs'), String(ports.sink)], {
      stdio: 'ignore',
    });
    cleanup.push(() => stopAndWait({ pid: () => sink.pid, stop: () => sink.kill() }));
    await waitPort(ports.sink);
    const peer = await portico(dir, ports.proxy, [ports.b1, ports.b2], ports.admin);
    const sinkLb = await portico(join(dir), ports.proxy + 1, [ports.sink], ports.admin + 2, ['--no-health']);
    const soak = [];
    const soakStart = rssMB(peer.pid());
    const sampler = setInterval(() => soak.push(rssMB(peer.pid())), 5000);
    await wrk(ports.proxy, { seconds: soakSeconds, connections });
    clearInterval(sampler);
    const afterSoak = rssMB(peer.pid());
    const megabytes = (n) =>
      (async function* () {
        const chunk = Buffer.alloc(1 << 20, 1);
        for (let i = 0; i < n; i++) yield chunk;
      })();
    // Warm the balancer with a 1 MB upload first, so "before" is a balancer that has carried
    // traffic (JIT code, connection pool) and the difference is what 100 MB adds.
    await (
      await request(`http://127.0.0.1:${ports.proxy + 1}/upload`, { method: 'POST', body: megabytes(1) })
    ).body.text();
    const beforeUpload = rssMB(sinkLb.pid());
    let uploadPeak = beforeUpload;
    const upSampler = setInterval(() => {
      uploadPeak = Math.max(uploadPeak, rssMB(sinkLb.pid()));
    }, 100);
    const up = await request(`http://127.0.0.1:${ports.proxy + 1}/upload`, {
      method: 'POST',
      body: megabytes(100),
    });
    const received = await up.body.text();
    // Slow reader: 100 MB offered by the backend, read at ~1 MB/s for 5 s.
    const slow = await request(`http://127.0.0.1:${ports.proxy + 1}/stream?mb=100`);
    let read = 0;
    const reading = (async () => {
      for await (const c of slow.body) {
        read += c.length;
        await new Promise((r) => setTimeout(r, 50));
        if (read > 5 * 1024 * 1024) break;
      }
    })();
    await reading;
    clearInterval(upSampler);
    memory = {
      launcherMB: launcherMB(peer.pid()),
      underLoadPeakMB: porticoRss,
      soakSeconds,
      soakStartMB: soakStart,
      soakEndMB: afterSoak,
      soakSamplesMB: soak,
      uploadBytes: Number(received),
      uploadRssBeforeMB: beforeUpload,
      uploadAndSlowReaderPeakMB: uploadPeak,
    };
    slow.body.destroy();
    await stopAndWait(sinkLb);
    await stopAndWait(peer);
  }

  const md = [
    `# load balancers — wrk -t2 -c${connections} -d${seconds}s, two nginx backends, ${rounds} rounds (${new Date().toISOString()})`,
    '',
    'Medians over the rounds; "vs nginx" is the median of the ratios within each round [lowest–highest].',
    '',
    '| balancer | req/s | vs nginx (1 worker) | p50 | p99 | p99 vs nginx | CPU/request | non-2xx |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...table,
    '',
    'Portico runs with active health checks (HTTP, 1 s) and metrics on; HAProxy with `check inter 1s`; nginx OSS has passive checks only.',
    '',
    '## Failover: one of three backends stopped at 4 s and restarted at 8 s, 20 clients for 12 s',
    '',
    '| balancer | requests | client-visible errors |',
    '|---|---:|---:|',
    ...Object.entries(failover).map(([n, f]) => `| ${n} | ${f.ok + f.errors} | ${f.errors} |`),
    '',
    memory
      ? [
          '## Portico memory',
          '',
          `- peak RSS of the balancer process under the wrk load: ${memory.underLoadPeakMB} MB (plus a ${memory.launcherMB} MB launcher that re-runs \`lb serve\` with V8 heap flags and waits)`,
          `- soak ${soakSeconds}s: ${memory.soakStartMB} MB → ${memory.soakEndMB} MB (samples ${memory.soakSamplesMB.join(', ')})`,
          `- 100 MB streamed upload (${memory.uploadBytes} bytes arrived) and a slow reader of a 100 MB response: RSS ${memory.uploadRssBeforeMB} MB before (after a 1 MB warm-up upload), peak ${memory.uploadAndSlowReaderPeakMB} MB`,
        ].join('\n')
      : '',
  ].join('\n');
  console.log(md);
  writeResult('lb', { seconds, connections, rounds, results, failover, memory }, md);
} finally {
  // Every process is gone (waited for by pid) before its files are removed: nginx writes its
  // error log while it quits.
  for (const c of cleanup.reverse()) {
    try {
      await c();
    } catch {}
  }
  rmSync(dir, { recursive: true, force: true });
}
