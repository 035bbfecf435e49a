import type { SecretPolicy } from '../checks/trust.js';
import type { Project } from '../project/model.js';

/**
 * The user's allow-list of password variables labels may name, from portico.yaml
 * `secrets.allowEnv` (none when there is no manifest). Taken from the project the command
 * loaded, so sources receive it in their options and read no files of their own for it.
 */
export function secretPolicy(project: Project | undefined): SecretPolicy {
  return { allowEnv: project?.manifest?.data.secrets.allowEnv ?? [] };
}
