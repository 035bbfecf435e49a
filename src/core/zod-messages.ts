import { z } from 'zod';

/**
 * Messages a person can act on for every schema Portico validates (flags, portico.yaml,
 * portico-lb.yaml, check specs): what was expected and what was given, never zod's bare
 * "Invalid input". Call sites prefix the flag or file:line:col and field.
 */
export function describeIssue(issue: z.core.$ZodRawIssue): string | undefined {
  const got = shown(issue.input);
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined
        ? `is required (${article(issue.expected)})`
        : `expected ${article(issue.expected)}, got ${got}`;
    case 'invalid_value':
      return `must be ${issue.values.length === 1 ? shown(issue.values[0]) : `one of ${issue.values.map(shown).join(', ')}`}, got ${got}`;
    case 'invalid_union': {
      const { options, discriminator } = issue as { options?: unknown[]; discriminator?: string };
      if (discriminator) {
        const value = shown((issue.input as Record<string, unknown> | undefined)?.[discriminator]);
        return `${discriminator} must be one of ${(options ?? []).map(shown).join(', ')}, got ${value}`;
      }
      return `${got} matches none of the accepted forms`;
    }
    case 'too_small':
      return issue.origin === 'string'
        ? Number(issue.minimum) <= 1
          ? 'must not be empty'
          : `must be at least ${issue.minimum} characters`
        : issue.origin === 'array'
          ? `needs at least ${issue.minimum} item${Number(issue.minimum) === 1 ? '' : 's'}`
          : `must be ${issue.inclusive ? 'at least' : 'more than'} ${issue.minimum}, got ${got}`;
    case 'too_big':
      return issue.origin === 'string'
        ? `must be at most ${issue.maximum} characters`
        : issue.origin === 'array'
          ? `takes at most ${issue.maximum} items`
          : `must be ${issue.inclusive ? 'at most' : 'less than'} ${issue.maximum}, got ${got}`;
    case 'invalid_format':
      return `${got} is not a valid ${issue.format}`;
    case 'unrecognized_keys':
      return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    default:
      return undefined;
  }
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function shown(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return `"${value.length > 60 ? `${value.slice(0, 57)}…` : value}"`;
  if (value === null) return 'null (an empty value)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}

let installed = false;

/** Install the messages for every zod schema in this process (idempotent). */
export function installZodMessages(): void {
  if (installed) return;
  installed = true;
  z.config({ customError: (issue) => describeIssue(issue) });
}

installZodMessages();
