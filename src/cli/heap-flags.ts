import { spawn } from 'node:child_process';

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
 * child's exit code.
 */
export async function reexecWithHeapFlags(env: NodeJS.ProcessEnv): Promise<number> {
  const controller = new AbortController();
  const { signal } = controller;
  for (const s of ['SIGINT', 'SIGTERM'] as const) process.on(s, () => controller.abort());
  const child = spawn(process.execPath, [...heapFlags, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env,
  });
  // Ctrl-C reaches the whole process group; a supervisor's SIGTERM reaches only us: pass it on.
  const forward = (): void => {
    child.kill('SIGTERM');
  };
  signal.addEventListener('abort', forward, { once: true });
  return await new Promise<number>((resolve) => {
    child.once('exit', (code, sig) => {
      signal.removeEventListener('abort', forward);
      resolve(code ?? (sig ? 128 + 2 : 2));
    });
  });
}
