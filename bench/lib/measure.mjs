// Shared helpers for benchmarks: wall-time a command N times, medians, result files.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const cli = join(root, 'dist', 'cli', 'main.js');

/** Run argv `runs` times (after one warm-up); returns wall times in ms and the last stdout. */
export function timeCommand(argv, { runs = 15, env = process.env } = {}) {
  const [cmd, ...args] = argv;
  spawnSync(cmd, args, { env, stdio: 'ignore' });
  const times = [];
  let stdout = '';
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { env, maxBuffer: 256 << 20, encoding: 'utf8' });
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (r.status !== 0 && r.status !== 1)
      throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
    stdout = r.stdout;
  }
  return { times, median: quantile(times, 0.5), p90: quantile(times, 0.9), stdout };
}

export function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export function writeResult(area, result, markdown) {
  const dir = join(root, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().slice(0, 10);
  writeFileSync(join(dir, `${area}-${stamp}.json`), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(join(dir, `${area}-${stamp}.md`), `${markdown}\n`);
  return join(dir, `${area}-${stamp}.md`);
}

export function fmt(ms) {
  return `${ms.toFixed(1)} ms`;
}

/** The first line a helper process prints on stdout, parsed as JSON; rejects if it exits first. */
export function firstJsonLine(child) {
  return new Promise((resolve, reject) => {
    let out = '';
    const onExit = (code) => reject(new Error(`helper process exited (${code}) before it was ready`));
    const onData = (chunk) => {
      out += chunk;
      const end = out.indexOf('\n');
      if (end < 0) return;
      child.stdout.off('data', onData);
      child.off('exit', onExit);
      resolve(JSON.parse(out.slice(0, end)));
    };
    child.stdout.on('data', onData);
    child.once('exit', onExit);
  });
}
