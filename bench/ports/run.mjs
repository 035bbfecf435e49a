#!/usr/bin/env node
// `portico ports` on a host with 2,000 listening sockets vs `ss -ltnup` and `lsof`, same run.
// Also checks that portico names the right pid for every one of the 2,000 sockets.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { cli, firstJsonLine, fmt, root, timeCommand, writeResult } from '../lib/measure.mjs';

const count = Number(process.env.BENCH_SOCKETS ?? 2000);
const runs = Number(process.env.BENCH_RUNS ?? 15);
const holder = spawn(
  'sh',
  ['-c', `ulimit -n ${count + 256} && exec node ${join(root, 'bench/ports/hold-sockets.mjs')} ${count}`],
  {
    stdio: ['pipe', 'pipe', 'inherit'],
  },
);
try {
  const held = new Set(await firstJsonLine(holder));

  const withoutCaEnv = { ...process.env };
  delete withoutCaEnv.NODE_EXTRA_CA_CERTS;
  const cases = {
    portico: timeCommand(['node', cli, 'ports', '--json'], { runs }),
    'portico (no NODE_EXTRA_CA_CERTS)': timeCommand(['node', cli, 'ports', '--json'], {
      runs,
      env: withoutCaEnv,
    }),
    'node -e 0 (runtime start)': timeCommand(['node', '-e', '0'], { runs }),
    'ss -ltnup': timeCommand(['ss', '-ltnup'], { runs }),
    'lsof -iTCP -sTCP:LISTEN -P -n': timeCommand(['lsof', '-iTCP', '-sTCP:LISTEN', '-P', '-n'], {
      runs: Math.min(runs, 7),
    }),
  };

  const listeners = JSON.parse(cases.portico.stdout).listeners.filter(
    (l) => held.has(l.port) && l.address === '127.0.0.1',
  );
  const wrong = listeners.filter((l) => l.processes[0]?.pid !== holder.pid);
  const ss = cases['ss -ltnup'].median;
  const lines = [
    `# portico ports — ${count} listening sockets (${new Date().toISOString()})`,
    '',
    '| command | median | p90 | vs ss |',
    '|---|---:|---:|---:|',
    ...Object.entries(cases).map(
      ([k, v]) => `| \`${k}\` | ${fmt(v.median)} | ${fmt(v.p90)} | ${(v.median / ss).toFixed(2)}x |`,
    ),
    '',
    `Correct pid for ${listeners.length - wrong.length} of ${held.size} sockets${wrong.length ? ` (${wrong.length} wrong)` : ''}.`,
    `This machine sets NODE_EXTRA_CA_CERTS, which makes every Node process load the CA bundle at start.`,
  ];
  const summary = lines.join('\n');
  console.log(summary);
  const result = Object.fromEntries(
    Object.entries(cases).map(([k, v]) => [k, { median: v.median, p90: v.p90, times: v.times }]),
  );
  writeResult(
    'ports',
    { count, runs, cases: result, correctPids: listeners.length - wrong.length, sockets: held.size },
    summary,
  );
  if (wrong.length > 0 || listeners.length !== held.size) process.exitCode = 1;
} finally {
  holder.kill('SIGTERM');
}
