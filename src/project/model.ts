import type { ComposeProject } from '../compose/model.js';
import type { Manifest } from '../discovery/sources/manifest/schema.js';

/**
 * A project: one folder with compose files and/or a `portico.yaml`, loaded once and handed to
 * every command. Its name follows compose (COMPOSE_PROJECT_NAME, `name:`, folder) and is also
 * its namespace in the catalog, so two projects never see or remove each other's instances.
 */
export interface Project {
  name: string;
  /** The project folder: where the compose file or portico.yaml was found. */
  dir: string;
  compose?: ComposeProject;
  manifest?: LoadedManifest;
  /** Every file the project was read from, in the order they were read. */
  files: string[];
}

export interface LoadedManifest {
  path: string;
  data: Manifest;
}

/** How a command points at a project: global flags plus the command's own -f / --manifest. */
export interface ProjectSelector {
  /** Where to start looking (cwd, or -C DIR). */
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** --project NAME: the catalog namespace, overriding the name the files give. */
  name?: string;
  /** --profile (repeatable); COMPOSE_PROFILES in env adds to it. */
  profiles?: string[];
  /** -f files of the command, in merge order. */
  composeFiles?: string[];
  /** --manifest FILE. */
  manifest?: string;
}

/** The namespace used when no project applies (commands run outside any project folder). */
export const defaultProjectName = 'default';
