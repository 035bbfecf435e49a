import type { CheckDefinition, CheckResult } from '../core/model.js';
import type { ProbeContext, ProbeTarget } from './probe.js';
import { probes } from './probes/index.js';

export interface RunCheckOptions {
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
  now?: () => number;
  ttlReport?: ProbeContext['ttlReport'];
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
  const now = options.now ?? Date.now;
  const at = now();
  const started = performance.now();
  const timeout = AbortSignal.timeout(check.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const ctx: ProbeContext = {
    signal,
    timeoutMs: check.timeoutMs,
    env: options.env ?? process.env,
    now,
    ...(options.ttlReport ? { ttlReport: options.ttlReport } : {}),
  };
  const probe = probes[check.kind] as {
    run(
      c: CheckDefinition,
      t: ProbeTarget,
      x: ProbeContext,
    ): Promise<{ status: CheckResult['status']; output: string; reason?: string }>;
  };
  let outcome: { status: CheckResult['status']; output: string; reason?: string };
  try {
    // The race guarantees the deadline even if a client library ignores the abort signal.
    outcome = await Promise.race([probe.run(check, target, ctx), deadline(signal, check.timeoutMs)]);
  } catch (error) {
    outcome = {
      status: 'critical',
      output: `probe failed: ${(error as Error).message}`,
      reason: 'probe_error',
    };
  }
  const output =
    outcome.output.length > maxOutput ? `${outcome.output.slice(0, maxOutput)}… (truncated)` : outcome.output;
  return {
    status: outcome.status,
    output,
    ...(outcome.reason ? { reason: outcome.reason } : {}),
    durationMs: performance.now() - started,
    at,
  };
}

function deadline(
  signal: AbortSignal,
  timeoutMs: number,
): Promise<{ status: 'critical'; output: string; reason: string }> {
  return new Promise((resolve) => {
    const fire = (): void =>
      resolve({
        status: 'critical',
        output: `no result within the ${timeoutMs}ms timeout`,
        reason: 'timeout',
      });
    if (signal.aborted) fire();
    else signal.addEventListener('abort', fire, { once: true });
  });
}
