import { readFileSync } from 'node:fs';
import { expandGlob, globMatches, hasGlob } from './glob.js';

/**
 * Where a configuration's files come from: the file system (Portico reads them), or the
 * expanded text a gateway printed (`nginx -T`), so one parser serves both.
 */
export interface ConfSource {
  /** The text of one file; throws (with a message a user can act on) when it cannot be read. */
  read(path: string): string;
  /** The files an include names, as absolute paths in the order the gateway reads them. */
  include(absolutePattern: string): string[];
}

export const fileSystemSource: ConfSource = {
  read: (path) => readFileSync(path, 'utf8'),
  include: (pattern) => (hasGlob(pattern) ? expandGlob(pattern) : [pattern]),
};

/** Files a gateway printed, by absolute path; includes resolve against them only. */
export function dumpSource(files: Map<string, string>, tool: string): ConfSource {
  return {
    read(path) {
      const text = files.get(path);
      if (text === undefined) throw new Error(`${path} is not in the output of ${tool}`);
      return text;
    },
    include: (pattern) =>
      hasGlob(pattern) ? [...files.keys()].filter((f) => globMatches(pattern, f)).sort() : [pattern],
  };
}

/** A source whose main file's text is given (tests, stdin); other files come from disk. */
export function withMainText(main: string, text: string, rest: ConfSource = fileSystemSource): ConfSource {
  return { read: (path) => (path === main ? text : rest.read(path)), include: rest.include };
}

/** A configuration the parser could not read: file:line and what was wrong. */
export class ConfSyntaxError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    message: string,
  ) {
    super(`${file}:${line}: ${message}`);
    this.name = 'ConfSyntaxError';
  }
}

export interface IncludeStep {
  file: string;
  /** The files being read, outermost first: an include of one of them is a cycle. */
  stack: string[];
  /** The include/import line that names `file` (absent for the main file). */
  at?: { file: string; line: number } | undefined;
  /** Every file read so far; `file` is added. */
  files: string[];
  keyword: 'include' | 'import';
  maxDepth?: number;
}

/**
 * The text of a file an `include` (nginx) or `import` (Caddy) names: cycles and runaway nesting
 * are refused, and a file that cannot be read is reported at the line that includes it.
 */
export function readIncluded(source: ConfSource, step: IncludeStep): string {
  const { file, stack, at, keyword } = step;
  const where = { file: at?.file ?? file, line: at?.line ?? 0 };
  if (stack.includes(file))
    throw new ConfSyntaxError(where.file, where.line, `${keyword} cycle: ${[...stack, file].join(' → ')}`);
  if (step.maxDepth !== undefined && stack.length > step.maxDepth)
    throw new ConfSyntaxError(where.file, where.line, `${keyword}s nested deeper than ${step.maxDepth}`);
  let text: string;
  try {
    text = source.read(file);
  } catch (error) {
    if (!at) throw error;
    throw new ConfSyntaxError(at.file, at.line, `${keyword} ${file}: ${(error as Error).message}`);
  }
  if (!step.files.includes(file)) step.files.push(file);
  return text;
}
