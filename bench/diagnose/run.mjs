#!/usr/bin/env node
// `portico troubleshoot all` on a 10-service stack with 3 planted faults (a service down, one
// slower than 1 s, one with an expired certificate): wall time, and whether each was named.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, firstJsonLine, quantile, root, writeResult } from '../lib/measure.mjs';

const runs = Number(process.env.BENCH_RUNS ?? 3);
const dir = mkdtempSync(join(tmpdir(), 'portico-bench-diag-'));
const stack = spawn(process.execPath, [join(root, 'bench/diagnose/stack.mjs')], {
  stdio: ['pipe', 'pipe', 'inherit'],
});
try {
  const { yaml } = await firstJsonLine(stack);
  writeFileSync(join(dir, 'portico.yaml'), yaml);
  const times = [];
  let codes = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const r = spawnSync(process.execPath, [cli, 'troubleshoot', 'all', '--json'], {
      cwd: dir,
      env: { ...process.env, PORTICO_HOME: join(dir, `home-${i}`) },
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    times.push(performance.now() - t);
    const doc = JSON.parse(r.stdout);
    codes = doc.checks.flatMap((c) => c.findings.map((f) => `${f.code} ${f.title}`));
  }
  const planted = [
    ['orders is down', (c) => c.startsWith('CONN_REFUSED') && c.includes('orders')],
    ['search answers in 1.5 s', (c) => c.startsWith('HTTP_SLOW')],
    ['payments has an expired certificate', (c) => c.startsWith('TLS_EXPIRED')],
  ];
  const named = planted.map(([what, test]) => ({ fault: what, named: codes.some(test) }));
  // A finding about none of the three faulty services is a false positive.
  const faulty = ['orders', 'search', 'payments'];
  const falsePositives = codes.filter((c) => !faulty.some((s) => c.includes(s)));
  const md = [
    `# troubleshoot all — 10 services, 3 planted faults (${new Date().toISOString()})`,
    '',
    `Wall time over ${runs} runs: median ${(quantile(times, 0.5) / 1000).toFixed(2)} s (min ${(Math.min(...times) / 1000).toFixed(2)} s, max ${(Math.max(...times) / 1000).toFixed(2)} s).`,
    '',
    '| planted fault | named |',
    '|---|---|',
    ...named.map((n) => `| ${n.fault} | ${n.named ? 'yes' : 'NO'} |`),
    '',
    `False positives (findings about none of the faulty services): ${falsePositives.length}`,
    ...falsePositives.map((c) => `- ${c}`),
    '',
    'All findings of the last run:',
    '',
    ...codes.map((c) => `- ${c}`),
  ].join('\n');
  console.log(md);
  writeResult('diagnose', { runs, timesMs: times, named, falsePositives, findings: codes }, md);
  if (named.some((n) => !n.named) || falsePositives.length > 0) process.exitCode = 1;
} finally {
  stack.stdin.end();
  rmSync(dir, { recursive: true, force: true });
}
