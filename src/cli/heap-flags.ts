import { spawn } from 'node:child_process';
import { constants } from 'node:os';

/**
 * V8 heap flags for the balancer process: a 4 MB young generation (per semi-space), and an old
 * generation that grows by 20% at a time instead of V8's default factor, which is sized for the
 * multi-GB heap limit of a large machine. No hard heap limit: a big deployment can still grow.
 */
const heapFlags = ['--max-semi-space-size=4', '--heap-growing-percent=20'];

/** Long-running commands that allocate per request and benefit from a small young generation. */
export function wantsHeapFlags(argv: string[], env: NodeJS.ProcessEnv): boolean {
  const args = argv.slice(2).filter((a) => !a.startsWith('-'));
  return (
    args[0] === 'lb' &&
    args[1] === 'serve' &&
    !env.PORTICO_NO_REEXEC &&
    !process.execArgv.some((a) => a.startsWith('--max-semi-space-size'))
  );
}

/**
 * The balancer allocates small short-lived objects per request; with V8's defaults its resident
 * memory peaks near 135 MB under the benchmark load, with these flags near 92 MB at the same
 * throughput (bench/lb). V8 reads them only at process start, so `lb serve` re-runs itself once
 * with them, before anything else is loaded (the waiting launcher stays small). Resolves to the
 * child's exit code (128 + the signal number when a signal ended it, as a shell reports it).
 *
 * Signals: the child runs in its own process group, so a Ctrl-C at the terminal reaches it once,
 * through us, not twice (group + forward), which it would take as "stop now" and cut the drain.
 * SIGINT, SIGTERM and SIGHUP (reload) are passed on as they are. An IPC channel lets the child
 * notice if we die without passing anything on (SIGKILL), so it never serves on orphaned.
 */
export async function reexecWithHeapFlags(env: NodeJS.ProcessEnv): Promise<number> {
  const child = spawn(process.execPath, [...heapFlags, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    env,
    detached: true,
  });
  const forwarded = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  const handlers = forwarded.map((s) => {
    const forward = (): void => {
      if (child.exitCode === null && child.signalCode === null) child.kill(s);
    };
    process.on(s, forward);
    return [s, forward] as const;
  });
  return await new Promise<number>((resolve) => {
    child.once('error', () => resolve(2));
    child.once('exit', (code, sig) => {
      for (const [s, forward] of handlers) process.off(s, forward);
      resolve(code ?? (sig ? 128 + (constants.signals[sig] ?? 0) : 2));
    });
  });
}
