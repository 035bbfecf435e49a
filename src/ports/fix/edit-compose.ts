import { isMap, isScalar, type Node, parseDocument } from 'yaml';
import type { PortOrigin } from '../../compose/model.js';

/**
 * Change one published host port in compose text by rewriting only the characters of that
 * value: comments, quoting, indentation and everything else stay byte-for-byte the same.
 * Returns undefined when the entry is not something we can rewrite safely (caller reports it
 * as a manual fix).
 */
export function editComposeHostPort(
  text: string,
  origin: PortOrigin,
  oldPort: number,
  newPort: number,
): string | undefined {
  const doc = parseDocument(text, { keepSourceTokens: true });
  const item = doc.getIn(['services', origin.service, 'ports', origin.index], true) as Node | undefined;
  if (!item?.range) return undefined;
  if (isScalar(item)) {
    const [start, end] = item.range;
    const source = text.slice(start, end);
    const replaced = rewriteShortSyntax(source, oldPort, newPort);
    return replaced === undefined ? undefined : text.slice(0, start) + replaced + text.slice(end);
  }
  if (isMap(item)) {
    const published = item.get('published', true) as Node | undefined;
    if (!published?.range) return undefined;
    const [start, end] = published.range;
    const replaced = replacePortText(text.slice(start, end), oldPort, newPort);
    return replaced === undefined ? undefined : text.slice(0, start) + replaced + text.slice(end);
  }
  return undefined;
}

/** `"127.0.0.1:5432:5432"` → `"127.0.0.1:20345:5432"`; keeps quotes and the container side. */
function rewriteShortSyntax(source: string, oldPort: number, newPort: number): string | undefined {
  const quote = source[0] === '"' || source[0] === "'" ? source[0] : '';
  const inner = quote ? source.slice(1, -1) : source;
  const span = hostPortSpan(inner);
  if (!span) return undefined;
  const replaced = replacePortText(inner.slice(span[0], span[1]), oldPort, newPort);
  if (replaced === undefined) return undefined;
  return `${quote}${inner.slice(0, span[0])}${replaced}${inner.slice(span[1])}${quote}`;
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

/** A literal port, or a ${VAR:-default} whose default is the port. */
function replacePortText(text: string, oldPort: number, newPort: number): string | undefined {
  const quote = text[0] === '"' || text[0] === "'" ? text[0] : '';
  const inner = quote ? text.slice(1, -1) : text;
  if (inner.trim() === String(oldPort))
    return `${quote}${inner.replace(String(oldPort), String(newPort))}${quote}`;
  const m = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(:?-)(\d+)\}$/.exec(inner.trim());
  if (m && Number(m[3]) === oldPort) return `${quote}\${${m[1]}${m[2]}${newPort}}${quote}`;
  return undefined;
}
