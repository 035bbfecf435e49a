import { z } from 'zod';

/**
 * Input pieces shared by the tools. Every tool validates its arguments with these before any
 * Portico code runs; the command implementations then validate again as they do for the CLI.
 */

/** Which project a tool is about: the same three knobs as the CLI's -C, --project, --profile. */
export const projectShape = {
  directory: z
    .string()
    .min(1)
    .optional()
    .describe(
      "Project folder (holding compose.yaml or portico.yaml), relative to the server's folder (portico mcp -C DIR). Default: the server's folder.",
    ),
  project: z
    .string()
    .min(1)
    .optional()
    .describe("Project name: its catalog namespace and reservation owner (default: compose's project name)."),
  profiles: z.array(z.string().min(1)).optional().describe('Compose profiles to enable.'),
};

export type ProjectArgs = {
  directory?: string | undefined;
  project?: string | undefined;
  profiles?: string[] | undefined;
};

export const port = z.number().int().min(1).max(65535);

export const composeFiles = z
  .array(z.string().min(1))
  .optional()
  .describe(
    'Compose files, in merge order (like -f). Default: compose.yaml of the project folder and its override.',
  );

export const services = z.array(z.string().min(1)).optional().describe('Only these compose services.');

export const manifestFile = z
  .string()
  .min(1)
  .optional()
  .describe('portico.yaml to read (default: found with the project).');

/** Tools that change something take this, and refuse to act unless it is true. */
export const confirmShape = {
  confirm: z
    .boolean()
    .optional()
    .describe('Must be true: this tool changes state on the machine. Ask the user first.'),
};

/** commander's collect: an optional list becomes the option, an empty one is left out. */
export function listOption(values: string[] | undefined): string[] | undefined {
  return values && values.length > 0 ? values : undefined;
}
