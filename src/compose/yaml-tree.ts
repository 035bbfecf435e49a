import { type Alias, isAlias, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { PorticoError } from '../core/errors.js';

/**
 * A compose file as plain data, with what the data alone loses: the line every value was written
 * on (so any later error can say file:line), and the `!reset` / `!override` tags of the merge rules.
 * Anchors, aliases and merge keys (`<<: *x`) are resolved here, as compose's YAML reader does.
 */
export interface YamlTree {
  file: string;
  value: unknown;
  /** JSON pointer ("/services/web/ports/0") → 1-based line. */
  lines: Map<string, number>;
  /** JSON pointer → 1-based line of the key itself (for "unknown key" errors). */
  keyLines: Map<string, number>;
  /** Pointers of values tagged `!reset` (drop what earlier files set) or `!override` (replace, don't merge). */
  tags: Map<string, 'reset' | 'override'>;
}

/** How many values one file may expand to through aliases (a "billion laughs" file stops here). */
const maxValues = 200_000;

export function pointer(path: ReadonlyArray<string | number>): string {
  return path.map((p) => `/${String(p).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/** The line of `ptr`, or of its nearest ancestor that has one (values brought in by `<<`). */
export function lineAt(tree: Pick<YamlTree, 'lines'>, ptr: string): number {
  for (let p = ptr; ; p = p.slice(0, Math.max(0, p.lastIndexOf('/')))) {
    const line = tree.lines.get(p);
    if (line !== undefined) return line;
    if (p === '') return 1;
  }
}

export function readYamlTree(file: string, text: string): YamlTree {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, merge: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const pos = lineCounter.linePos(e.pos[0]);
    throw new PorticoError('E_COMPOSE_PARSE', `${file}:${pos.line}:${pos.col}: ${e.message.split('\n')[0]}`, {
      hint: 'Fix the YAML syntax at that line (indentation, quotes, a missing colon).',
    });
  }
  const lines = new Map<string, number>();
  const keyLines = new Map<string, number>();
  const tags = new Map<string, 'reset' | 'override'>();
  let budget = maxValues;
  const lineOf = (node: Node): number => (node.range ? lineCounter.linePos(node.range[0]).line : 1);
  const fail = (node: Node, message: string): PorticoError =>
    new PorticoError('E_COMPOSE_PARSE', `${file}:${lineOf(node)}: ${message}`, {
      hint: 'Fix the YAML at that line.',
    });

  const convert = (node: Node | null | undefined, ptr: string, depth: number): unknown => {
    if (node === null || node === undefined) return null;
    if (--budget < 0) throw fail(node, `the file expands to more than ${maxValues} values (aliases)`);
    if (depth > 200) throw fail(node, 'the file nests deeper than 200 levels');
    // A value's own line (a key without a value keeps its key's line, set by the caller).
    if (!lines.has(ptr) || !isAlias(node)) lines.set(ptr, lineOf(node));
    if (isAlias(node)) {
      const target = (node as Alias).resolve(doc);
      if (!target) throw fail(node, `unknown alias *${(node as Alias).source}`);
      return convert(target as Node, ptr, depth + 1);
    }
    if (node.tag === '!reset') tags.set(ptr, 'reset');
    if (node.tag === '!override') tags.set(ptr, 'override');
    if (isScalar(node)) {
      const v = node.value;
      // `!reset` / `!override` on a scalar leave the text as written; compose reads it as the value.
      return typeof v === 'bigint' ? Number(v) : v;
    }
    if (isSeq(node)) return node.items.map((item, i) => convert(item as Node, `${ptr}/${i}`, depth + 1));
    if (isMap(node)) {
      const out: Record<string, unknown> = {};
      const merged: Record<string, unknown> = {};
      for (const pair of node.items) {
        const keyNode = pair.key as Node | null;
        const key = isScalar(keyNode) ? keyNode.value : keyNode;
        if (isScalar(keyNode) && key === '<<' && keyNode.type === 'PLAIN') {
          // Merge key: earlier sources win over later ones, explicit keys over all of them.
          const sources = isSeq(pair.value) ? (pair.value.items as Node[]) : [pair.value as Node];
          for (const src of sources) {
            const own = lines.get(ptr);
            const value = convert(src, ptr, depth + 1);
            if (own !== undefined) lines.set(ptr, own);
            if (!value || typeof value !== 'object' || Array.isArray(value))
              throw fail(src ?? node, 'a merge key (<<) must refer to a mapping');
            for (const [k, v] of Object.entries(value)) if (!(k in merged)) merged[k] = v;
          }
          continue;
        }
        if (key !== null && typeof key === 'object')
          throw fail(keyNode ?? node, 'a mapping key must be a scalar');
        const name = String(key);
        if (keyNode) {
          lines.set(`${ptr}/${escapeKey(name)}`, lineOf(keyNode));
          keyLines.set(`${ptr}/${escapeKey(name)}`, lineOf(keyNode));
        }
        out[name] = convert(pair.value as Node | null, `${ptr}/${escapeKey(name)}`, depth + 1);
      }
      for (const [k, v] of Object.entries(merged)) if (!(k in out)) out[k] = v;
      return out;
    }
    return null;
  };
  const value = convert(doc.contents as Node | null, '', 0);
  return { file, value, lines, keyLines, tags };
}

function escapeKey(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}
