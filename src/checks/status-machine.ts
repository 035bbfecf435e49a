import type { CheckResult, HealthStatus } from '../core/model.js';

/** Counters behind a settled status. */
export interface MachineState {
  status: HealthStatus;
  /** Consecutive non-critical results. */
  successes: number;
  /** Consecutive critical results. */
  failures: number;
  /** Epoch ms of the last status change. */
  since: number;
  /** False until the first result. */
  seeded: boolean;
}

export function initialState(now: number): MachineState {
  return { status: 'critical', successes: 0, failures: 0, since: now, seeded: false };
}

/**
 * Rise/fall, as HAProxy does it, with one visible step in between:
 * - the first result sets the status directly (a new instance needs no warm-up);
 * - while passing, failures below `fall` show as warning (degraded) and the `fall`-th
 *   consecutive failure makes it critical;
 * - while critical, it takes `rise` consecutive non-critical results to come back;
 * - a probe's own warning (certificate expiring, command exit 1, HTTP 429) is alive-but-unwell:
 *   it counts toward rise and is shown as warning.
 */
export function advance(
  state: MachineState,
  result: Pick<CheckResult, 'status' | 'at'>,
  rise: number,
  fall: number,
): MachineState {
  const ok = result.status !== 'critical';
  const successes = ok ? state.successes + 1 : 0;
  const failures = ok ? 0 : state.failures + 1;
  let status: HealthStatus;
  if (!state.seeded) status = result.status;
  else if (ok) status = state.status === 'critical' && successes < rise ? 'critical' : result.status;
  else status = state.status === 'critical' || failures >= fall ? 'critical' : 'warning';
  return {
    status,
    successes,
    failures,
    since: status === state.status && state.seeded ? state.since : result.at,
    seeded: true,
  };
}
