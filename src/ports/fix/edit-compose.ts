import { isAlias, isCollection, isMap, isNode, isScalar, type Node, parseDocument, visit } from 'yaml';
import type { PortOrigin } from '../../compose/model.js';

/** Why an entry cannot be edited in place; the caller reports it as a manual fix. */
export type EditRefusal = { refused: string };

/**
 * Change one published host port in compose text by rewriting only the characters of that
 * value: comments, quoting, indentation, line endings and everything else stay byte-for-byte the
 * same. Handles a literal port and the default of `${VAR:-5432}`.
 */
export function editComposeHostPort(
  text: string,
  origin: PortOrigin,
  oldPort: number,
  newPort: number,
): string | EditRefusal {
  return rewriteHostPort(text, origin, (hostText) => replacePortText(hostText, oldPort, newPort));
}

/**
 * Replace the whole host-port part of one entry (`${DB_PORT}` in `"${DB_PORT}:5432"`, or the
 * `published:` value) with `replacement`, keeping the quotes around it and every other byte.
 */
export function replaceComposeHostPort(
  text: string,
  origin: PortOrigin,
  replacement: string,
): string | EditRefusal {
  return rewriteHostPort(text, origin, (hostText) => {
    const quote = hostText[0] === '"' || hostText[0] === "'" ? hostText[0] : '';
    return `${quote}${replacement}${quote}`;
  });
}

function rewriteHostPort(
  text: string,
  origin: PortOrigin,
  rewrite: (hostText: string) => string | undefined,
): string | EditRefusal {
  const doc = parseDocument(text, { keepSourceTokens: true, uniqueKeys: false });
  if (doc.errors.length > 0) return { refused: `${origin.file} does not parse as YAML` };
  const path: Array<string | number> = ['services', origin.service, 'ports', origin.index];
  const nodes: Node[] = [];
  let node: unknown = doc.contents;
  for (const step of path) {
    const child: unknown = isCollection(node) ? node.get(step, true) : undefined;
    if (!isNode(child) || isAlias(child) || !child.range) {
      return {
        refused: `"${origin.raw}" is not written directly at services.${origin.service}.ports[${origin.index}] (an alias or a merge key?)`,
      };
    }
    node = child;
    nodes.push(child);
  }
  const item = node as Node;
  const published = isMap(item) ? (item.get('published', true) as Node | undefined) : undefined;
  if (published) nodes.push(published);
  const shared = aliasedAnchors(doc);
  const anchored = nodes.find((n) => n.anchor && shared.has(n.anchor));
  if (anchored) {
    return {
      refused: `"${origin.raw}" is shared through the YAML anchor &${anchored.anchor}: editing it would move every alias too`,
    };
  }

  let start: number;
  let end: number;
  let source: string;
  if (isScalar(item) && item.range) {
    // Short syntax: find the host-port characters inside the scalar's source text.
    const whole = text.slice(item.range[0], item.range[1]);
    const quote = whole[0] === '"' || whole[0] === "'" ? 1 : 0;
    const inner = whole.slice(quote, whole.length - quote);
    const span = hostPortSpan(inner);
    if (!span) return { refused: `"${origin.raw}" has no host port to change` };
    start = item.range[0] + quote + span[0];
    end = item.range[0] + quote + span[1];
    source = text.slice(start, end);
  } else if (published?.range) {
    [start, end] = published.range;
    source = text.slice(start, end);
  } else {
    return { refused: `"${origin.raw}" has no host port to change` };
  }
  const replaced = rewrite(source);
  if (replaced === undefined) return { refused: `could not rewrite "${origin.raw}" safely` };
  return text.slice(0, start) + replaced + text.slice(end);
}

function aliasedAnchors(doc: ReturnType<typeof parseDocument>): Set<string> {
  const names = new Set<string>();
  visit(doc, {
    Alias(_, alias) {
      names.add(alias.source);
    },
  });
  return names;
}

/** The host-port segment of [HOST_IP:]HOST_PORT:CONTAINER_PORT[/proto], skipping ${…} and […]. */
export function hostPortSpan(inner: string): [number, number] | undefined {
  const colons: number[] = [];
  let depth = 0;
  let bracket = false;
  let end = inner.length;
  for (let i = 0; i < inner.length; i++) {
    const ch = inner[i];
    if (ch === '$' && inner[i + 1] === '{') depth++;
    else if (ch === '}' && depth > 0) depth--;
    else if (depth === 0 && ch === '[') bracket = true;
    else if (depth === 0 && ch === ']') bracket = false;
    else if (depth === 0 && !bracket && ch === ':') colons.push(i);
    else if (depth === 0 && ch === '/') {
      end = i;
      break;
    }
  }
  const inPart = colons.filter((c) => c < end);
  if (inPart.length === 0) return undefined; // "5432": ephemeral host port, nothing to change
  const last = inPart[inPart.length - 1]!;
  const before = inPart.length >= 2 ? inPart[inPart.length - 2]! + 1 : 0;
  return [before, last];
}

/** A literal port, or a ${VAR:-default} whose default is the port; keeps quotes and spaces. */
function replacePortText(text: string, oldPort: number, newPort: number): string | undefined {
  const quote = text[0] === '"' || text[0] === "'" ? text[0] : '';
  const inner = quote ? text.slice(1, -1) : text;
  if (inner.trim() === String(oldPort))
    return `${quote}${inner.replace(String(oldPort), String(newPort))}${quote}`;
  const m = /^(\s*)\$\{([A-Za-z_][A-Za-z0-9_]*)(:?-)(\d+)\}(\s*)$/.exec(inner);
  if (m && Number(m[4]) === oldPort) return `${quote}${m[1]}\${${m[2]}${m[3]}${newPort}}${m[5]}${quote}`;
  return undefined;
}
