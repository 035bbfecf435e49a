export { findProjectDir } from './find.js';
export { currentProjectName, loadProject, namespaceOf, validateName } from './load.js';
export { defaultProjectName, type LoadedManifest, type Project, type ProjectSelector } from './model.js';
export { type ProjectRequest, selectorFor } from './selector.js';
