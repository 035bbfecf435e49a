import { basename, dirname, resolve } from 'node:path';
import { resolveComposeFiles } from '../compose/files.js';
import { type LoadComposeOptions, loadComposeProject, normalizeProjectName } from '../compose/load.js';
import { PorticoError } from '../core/errors.js';
import { findManifest, loadManifest } from '../discovery/sources/manifest/load-manifest.js';
import { findProjectDir } from './find.js';
import { defaultProjectName, type Project, type ProjectSelector } from './model.js';

export interface LoadProjectOptions {
  /** Throw E_PROJECT_NOT_FOUND instead of returning undefined when no project is found. */
  required?: boolean;
}

/**
 * Load the project a command is about, once: compose files (with profiles, include, .env) and
 * portico.yaml, from -f / --manifest or found upward from the working directory. An invalid
 * file is a coded error (E_COMPOSE_*, E_MANIFEST_INVALID) — never skipped, never swallowed.
 * Undefined when there is nothing here and nothing was named.
 */
export async function loadProject(
  selector: ProjectSelector,
  options: LoadProjectOptions = {},
): Promise<Project | undefined> {
  const { cwd, env } = selector;
  const explicitCompose = Boolean(selector.composeFiles?.length) || Boolean(env.COMPOSE_FILE);
  const found = findProjectDir(cwd);
  const composeFiles = explicitCompose
    ? resolveComposeFiles(selector.composeFiles, cwd, env)
    : found?.composeFiles;
  const dir = composeFiles ? dirname(composeFiles[0]!) : (found?.dir ?? resolve(cwd));
  const manifestPath = selector.manifest
    ? findManifest(cwd, selector.manifest)
    : (findManifest(dir) ?? (explicitCompose ? undefined : found?.manifest));

  if (!composeFiles && !manifestPath) {
    if (!options.required) return undefined;
    throw notFound(cwd);
  }
  const composeOptions: LoadComposeOptions = {
    files: composeFiles,
    cwd: dir,
    env,
    ...(selector.profiles?.length ? { profiles: selector.profiles } : {}),
  };
  const compose = composeFiles ? await loadComposeProject(composeOptions) : undefined;
  const manifest = manifestPath ? { path: manifestPath, data: loadManifest(manifestPath) } : undefined;
  const name =
    selector.name ??
    compose?.name ??
    (normalizeProjectName(env.COMPOSE_PROJECT_NAME || basename(dir)) || defaultProjectName);
  return {
    name: validateName(name),
    dir,
    ...(compose ? { compose } : {}),
    ...(manifest ? { manifest } : {}),
    files: [...(compose?.files ?? []), ...(manifest ? [manifest.path] : [])],
  };
}

/**
 * The project name a command works in (catalog namespace, reservation owner): --project, else
 * the project found from the working directory, else "default". Loads the project to know.
 */
export async function currentProjectName(selector: ProjectSelector): Promise<string> {
  if (selector.name) return validateName(selector.name);
  return namespaceOf(selector, await loadProject(selector));
}

/** The catalog namespace for a command: --project, else the project found here, else "default". */
export function namespaceOf(selector: ProjectSelector, project: Project | undefined): string {
  return selector.name ? validateName(selector.name) : (project?.name ?? defaultProjectName);
}

/** Project names as compose allows them: lowercase letters, digits, "-" and "_". */
export function validateName(name: string): string {
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(name)) {
    throw new PorticoError('E_USAGE', `--project "${name}" is not a valid project name`, {
      hint: 'Use lowercase letters, digits, "-" and "_", starting with a letter or digit (as compose does).',
    });
  }
  return name;
}

function notFound(cwd: string): PorticoError {
  return new PorticoError(
    'E_PROJECT_NOT_FOUND',
    `no project in ${cwd} or its parents: no compose.yaml, docker-compose.yml or portico.yaml`,
    {
      hint: 'Run inside a project folder, point at one with -C DIR, or name files with -f compose.yaml.',
    },
  );
}
