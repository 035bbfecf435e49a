import type { z } from 'zod';
import { checkInputSchema, parseCheckSpecFrom, toCheckDefinition, uniqueIds } from '../../checks/define.js';
import { refusal, type SecretPolicy } from '../../checks/trust.js';
import { PorticoError } from '../../core/errors.js';
import type { CheckDefinition } from '../../core/model.js';
import { ApiError } from '../http/router.js';

/**
 * Checks arriving over HTTP, in the CLI's spec form (`http:/health`) or portico.yaml's object
 * form. Always origin `api`: never a command, and passwordEnv only from the allow-list.
 */
export function apiChecks(
  inputs: Array<string | Record<string, unknown>>,
  policy: SecretPolicy,
): CheckDefinition[] {
  return uniqueIds(inputs.map((input) => apiCheck(input, policy)));
}

export function apiCheck(input: string | Record<string, unknown>, policy: SecretPolicy): CheckDefinition {
  if (typeof input === 'string') return parseCheckSpecFrom(input, 'api', policy);
  const parsed = checkInputSchema.safeParse(input);
  if (!parsed.success) throw badRequest('checks', parsed.error);
  const check = toCheckDefinition(parsed.data, 'api');
  const refused = refusal(check, policy);
  if (refused) throw new PorticoError('E_CHECK_UNTRUSTED', `check "${check.id}" rejected: ${refused}`);
  return check;
}

/** A zod failure as the API's 400: the first issue, with its path. */
export function badRequest(where: string, error: z.ZodError): ApiError {
  const issue = error.issues[0];
  const path = [where, ...(issue?.path ?? [])].filter((p) => p !== '').join('.');
  return new ApiError(400, 'E_API_BAD_REQUEST', `${path}: ${issue?.message ?? 'invalid'}`);
}
