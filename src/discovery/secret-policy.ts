import type { SecretPolicy } from '../checks/trust.js';
import { findManifest, loadManifest } from './sources/manifest/load-manifest.js';

/**
 * The user's allow-list of password variables labels may name, from portico.yaml
 * `secrets.allowEnv` (none when there is no manifest). Read here, by the command, so sources
 * receive it in their options and read no files of their own for it.
 */
export function secretPolicy(cwd: string, manifest?: string): SecretPolicy {
  const path = findManifest(cwd, manifest);
  return { allowEnv: path ? loadManifest(path).secrets.allowEnv : [] };
}
