import { ApiError } from '../http/router.js';

/**
 * The basics of Consul's `?filter=` expressions, evaluated against the response entries:
 * `Sel == "v"`, `Sel != "v"`, `"v" in Sel`, `"v" not in Sel`, `Sel contains "v"`,
 * `Sel not contains "v"`, `Sel is empty`, `Sel is not empty`, joined by `and` / `or` (and binds
 * tighter), with `not (…)`-free grammar. Selectors are dotted paths into the entry as returned
 * (`Service.Tags`, `Service.Meta.env`, `ServiceName`). Anything else is a 400, never ignored.
 */
export type Filter = (entry: unknown) => boolean;

const quoted = String.raw`"((?:[^"\\]|\\.)*)"`;
const selector = String.raw`([A-Za-z_][\w]*(?:\.[\w-]+)*)`;
const forms: Array<[RegExp, (sel: string, value: string) => Filter]> = [
  [new RegExp(`^${selector}\\s*==\\s*${quoted}$`), (s, v) => (e) => scalar(get(e, s)) === v],
  [new RegExp(`^${selector}\\s*!=\\s*${quoted}$`), (s, v) => (e) => scalar(get(e, s)) !== v],
  [new RegExp(`^${quoted}\\s+not\\s+in\\s+${selector}$`), (v, s) => (e) => !has(get(e, s), v)],
  [new RegExp(`^${quoted}\\s+in\\s+${selector}$`), (v, s) => (e) => has(get(e, s), v)],
  [new RegExp(`^${selector}\\s+not\\s+contains\\s+${quoted}$`), (s, v) => (e) => !has(get(e, s), v)],
  [new RegExp(`^${selector}\\s+contains\\s+${quoted}$`), (s, v) => (e) => has(get(e, s), v)],
  [new RegExp(`^${selector}\\s+is\\s+not\\s+empty$`), (s) => (e) => !empty(get(e, s))],
  [new RegExp(`^${selector}\\s+is\\s+empty$`), (s) => (e) => empty(get(e, s))],
];

export function parseFilter(text: string): Filter {
  const anyOf = splitWord(text, 'or').map((part) =>
    splitWord(part, 'and').map((term) => parseTerm(term.trim(), text)),
  );
  return (entry) => anyOf.some((all) => all.every((f) => f(entry)));
}

function parseTerm(term: string, whole: string): Filter {
  for (const [pattern, make] of forms) {
    const m = pattern.exec(term);
    if (!m) continue;
    const [a, b] = [m[1]!, m[2] ?? ''];
    // Quoted strings are the first group in the `in` forms: keep (selector, value) order.
    return pattern.source.startsWith('^"') ? make(unquote(a), b) : make(a, unquote(b));
  }
  throw new ApiError(
    400,
    'E_API_BAD_REQUEST',
    `Failed to create boolean expression evaluator: cannot parse "${term}" in filter "${whole}"`,
  );
}

/** Split on a keyword outside quotes. */
function splitWord(text: string, word: string): string[] {
  const parts: string[] = [];
  let inQuote = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') i++;
    else if (c === '"') inQuote = !inQuote;
    else if (!inQuote && new RegExp(`^\\s${word}\\s`).test(text.slice(i, i + word.length + 2))) {
      parts.push(text.slice(start, i));
      start = i + word.length + 2;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

function unquote(s: string): string {
  return s.replace(/\\(.)/g, '$1');
}

function get(entry: unknown, path: string): unknown {
  let value: unknown = entry;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function scalar(value: unknown): string | undefined {
  return value === undefined || value === null || typeof value === 'object' ? undefined : String(value);
}

function has(value: unknown, wanted: string): boolean {
  if (Array.isArray(value)) return value.some((v) => String(v) === wanted);
  if (value && typeof value === 'object') return wanted in value;
  return typeof value === 'string' && value.includes(wanted);
}

function empty(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.keys(value).length === 0;
  return false;
}
