import type { CheckDefinition, CheckOrigin, CommandCheck } from '../core/model.js';

/**
 * The trust boundary for check definitions. Labels come from images pulled from registries, the
 * Docker engine and the network report what others wrote: they may describe how to probe a
 * service, never what runs on this host, and never which of Portico's secrets is sent where.
 *
 * | origin            | command checks                  | passwordEnv                         |
 * | ----------------- | ------------------------------- | ----------------------------------- |
 * | manifest, cli     | yes (host or container)         | any variable                        |
 * | compose           | healthcheck in its container    | (none defined)                      |
 * | label, docker, api | never                          | `PORTICO_*` or secrets.allowEnv     |
 */
export const trustedOrigins: readonly CheckOrigin[] = ['manifest', 'cli'];

/** Unknown (missing) origins are untrusted: a catalog row written before origins existed. */
export function isTrustedOrigin(origin: CheckOrigin | undefined): boolean {
  return origin !== undefined && trustedOrigins.includes(origin);
}

/** The prefix of variables any origin may name as passwordEnv. */
export const sharedSecretPrefix = 'PORTICO_';

/** What untrusted origins may reference; filled from portico.yaml `secrets.allowEnv`. */
export interface SecretPolicy {
  allowEnv: readonly string[];
}

export const noSecretPolicy: SecretPolicy = { allowEnv: [] };

/** Whether a check from `origin` may name `variable` as its password. */
export function mayUseSecret(
  origin: CheckOrigin | undefined,
  variable: string,
  policy: SecretPolicy,
): boolean {
  if (isTrustedOrigin(origin)) return true;
  return variable.startsWith(sharedSecretPrefix) || policy.allowEnv.includes(variable);
}

/**
 * Why a check from `origin` may not be accepted, or undefined when it may. The same rule guards
 * parsing (labels) and execution (the command probe), so a check that slipped into a catalog by
 * another path is still refused.
 */
export function refusal(
  check: Pick<CheckDefinition, 'kind' | 'origin'> & { passwordEnv?: string; container?: string },
  policy: SecretPolicy,
): string | undefined {
  const from = describeOrigin(check.origin);
  if (check.kind === 'command' && !mayRunCommand(check as CommandCheck))
    return `command checks cannot come from ${from}: only portico.yaml and the command line define commands`;
  if (check.passwordEnv !== undefined && !mayUseSecret(check.origin, check.passwordEnv, policy))
    return `passwordEnv=${check.passwordEnv} is not allowed from ${from}: name a ${sharedSecretPrefix}* variable, or list it under secrets.allowEnv in portico.yaml`;
  return undefined;
}

/** Commands run for trusted origins, and for a compose healthcheck inside its own container. */
export function mayRunCommand(check: Pick<CommandCheck, 'origin' | 'container'>): boolean {
  return isTrustedOrigin(check.origin) || (check.origin === 'compose' && check.container !== undefined);
}

function describeOrigin(origin: CheckOrigin | undefined): string {
  switch (origin) {
    case 'label':
      return 'a label';
    case 'docker':
      return 'the Docker engine';
    case 'api':
      return 'the network API';
    case 'compose':
      return 'a compose file';
    case undefined:
      return 'a check of unknown origin (re-register it)';
    default:
      return origin;
  }
}
