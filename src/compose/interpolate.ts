import { PorticoError } from '../core/errors.js';

export interface InterpolationResult {
  value: string;
  /** Variables referenced, in order. */
  variables: string[];
  /** Variables referenced without a default and not set (compose substitutes ""). */
  unset: string[];
}

/**
 * Compose variable interpolation: $VAR, ${VAR}, ${VAR:-default}, ${VAR-default},
 * ${VAR:?error}, ${VAR?error}, ${VAR:+alt}, ${VAR+alt}, nested defaults (${A:-${B}}), and $$ as a
 * literal dollar sign.
 */
export function interpolate(
  text: string,
  env: Record<string, string | undefined>,
  where: string,
): InterpolationResult {
  const variables: string[] = [];
  const unset: string[] = [];
  const value = expand(text, env, where, variables, unset);
  return { value, variables, unset };
}

function expand(
  text: string,
  env: Record<string, string | undefined>,
  where: string,
  vars: string[],
  unset: string[],
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
    if (next === '{') {
      const end = matchingBrace(text, i + 1);
      if (end < 0) throw invalid(`unterminated "\${" in "${text}"`, where);
      out += substitute(text.slice(i + 2, end), env, where, vars, unset);
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
    i += 1 + m[0].length;
  }
  return out;
}

function substitute(
  body: string,
  env: Record<string, string | undefined>,
  where: string,
  vars: string[],
  unset: string[],
): string {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([\s\S]*))?$/.exec(body);
  if (!m) throw invalid(`invalid variable reference "\${${body}}"`, where);
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
      return missing ? '' : expand(arg, env, where, vars, unset);
    default: // ':?' and '?'
      if (missing) {
        throw new PorticoError(
          'E_COMPOSE_VARIABLE',
          `${where}: required variable ${name} is not set: ${arg || 'no message'}`,
          {
            hint: `Set ${name} in the environment or in the project's .env file.`,
          },
        );
      }
      return value!;
  }
}

function matchingBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

function invalid(message: string, where: string): PorticoError {
  return new PorticoError('E_COMPOSE_INVALID', `${where}: ${message}`);
}
