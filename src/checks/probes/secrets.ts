import type { CheckOrigin } from '../../core/model.js';
import { critical, type ProbeOutcome } from '../probe.js';
import { sharedSecretPrefix } from '../trust.js';

/** Credentials are referenced by environment variable name, never stored in the catalog. */
export function secretFrom(name: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  return name ? env[name] : undefined;
}

export function missingSecret(name: string): ProbeOutcome {
  return critical(`the password variable ${name} is not set in Portico's environment`, 'config');
}

/**
 * The run-time half of the secrets rule (parsing checks label origins against the user's
 * allow-list): a check of unknown origin — a catalog row written before origins existed, which
 * may have come from a label — may name only a `PORTICO_*` variable until it is registered again.
 */
export function refuseSecret(check: {
  origin?: CheckOrigin;
  passwordEnv?: string;
}): ProbeOutcome | undefined {
  if (check.origin !== undefined || check.passwordEnv === undefined) return undefined;
  if (check.passwordEnv.startsWith(sharedSecretPrefix)) return undefined;
  return critical(
    `refused to send ${check.passwordEnv} for a check of unknown origin: register it again (discovery discover --register, or register --check) so Portico knows it came from portico.yaml or the command line`,
    'untrusted',
  );
}
