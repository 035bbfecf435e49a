import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LineCounter, type Node, parseDocument } from 'yaml';
import { PorticoError } from '../../../core/errors.js';
import { type Manifest, manifestSchema } from './schema.js';

export const manifestNames = ['portico.yaml', 'portico.yml'];

/** The manifest path: explicit, else portico.yaml / portico.yml in cwd; undefined if none. */
export function findManifest(cwd: string, explicit?: string): string | undefined {
  if (explicit) {
    const path = resolve(cwd, explicit);
    if (!existsSync(path)) throw new PorticoError('E_FILE_NOT_FOUND', `manifest ${path} does not exist`);
    return path;
  }
  return manifestNames.map((n) => join(cwd, n)).find((p) => existsSync(p));
}

/** Parse and validate; every error names file:line:column and the field. */
export function loadManifest(path: string): Manifest {
  const text = readFileSync(path, 'utf8');
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const p = lines.linePos(e.pos[0]);
    throw invalid(`${path}:${p.line}:${p.col}: ${e.message.split('\n')[0]}`);
  }
  const parsed = manifestSchema.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path_ = issue.path as Array<string | number>;
    // Point at the deepest node that exists: the field itself, or its parent when it is missing.
    let node: Node | undefined;
    for (let n = path_.length; n >= 0 && !node?.range; n--)
      node = doc.getIn(path_.slice(0, n), true) as Node | undefined;
    const at = node?.range ? lines.linePos(node.range[0]) : { line: 1, col: 1 };
    const field = path_.join('.') || '(top level)';
    throw invalid(`${path}:${at.line}:${at.col}: ${field}: ${issue.message}`);
  }
  return parsed.data;
}

function invalid(message: string): PorticoError {
  return new PorticoError('E_MANIFEST_INVALID', message, {
    hint: 'See "portico.yaml" in the README for the format.',
  });
}
