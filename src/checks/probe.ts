import type { CertificateSeen, CheckDefinition, CheckResult, HealthStatus } from '../core/model.js';
import type { StepRecord } from '../net/steps.js';

/** Where a probe points: the instance's address and port (a check may override the port). */
export interface ProbeTarget {
  address: string;
  port: number;
  instanceId?: string;
}

/** The last report of a TTL check, as recorded by `portico discovery pass|warn|fail`. */
export interface TtlReport {
  status: HealthStatus;
  output: string;
  at: number;
}

export interface ProbeContext {
  /** Aborted at the check's timeout or when the caller stops. */
  signal: AbortSignal;
  timeoutMs: number;
  /** For credentials referenced by name (passwordEnv); never copied into output. */
  env: NodeJS.ProcessEnv;
  now: () => number;
  ttlReport?: (instanceId: string, checkId: string) => TtlReport | undefined;
  /**
   * The probe is about to only wait (an open socket and a timer, no work): a scheduler may give
   * its concurrency slot to the next check. Called at most once, before the wait.
   */
  waiting?: () => void;
}

/** What a probe decides; runCheck adds timing and truncation, and judges the steps. */
export interface ProbeOutcome {
  status: HealthStatus;
  output: string;
  reason?: string;
  /**
   * The steps the probe ran (connect, tls, request, read, parse). runCheck never reports
   * `passing` when one of them failed, whatever `status` says.
   */
  steps?: StepRecord[];
  /** The certificate a TLS probe saw, whatever it decided. */
  certificate?: CertificateSeen;
}

/** Records the steps of one probe run and attaches them to its outcome. */
export class StepLog {
  readonly steps: StepRecord[] = [];
  ok(name: string, detail?: string): void {
    this.steps.push(detail ? { name, ok: true, detail } : { name, ok: true });
  }
  failed(name: string, detail: string): void {
    this.steps.push({ name, ok: false, detail });
  }
  /** The outcome with these steps attached. */
  with(outcome: ProbeOutcome): ProbeOutcome {
    return { ...outcome, steps: this.steps };
  }
}

/** One kind of health check. Implementations live in probes/<kind>.ts, registered in probes/index.ts. */
export interface Probe<D extends CheckDefinition = CheckDefinition> {
  readonly kind: D['kind'];
  run(check: D, target: ProbeTarget, ctx: ProbeContext): Promise<ProbeOutcome>;
}

export type { CheckResult };

export function passing(output: string): ProbeOutcome {
  return { status: 'passing', output };
}

export function warning(output: string, reason?: string): ProbeOutcome {
  return reason ? { status: 'warning', output, reason } : { status: 'warning', output };
}

export function critical(output: string, reason: string): ProbeOutcome {
  return { status: 'critical', output, reason };
}

/** The port a check probes: its own override, else the instance's. */
export function portOf(check: { port?: number }, target: ProbeTarget): number {
  return check.port ?? target.port;
}
