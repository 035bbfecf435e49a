import { spawn } from 'node:child_process';

/** V8 young-generation size for the balancer process, MB per semi-space. */
const semiSpaceMb = 4;

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
 * The balancer allocates small short-lived objects per request; with V8's default 16 MB
 * semi-spaces its resident memory settles well above 100 MB under load, with 4 MB under it at
 * the same throughput (bench/lb). V8 reads that limit only at process start, so `lb serve`
 * re-runs itself once with the flag, before anything else is loaded (the waiting launcher stays
 * small). Resolves to the child's exit code.
 */
export async function reexecWithHeapFlags(env: NodeJS.ProcessEnv): Promise<number> {
  const controller = new AbortController();
  const { signal } = controller;
  for (const s of ['SIGINT', 'SIGTERM'] as const) process.on(s, () => controller.abort());
  const child = spawn(
    process.execPath,
    [`--max-semi-space-size=${semiSpaceMb}`, ...process.execArgv, ...process.argv.slice(1)],
    {
      stdio: 'inherit',
      env,
    },
  );
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
