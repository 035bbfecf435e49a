import { readFileSync } from 'node:fs';
import { isMap, isScalar, LineCounter, type Node, parseDocument } from 'yaml';
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
  let message = issue.message;
  let field = at.join('.') || '(top level)';
  if (issue.code === 'unrecognized_keys') {
    // Point at the unknown key itself, and say which keys the mapping does accept.
    const key = issue.keys[0]!;
    const pair = isMap(node) ? node.items.find((p) => isScalar(p.key) && p.key.value === key) : undefined;
    if (isScalar(pair?.key) && pair.key.range) node = pair.key;
    field = [...at, key].join('.');
    const known = knownKeys(schema, at);
    message = `unknown key "${key}"${known.length ? ` (expected one of: ${known.join(', ')})` : ''}`;
  }
  const pos = node?.range ? lines.linePos(node.range[0]) : { line: 1, col: 1 };
  throw new PorticoError(code, `${path}:${pos.line}:${pos.col}: ${field}: ${message}`, { hint });
}

/** The keys a strict object accepts at `path` (records and arrays are walked through). */
function knownKeys(schema: z.ZodType, path: Array<string | number>): string[] {
  let current: unknown = schema;
  for (const step of path) {
    current = unwrap(current);
    const def = (
      current as { def?: { type?: string; shape?: object; valueType?: unknown; element?: unknown } }
    ).def;
    if (def?.type === 'object') current = (def.shape as Record<string, unknown>)[String(step)];
    else if (def?.type === 'record') current = def.valueType;
    else if (def?.type === 'array') current = def.element;
    else return [];
  }
  const def = (unwrap(current) as { def?: { type?: string; shape?: object } } | undefined)?.def;
  return def?.type === 'object' && def.shape ? Object.keys(def.shape) : [];
}

/** Through .default() / .optional() wrappers to the schema they wrap. */
function unwrap(schema: unknown): unknown {
  let s = schema as { def?: { type?: string; innerType?: unknown } } | undefined;
  while (s?.def && (s.def.type === 'default' || s.def.type === 'optional' || s.def.type === 'prefault'))
    s = s.def.innerType as typeof s;
  return s;
}
