#!/usr/bin/env node
// Where `lb serve` spends its CPU under load: runs it with --cpu-prof on two nginx backends under
// wrk for BENCH_SECONDS (default 10) and prints the top self-time functions and files.
// `node bench/lb-scale/profile.mjs [path/to/dist/cli/main.js]` (default: this checkout's build);
// the .cpuprofile is kept (its path is printed) for Chrome DevTools or speedscope.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { nginxBackend, waitPort } from '../lb/peers.mjs';
import { cli } from '../lib/measure.mjs';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const base = Number(process.env.BENCH_PORT_BASE ?? 19750);
const main = process.argv[2] ?? cli;
const dir = mkdtempSync(join(tmpdir(), 'portico-lb-profile-'));
const run = promisify(execFile);
const backends = [await nginxBackend(dir, 'b1', base + 1), await nginxBackend(dir, 'b2', base + 2)];
try {
  // The heap flags `lb serve` would re-run itself with, given directly: one process to profile.
  const child = spawn(
    process.execPath,
    [
      '--max-semi-space-size=4',
      '--heap-growing-percent=20',
      '--cpu-prof',
      `--cpu-prof-dir=${dir}/prof`,
      main,
      'lb',
      'serve',
      '--listen',
      `127.0.0.1:${base + 80}`,
      '--admin',
      `127.0.0.1:${base + 90}`,
      '--upstream',
      `127.0.0.1:${base + 1}`,
      '--upstream',
      `127.0.0.1:${base + 2}`,
      '--health-path',
      '/',
      '--health-interval',
      '1s',
    ],
    { stdio: 'ignore', env: { ...process.env, PORTICO_HOME: dir } },
  );
  await waitPort(base + 80);
  await run('wrk', ['-t2', '-c50', '-d2s', `http://127.0.0.1:${base + 80}/`]);
  const { stdout } = await run('wrk', ['-t2', '-c50', `-d${seconds}s`, `http://127.0.0.1:${base + 80}/`]);
  console.log(`wrk: ${/Requests\/sec:\s+(\S+)/.exec(stdout)[1]} req/s`);
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  const file = join(dir, 'prof', readdirSync(join(dir, 'prof'))[0]);
  report(JSON.parse(readFileSync(file, 'utf8')));
  console.log(`profile: ${file}`);
} finally {
  for (const b of backends) b.stop();
}

function report(profile) {
  const time = new Map();
  for (let i = 0; i < profile.samples.length; i++)
    time.set(profile.samples[i], (time.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i] ?? 0));
  const short = (url) => url.replace(/.*node_modules\//, '').replace(/.*\/dist\//, 'dist/');
  const byFunction = new Map();
  const byFile = new Map();
  let total = 0;
  for (const n of profile.nodes) {
    const t = time.get(n.id) ?? 0;
    total += t;
    const f = n.callFrame;
    const key = `${f.functionName || '(anonymous)'} ${short(f.url)}:${f.lineNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + t);
    const fileKey = short(f.url) || f.functionName;
    byFile.set(fileKey, (byFile.get(fileKey) ?? 0) + t);
  }
  const top = (m, n) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, t]) => `${((t / total) * 100).toFixed(2).padStart(6)}%  ${k}`)
      .join('\n');
  console.log(`\nself time by function (top 25):\n${top(byFunction, 25)}`);
  console.log(`\nself time by file (top 15):\n${top(byFile, 15)}`);
}
