import { loadProject, namespaceOf, type ProjectSelector } from '../project/index.js';
import { openStore } from './index.js';
import { manifestStoreOf } from './select.js';
import type { Store } from './store.js';

/**
 * The catalog of the project a command runs for, scoped to its namespace: --store >
 * PORTICO_STORE > the project's portico.yaml `store:` > the default catalog.db. The project is
 * loaded first, so a broken project file opens nothing.
 */
export async function openProjectCatalog(
  selector: ProjectSelector,
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<Store> {
  const project = await loadProject(selector);
  return await openStore(flag, env, namespaceOf(selector, project), manifestStoreOf(project));
}
