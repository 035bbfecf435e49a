import { readFileSync } from 'node:fs';
import { LineCounter, type Node, parseDocument } from 'yaml';
import type { z } from 'zod';
import type { ErrorCode } from './error-codes.js';
import { PorticoError } from './errors.js';

/**
 * Read a YAML file and validate it with a zod schema. Every error — YAML syntax or a bad field —
 * names `file:line:column` and the field path, so users fix the right line the first time.
 */
export function loadYamlConfig<S extends z.ZodType>(
  path: string,
  schema: S,
  code: ErrorCode,
  hint: string,
): z.output<S> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new PorticoError('E_FILE_NOT_FOUND', `cannot read ${path}`, { cause: error });
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const p = lines.linePos(e.pos[0]);
    throw new PorticoError(code, `${path}:${p.line}:${p.col}: ${e.message.split('\n')[0]}`, { hint });
  }
  const parsed = schema.safeParse(doc.toJS() ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const at = issue.path as Array<string | number>;
  // Point at the deepest node that exists: the field itself, or its parent when it is missing.
  let node: Node | undefined;
  for (let n = at.length; n >= 0 && !node?.range; n--)
    node = doc.getIn(at.slice(0, n), true) as Node | undefined;
  const pos = node?.range ? lines.linePos(node.range[0]) : { line: 1, col: 1 };
  throw new PorticoError(
    code,
    `${path}:${pos.line}:${pos.col}: ${at.join('.') || '(top level)'}: ${issue.message}`,
    { hint },
  );
}
