import type { CheckDefinition, CheckResult } from '../core/model.js';
import { ambientSteps } from '../net/steps.js';
import type { ProbeContext, ProbeOutcome, ProbeTarget } from './probe.js';
import { probeFor, probeLoaded } from './probes/index.js';

export interface RunCheckOptions {
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
  now?: () => number;
  ttlReport?: ProbeContext['ttlReport'];
  waiting?: ProbeContext['waiting'];
}

const maxOutput = 2048;

/**
 * Run one check once: the probe for its kind, bounded by the check's timeout (and the caller's
 * signal), output truncated, never throwing — a failure is a critical result with a reason.
 */
export async function runCheck(
  check: CheckDefinition,
  target: ProbeTarget,
  options: RunCheckOptions = {},
): Promise<CheckResult> {
  // Load the probe before the clock starts: module loading is not the target's latency.
  const probe = probeLoaded(check.kind) ?? (await probeFor(check.kind));
  const now = options.now ?? Date.now;
  const at = now();
  const started = performance.now();
  // One controller and one timer per run: this path runs thousands of times a second under
  // the scheduler, where AbortSignal.timeout/any (weak refs, extra timers) cost real CPU.
  const controller = new AbortController();
  const parent = options.signal;
  const onParentAbort = (): void => controller.abort();
  if (parent?.aborted) controller.abort();
  else parent?.addEventListener('abort', onParentAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  // The race guarantees the deadline even if a client library ignores the abort signal.
  const deadline = new Promise<ProbeOutcome>((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      resolve({
        status: 'critical',
        output: `no result within the ${check.timeoutMs}ms timeout`,
        reason: 'timeout',
      });
    }, check.timeoutMs);
  });
  const ctx: ProbeContext = {
    signal: controller.signal,
    timeoutMs: check.timeoutMs,
    env: options.env ?? process.env,
    now,
    ...(options.ttlReport ? { ttlReport: options.ttlReport } : {}),
    ...(options.waiting ? { waiting: options.waiting } : {}),
  };
  let outcome: ProbeOutcome;
  try {
    outcome = await Promise.race([probe.run(check, target, ctx), deadline]);
  } catch (error) {
    outcome = {
      status: 'critical',
      output: `probe failed: ${(error as Error).message}`,
      reason: 'probe_error',
    };
  } finally {
    clearTimeout(timer);
    parent?.removeEventListener('abort', onParentAbort);
  }
  outcome = judgeProbe(outcome);
  ambientSteps.getStore()?.record({
    name: `${check.kind} probe ${target.address}:${target.port}`,
    ok: outcome.status === 'passing',
    ...(outcome.status === 'passing' ? {} : { detail: outcome.output.slice(0, 200) }),
  });
  const output =
    outcome.output.length > maxOutput ? `${outcome.output.slice(0, maxOutput)}… (truncated)` : outcome.output;
  return {
    status: outcome.status,
    output,
    ...(outcome.reason ? { reason: outcome.reason } : {}),
    ...(outcome.certificate ? { certificate: outcome.certificate } : {}),
    durationMs: performance.now() - started,
    at,
  };
}

/**
 * The framework's rule for probes: `passing` only if every step the probe reported succeeded. A
 * probe that claims success after a failed step is overruled to critical, naming the step.
 */
export function judgeProbe(outcome: ProbeOutcome): ProbeOutcome {
  const failed = outcome.steps?.find((s) => !s.ok);
  // A warning (429: alive but shedding load) is already not passing: the probe's nuance stands.
  if (!failed || outcome.status !== 'passing') return outcome;
  return {
    ...outcome,
    status: 'critical',
    output: `step "${failed.name}" failed${failed.detail ? `: ${failed.detail}` : ''}; ${outcome.output}`,
    reason: 'step_failed',
  };
}
