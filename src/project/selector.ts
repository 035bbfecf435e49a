import type { ProjectSelector } from './model.js';

/** What a face (CLI, agent, MCP) knows when it asks for a project. */
export interface ProjectRequest {
  cwd: string;
  env: NodeJS.ProcessEnv;
  project?: { name?: string; profiles?: string[] };
}

/** The selector for a request plus a command's own -f / --manifest. */
export function selectorFor(
  request: ProjectRequest,
  files?: { file?: string[] | undefined; manifest?: string | undefined },
): ProjectSelector {
  return {
    cwd: request.cwd,
    env: request.env,
    ...(request.project?.name !== undefined ? { name: request.project.name } : {}),
    ...(request.project?.profiles?.length ? { profiles: request.project.profiles } : {}),
    ...(files?.file?.length ? { composeFiles: files.file } : {}),
    ...(files?.manifest ? { manifest: files.manifest } : {}),
  };
}
