// Child processes of the cluster bench: started with an optional `ip netns exec NS` prefix (which
// execs in place, so the pid is the real process), stopped by pid, registered for cleanup.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { onCleanup } from './cleanup.mjs';

/** Start argv (after `prefix`); output is kept (bounded) for error messages and warnings. */
export function startProcess(name, prefix, argv, { env = process.env, cwd } = {}) {
  const [cmd, ...args] = [...prefix, ...argv];
  const child = spawn(cmd, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk) => {
    output += chunk;
    if (output.length > 1 << 20) output = output.slice(-(1 << 19));
  };
  child.stdout.setEncoding('utf8').on('data', keep);
  child.stderr.setEncoding('utf8').on('data', keep);
  child.on('error', (e) => keep(`spawn error: ${e.message}\n`));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const running = () => child.exitCode === null && child.signalCode === null;
  const stop = onCleanup(`${name} (pid ${child.pid})`, async () => {
    if (!running()) return;
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(10_000)]);
    if (running()) {
      child.kill('SIGKILL');
      await Promise.race([exited, sleep(5_000)]);
    }
  });
  return { name, child, pid: child.pid, output: () => output, running, stop };
}

/** Wait until `test(output)` gives a value; throws with the output if the process exits first. */
export async function waitForOutput(proc, test, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = test(proc.output());
    if (value) return value;
    if (!proc.running()) throw new Error(`${proc.name} exited before ${what}: ${proc.output().slice(-2000)}`);
    if (Date.now() > deadline) throw new Error(`${proc.name}: no ${what} within ${timeoutMs} ms`);
    await sleep(50);
  }
}

export const rssMb = (pid) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

const clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** utime + stime of a process, in seconds. */
export function cpuSecondsOf(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / clockTicks;
}

/** Peak RSS (MB) of each pid, sampled every 250 ms until stopped. */
export function rssSampler(pids) {
  const peak = new Map(pids.map((p) => [p, 0]));
  const sample = () => {
    for (const p of pids)
      try {
        peak.set(p, Math.max(peak.get(p), rssMb(p)));
      } catch {}
  };
  sample();
  const timer = setInterval(sample, 250);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return pids.map((p) => peak.get(p));
    },
  };
}

/** CPU of each pid over a stretch of work, as % of one core: call `.end()` when it is over. */
export function cpuMeter(pids) {
  const t0 = performance.now();
  const cpu0 = pids.map(cpuSecondsOf);
  return {
    end() {
      const wall = (performance.now() - t0) / 1000;
      return pids.map((p, i) => ({ percent: ((cpuSecondsOf(p) - cpu0[i]) / wall) * 100, wallSeconds: wall }));
    },
  };
}
