import { AsyncLocalStorage } from 'node:async_hooks';

/** One step of a probe or check: connect, TLS, request, read, parse… and whether it succeeded. */
export interface StepRecord {
  name: string;
  ok: boolean;
  detail?: string;
}

export interface StepRecorder {
  /** A step whose result counts, failed or not (runCheck's probe result). */
  record(step: StepRecord): void;
  /**
   * A network exchange that succeeded (a TCP connect, a TLS handshake, an HTTP answer). It is
   * proof that a check which reports no steps of its own did look at something; failures are
   * not observed here, because a check may expect them (probing whether a port speaks HTTP).
   */
  observe(step: StepRecord): void;
}

/**
 * Where steps go when code that records them runs inside a diagnose check: the runner sets the
 * recorder for the duration of the check, so a health probe or a network primitive used by a
 * check counts as a step of it without the check having to copy it.
 */
export const ambientSteps = new AsyncLocalStorage<StepRecorder>();

/** Note a successful exchange for the check running now, if any. */
export function observeStep(name: string, detail?: string): void {
  ambientSteps.getStore()?.observe(detail ? { name, ok: true, detail } : { name, ok: true });
}
