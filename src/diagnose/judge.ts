import type { CheckOutcome, Finding, StepRecord } from './finding.js';

export interface Verdict {
  status: CheckOutcome['status'];
  findings: Finding[];
  error?: string;
}

/**
 * The one rule that decides a check's outcome from what it ran, so no check can pass by
 * forgetting a failure: `passed` only when the check ran at least one step, every step
 * succeeded, and it produced no finding. A failed step that no warning or error finding speaks
 * for becomes a generic CHECK_STEP_FAILED finding; a check that ran nothing and did not skip is
 * an `error` outcome ("nothing was verified"), never a pass.
 */
export function judgeOutcome(steps: StepRecord[], findings: Finding[], skipped: string | undefined): Verdict {
  const failed = steps.filter((s) => !s.ok);
  const serious = findings.some((f) => f.severity === 'error' || f.severity === 'warning');
  const all = [...findings];
  if (failed.length > 0 && !serious) all.push(stepFailed(failed));
  if (all.length > 0) return { status: 'findings', findings: all };
  if (skipped) return { status: 'skipped', findings: [] };
  if (steps.length === 0)
    return {
      status: 'error',
      findings: [],
      error: 'the check ran no step, so nothing was verified',
    };
  return { status: 'passed', findings: [] };
}

function stepFailed(failed: StepRecord[]): Finding {
  const first = failed[0]!;
  return {
    code: 'CHECK_STEP_FAILED',
    severity: 'error',
    title: `step "${first.name}" failed${first.detail ? `: ${first.detail}` : ''}`,
    evidence: failed.map((s) => `${s.name}: ${s.detail ?? 'failed'}`),
    why: 'A step of this check did not succeed, so what it verifies is not known to work.',
    fix: 'Run the check again with -v to see every step; the evidence names the one that failed.',
    data: { steps: failed.map((s) => s.name) },
  };
}
