import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterAll } from 'vitest';

const tracked = new Set<ChildProcess>();

afterAll(async () => {
  await Promise.all([...tracked].map((child) => stopProcess(child)));
});

/** Spawn a child that is killed (by pid) when the test file ends, whatever happens. */
export function spawnTracked(command: string, args: string[], options: SpawnOptions = {}): ChildProcess {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  tracked.add(child);
  child.once('exit', () => tracked.delete(child));
  return child;
}

/** SIGTERM, then SIGKILL after a grace period; resolves when the process is gone. */
export async function stopProcess(child: ChildProcess, graceMs = 2000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Kill a process we started by its pid (for daemons that fork, e.g. haproxy -D, redis --daemonize). */
export function killPid(pid: number, signal: NodeJS.Signals = 'SIGTERM'): void {
  try {
    process.kill(pid, signal);
  } catch {}
}

/** Collect a child's stdout until `pattern` appears; resolves with the match. */
export async function waitForOutput(
  child: ChildProcess,
  pattern: RegExp,
  timeoutMs = 5000,
): Promise<RegExpMatchArray> {
  let buffer = '';
  return await new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no ${pattern} in output: ${buffer.slice(-500)}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer): void => {
      buffer += chunk.toString();
      const m = buffer.match(pattern);
      if (m) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        resolve(m);
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`process exited (${code}) before ${pattern}: ${buffer.slice(-500)}`));
    });
  });
}
