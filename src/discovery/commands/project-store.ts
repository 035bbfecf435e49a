import type { CommandContext } from '../../core/command-context.js';
import { loadProject, namespaceOf, type Project, selectorFor } from '../../project/index.js';
import { manifestStoreOf, openStore, type Store } from '../../store/index.js';

export interface ProjectStore {
  /** The catalog, scoped to the project's namespace. */
  store: Store;
  namespace: string;
  /** The project's files, when there is a project here. */
  project: Project | undefined;
}

/**
 * The project a discovery command is about and its namespace in the catalog, loaded once. A
 * broken compose file or portico.yaml is an error here (exit 2), not a silently empty project.
 */
export async function openProjectStore(
  ctx: CommandContext,
  opts: { store?: string | undefined; file?: string[] | undefined; manifest?: string | undefined },
): Promise<ProjectStore> {
  const { project, namespace } = await loadProjectOf(ctx, opts);
  const store = await openStore(opts.store, ctx.env, namespace, manifestStoreOf(project));
  return { store, namespace, project };
}

/** The project and its namespace, without opening the store (a running agent may answer). */
export async function loadProjectOf(
  ctx: CommandContext,
  opts: { file?: string[] | undefined; manifest?: string | undefined },
): Promise<{ project: Project | undefined; namespace: string }> {
  const selector = selectorFor(ctx, opts);
  const project = await loadProject(selector);
  return { project, namespace: namespaceOf(selector, project) };
}
