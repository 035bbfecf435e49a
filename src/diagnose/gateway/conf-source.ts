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
