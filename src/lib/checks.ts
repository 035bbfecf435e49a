/**
 * `portico/checks`: define a health check, run it once, or schedule many with rise/fall.
 */
import '../core/zod-messages.js';
import {
  type CheckInput,
  checkInputSchema,
  parseCheckSpecFrom,
  toCheckDefinition,
} from '../checks/define.js';
import { noSecretPolicy, refusal, type SecretPolicy } from '../checks/trust.js';
import { PorticoError } from '../core/errors.js';
import type { CheckDefinition, CheckOrigin } from '../core/model.js';

export type { CheckInput } from '../checks/define.js';
export { checkDefaults } from '../checks/define.js';
export type { ProbeTarget, TtlReport } from '../checks/probe.js';
export { probeKinds } from '../checks/probes/index.js';
export { type RunCheckOptions, runCheck } from '../checks/run-check.js';
export { type ScheduledCheck, Scheduler, type SchedulerOptions } from '../checks/scheduler.js';
export type { SecretPolicy } from '../checks/trust.js';
export type {
  CheckDefinition,
  CheckKind,
  CheckOrigin,
  CheckResult,
  CheckState,
  HealthStatus,
} from '../core/model.js';

export interface DefineCheckOptions {
  /**
   * Who wrote the check; it decides what the check may do (see "Trust boundary" in
   * ARCHITECTURE.md). Default `manifest`: code calling the library is as trusted as
   * portico.yaml. Pass `label` or `api` for input that comes from others.
   */
  origin?: CheckOrigin;
  /** Password variables an untrusted origin may name (PORTICO_* always may). */
  secrets?: SecretPolicy;
}

/**
 * A check from the CLI's spec string (`http:/health`, `tcp`, `ttl:30s`) or an object
 * (`{ kind: 'http', path: '/health', interval: '5s' }`), defaults filled in. Invalid input is
 * E_CHECK_INVALID; what the origin may not define is E_CHECK_UNTRUSTED.
 */
export function defineCheck(input: string | CheckInput, options: DefineCheckOptions = {}): CheckDefinition {
  const origin = options.origin ?? 'manifest';
  const secrets = options.secrets ?? noSecretPolicy;
  if (typeof input === 'string') return parseCheckSpecFrom(input, origin, secrets);
  const parsed = checkInputSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new PorticoError(
      'E_CHECK_INVALID',
      `invalid check: ${issue.path.join('.') || 'check'}: ${issue.message}`,
    );
  }
  const definition = toCheckDefinition(parsed.data, origin);
  // The object form obeys the same trust rule as the string form.
  const refused = refusal(definition as Parameters<typeof refusal>[0], secrets);
  if (refused) throw new PorticoError('E_CHECK_UNTRUSTED', refused);
  return definition;
}
