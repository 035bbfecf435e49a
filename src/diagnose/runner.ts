import { setMaxListeners } from 'node:events';
import type { Output } from '../core/output.js';
import { startProgress } from '../core/progress.js';
import { ambientSteps, type StepRecord } from '../net/steps.js';
import type { Facts } from './facts.js';
import type { Check, CheckOutcome } from './finding.js';
import { judgeOutcome } from './judge.js';

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
  // Each running check listens on the run's signal (and its own probes on the check's): more
  // than Node's default of 10 is expected, not a leak, and must not print a warning.
  const parallel = Math.min(options.maxParallel ?? 16, checks.length);
  setMaxListeners(parallel + 10, options.signal);
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
    setMaxListeners(64, controller.signal);
    const stop = (): void => controller.abort();
    if (options.signal.aborted) stop();
    options.signal.addEventListener('abort', stop, { once: true });
    const notes: string[] = [];
    const measurements: Record<string, number> = {};
    const steps: StepRecord[] = [];
    // Successful exchanges seen by the network primitives: they count only for a check that
    // reports no step of its own (an explicit report is more precise and already has them).
    const observed: StepRecord[] = [];
    const recorder = {
      record: (s: StepRecord) => steps.push(s),
      observe: (s: StepRecord) => observed.push(s),
    };
    const ran = (): StepRecord[] => (steps.length > 0 ? steps : observed);
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
        ambientSteps.run(recorder, () =>
          check.run({
            cwd: options.cwd,
            env: options.env,
            signal: controller.signal,
            facts: recordingFacts(options.facts, steps),
            note: (t) => notes.push(t),
            measure: (k, v) => {
              measurements[k] = v;
            },
            skip: (reason) => {
              skipped = reason;
            },
            step: (name, result) => {
              steps.push(
                result.ok
                  ? { name, ok: true, ...(result.detail ? { detail: result.detail } : {}) }
                  : { name, ok: false, detail: result.detail },
              );
            },
          }),
        ),
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
          steps: ran(),
          error: `did not finish within ${timeoutMs}ms`,
        };
      }
      const verdict = judgeOutcome(ran(), result, skipped);
      return {
        id: check.id,
        category: check.category,
        title: check.title,
        status: verdict.status,
        ...(verdict.status === 'skipped' ? { skipped } : {}),
        durationMs,
        findings: verdict.findings,
        notes,
        measurements,
        steps: ran(),
        ...(verdict.error ? { error: verdict.error } : {}),
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
        steps: ran(),
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
  await Promise.all(Array.from({ length: parallel }, worker));
  progress?.done();
  return outcomes;
}

/**
 * The shared facts, with every read recorded as a step of the check that asked: a check that
 * reads the socket table or the compose project has run those steps, and a failed read is a
 * failed step.
 */
function recordingFacts(facts: Facts, steps: StepRecord[]): Facts {
  return new Proxy(facts, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (typeof value !== 'function' || typeof key !== 'string') return value;
      return (...args: unknown[]) => {
        const result = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (!(result instanceof Promise)) return result;
        return result.then(
          (v) => {
            steps.push({ name: `read ${key}`, ok: true });
            return v;
          },
          (error: unknown) => {
            steps.push({ name: `read ${key}`, ok: false, detail: (error as Error).message });
            throw error;
          },
        );
      };
    },
  });
}
