/**
 * `portico/project`: find and load a project (compose files and/or portico.yaml) the way every
 * command does. A broken file is a PorticoError (E_COMPOSE_*, E_MANIFEST_INVALID), never an
 * empty project; `undefined` means there is no project at or above `cwd`.
 */
import '../core/zod-messages.js';

export type { ComposeProject, ComposeService, PublishedPort } from '../compose/model.js';
export { findProjectDir } from '../project/find.js';
export { loadProject, namespaceOf } from '../project/load.js';
export {
  defaultProjectName,
  type LoadedManifest,
  type Project,
  type ProjectSelector,
} from '../project/model.js';
