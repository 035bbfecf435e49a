import { PorticoError } from '../core/errors.js';

/** Where one top-level reference landed in the result: `value.slice(start, end)` came from `name`. */
export interface VariableSpan {
  name: string;
  start: number;
  end: number;
}

export interface InterpolationResult {
  value: string;
  /** Variables referenced, in order. */
  variables: string[];
  /** Variables referenced without a default and not set (compose substitutes "" and warns). */
  unset: string[];
  /** Top-level references and the characters of `value` each produced. */
  spans: VariableSpan[];
}

type Env = Record<string, string | undefined>;

/**
 * Compose variable interpolation, as compose-go's template package does it: $VAR, ${VAR},
 * ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}, ${VAR:+alt}, ${VAR+alt}, nested
 * values (${A:-${B}}), and $$ for a literal dollar sign. A `$` not followed by a name or `{` stays
 * as written; a `${` that is not a valid reference is an error ("Invalid template").
 */
export function interpolate(text: string, env: Env, where: string): InterpolationResult {
  const variables: string[] = [];
  const unset: string[] = [];
  const spans: VariableSpan[] = [];
  const value = expand(text, env, where, variables, unset, spans);
  return { value, variables, unset, spans };
}

/** The message compose prints for an unset variable without a default. */
export function unsetWarning(name: string): string {
  return `The "${name}" variable is not set. Defaulting to a blank string.`;
}

function expand(
  text: string,
  env: Env,
  where: string,
  vars: string[],
  unset: string[],
  spans?: VariableSpan[],
): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch !== '$') {
      out += ch;
      i++;
      continue;
    }
    const next = text[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
      continue;
    }
    const start = out.length;
    if (next === '{') {
      const end = matchingBrace(text, i + 1);
      if (end < 0) throw invalid(text, where);
      const body = text.slice(i + 2, end);
      out += substitute(body, text, env, where, vars, unset);
      spans?.push({ name: /^[A-Za-z_][A-Za-z0-9_]*/.exec(body)?.[0] ?? '', start, end: out.length });
      i = end + 1;
      continue;
    }
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + 1));
    if (!m) {
      out += '$';
      i++;
      continue;
    }
    vars.push(m[0]);
    const v = env[m[0]];
    if (v === undefined) unset.push(m[0]);
    out += v ?? '';
    spans?.push({ name: m[0], start, end: out.length });
    i += 1 + m[0].length;
  }
  return out;
}

function substitute(
  body: string,
  template: string,
  env: Env,
  where: string,
  vars: string[],
  unset: string[],
): string {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([\s\S]*))?$/.exec(body);
  if (!m) throw invalid(template, where);
  const [, name, op, arg = ''] = m as unknown as [string, string, string | undefined, string | undefined];
  vars.push(name);
  const value = env[name];
  const missing = op?.startsWith(':') ? value === undefined || value === '' : value === undefined;
  switch (op) {
    case undefined:
      if (value === undefined) unset.push(name);
      return value ?? '';
    case ':-':
    case '-':
      return missing ? expand(arg, env, where, vars, unset) : value!;
    case ':+':
    case '+':
      return missing ? (value ?? '') : expand(arg, env, where, vars, unset);
    default: {
      // ':?' and '?'
      if (!missing) return value!;
      const reason = expand(arg, env, where, vars, []);
      throw new PorticoError(
        'E_COMPOSE_VARIABLE',
        `${where}: required variable ${name} is missing a value${reason ? `: ${reason}` : ''}`,
        { hint: `Set ${name} in the environment or in the project's .env file.` },
      );
    }
  }
}

/** The `}` closing the `{` at `open`, counting nested `${...}`. */
function matchingBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

function invalid(template: string, where: string): PorticoError {
  return new PorticoError('E_COMPOSE_INVALID', `${where}: Invalid template: ${JSON.stringify(template)}`, {
    hint: 'Write ${NAME}, ${NAME:-default}, ${NAME:?message} or $$ for a literal dollar sign.',
  });
}
