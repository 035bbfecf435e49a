#!/usr/bin/env node
// The scheduler with N real TCP endpoints at a 1 s interval: CPU, schedule lateness, memory.
// Targets (issue #3): < 25% of one core, lateness p99 < 50 ms, < 150 MB RSS at 5,000 endpoints.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Scheduler } from '../../dist/checks/scheduler.js';
import { firstJsonLine, quantile, root, writeResult } from '../lib/measure.mjs';

const count = Number(process.env.BENCH_ENDPOINTS ?? 5000);
const seconds = Number(process.env.BENCH_SECONDS ?? 30);
const warmup = 3;

// The endpoints live in another process, so the scheduler's CPU is measured on its own.
const holder = spawn(
  'sh',
  ['-c', `ulimit -n ${count * 2 + 256} && exec node ${join(root, 'bench/ports/hold-sockets.mjs')} ${count}`],
  {
    stdio: ['pipe', 'pipe', 'inherit'],
  },
);
try {
  const ports = await firstJsonLine(holder);

  let results = 0;
  let failures = 0;
  const reasons = {};
  const scheduler = new Scheduler({
    concurrency: 256,
    onResult: (_t, r) => {
      results++;
      if (r.status !== 'passing') {
        failures++;
        reasons[r.reason ?? 'unknown'] = (reasons[r.reason ?? 'unknown'] ?? 0) + 1;
      }
    },
  });
  scheduler.set(
    ports.map((port, i) => ({
      instanceId: `bench-${i}`,
      address: '127.0.0.1',
      port,
      check: { id: 'tcp', kind: 'tcp', intervalMs: 1000, timeoutMs: 500, rise: 2, fall: 3 },
    })),
  );
  scheduler.start();
  await new Promise((r) => setTimeout(r, warmup * 1000));
  scheduler.recordLateness = true;
  scheduler.stats.lateness.length = 0;
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const results0 = results;
  let peakRss = 0;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 250);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  clearInterval(sampler);
  const wallUs = Number(process.hrtime.bigint() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  scheduler.stop();

  const late = scheduler.stats.lateness;
  const summary = {
    endpoints: count,
    seconds,
    checksPerSecond: Math.round(((results - results0) / wallUs) * 1e6),
    failures,
    failureReasons: reasons,
    cpuPercentOfOneCore: Math.round(((cpu.user + cpu.system) / wallUs) * 1000) / 10,
    // On loopback the kernel runs both ends of every handshake in our context: system time.
    cpuUserPercent: Math.round((cpu.user / wallUs) * 1000) / 10,
    cpuSystemPercent: Math.round((cpu.system / wallUs) * 1000) / 10,
    latenessMs: {
      p50: quantile(late, 0.5),
      p99: quantile(late, 0.99),
      max: late.reduce((a, b) => Math.max(a, b), 0),
    },
    peakRssMB: Math.round(peakRss / 1048576),
  };
  const md = [
    `# scheduler — ${count} TCP endpoints at 1 s (${new Date().toISOString()})`,
    '',
    '| measure | value | target |',
    '|---|---:|---:|',
    `| checks per second | ${summary.checksPerSecond} | ${count} |`,
    `| CPU (% of one core) | ${summary.cpuPercentOfOneCore}% (user ${summary.cpuUserPercent}%, system ${summary.cpuSystemPercent}%) | < 25% |`,
    `| schedule lateness p50 | ${summary.latenessMs.p50} ms | |`,
    `| schedule lateness p99 | ${summary.latenessMs.p99} ms | < 50 ms |`,
    `| peak RSS | ${summary.peakRssMB} MB | < 150 MB |`,
    `| failed checks | ${failures}${failures ? ` (${JSON.stringify(reasons)})` : ''} | 0 |`,
  ].join('\n');
  console.log(md);
  writeResult('checks', summary, md);
} finally {
  holder.kill('SIGTERM');
}
