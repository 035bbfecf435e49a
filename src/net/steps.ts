import { AsyncLocalStorage } from 'node:async_hooks';

/** One step of a probe or check: connect, TLS, request, read, parse… and whether it succeeded. */
export interface StepRecord {
  name: string;
  ok: boolean;
  detail?: string;
}

/**
 * Where steps go when code that records them (runCheck) runs inside a diagnose check: the runner
 * sets the recorder for the duration of the check, so a health probe used by a check counts as
 * a step of that check without the check having to copy it.
 */
export const ambientSteps = new AsyncLocalStorage<(step: StepRecord) => void>();
