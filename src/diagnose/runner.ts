import type { Output } from '../core/output.js';
import { startProgress } from '../core/progress.js';
import type { Facts } from './facts.js';
import type { Check, CheckOutcome } from './finding.js';

export interface RunOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  facts: Facts;
  signal: AbortSignal;
  out?: Output;
  defaultTimeoutMs?: number;
  /** Checks running at once: enough for parallelism, few enough not to skew latency figures. */
  maxParallel?: number;
}

/**
 * Run checks in parallel (at most `maxParallel` at once), each with its own deadline from the
 * moment it starts; a check that throws or overruns becomes an `error`/`timeout` outcome instead
 * of sinking the run. Outcomes keep the checks' order. Shows live progress on a terminal.
 */
export async function runChecks(checks: Check[], options: RunOptions): Promise<CheckOutcome[]> {
  const progress = options.out ? startProgress(options.out, `running ${checks.length} checks…`) : undefined;
  let done = 0;
  const running = new Set<string>();
  const outcomes: CheckOutcome[] = new Array(checks.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < checks.length) {
      const index = next++;
      const check = checks[index]!;
      running.add(check.title);
      outcomes[index] = await runOne(check);
    }
  };
  const runOne = async (check: Check): Promise<CheckOutcome> => {
    const started = performance.now();
    const timeoutMs = check.timeoutMs ?? options.defaultTimeoutMs ?? 15_000;
    const controller = new AbortController();
    const stop = (): void => controller.abort();
    if (options.signal.aborted) stop();
    options.signal.addEventListener('abort', stop, { once: true });
    const notes: string[] = [];
    const measurements: Record<string, number> = {};
    let skipped: string | undefined;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => {
        controller.abort();
        resolve('timeout');
      }, timeoutMs);
    });
    try {
      const result = await Promise.race([
        check.run({
          cwd: options.cwd,
          env: options.env,
          signal: controller.signal,
          facts: options.facts,
          note: (t) => notes.push(t),
          measure: (k, v) => {
            measurements[k] = v;
          },
          skip: (reason) => {
            skipped = reason;
          },
        }),
        deadline,
      ]);
      const durationMs = performance.now() - started;
      if (result === 'timeout') {
        return {
          id: check.id,
          category: check.category,
          title: check.title,
          status: 'timeout',
          durationMs,
          findings: [],
          notes,
          measurements,
          error: `did not finish within ${timeoutMs}ms`,
        };
      }
      return {
        id: check.id,
        category: check.category,
        title: check.title,
        status: result.length ? 'findings' : skipped ? 'skipped' : 'passed',
        ...(skipped && !result.length ? { skipped } : {}),
        durationMs,
        findings: result,
        notes,
        measurements,
      };
    } catch (error) {
      return {
        id: check.id,
        category: check.category,
        title: check.title,
        status: 'error',
        durationMs: performance.now() - started,
        findings: [],
        notes,
        measurements,
        error: (error as Error).message,
      };
    } finally {
      clearTimeout(timer);
      options.signal.removeEventListener('abort', stop);
      running.delete(check.title);
      progress?.update(
        `${++done}/${checks.length} checks done${running.size ? `; running: ${[...running].slice(0, 2).join(', ')}` : ''}`,
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.maxParallel ?? 16, checks.length) }, worker));
  progress?.done();
  return outcomes;
}
