/**
 * Compose's merge rules for override files (-f a -f b) and `extends` (compose-go override/merge.go):
 * mappings merge key by key, sequences append, scalars are replaced; `environment`, `labels` and
 * friends merge as KEY=VALUE maps whichever form each side uses; `command`, `entrypoint` and
 * `healthcheck.test` are replaced whole; `networks` and `depends_on` merge as maps.
 * A value tagged `!override` replaces instead of merging; `!reset` removes what came before.
 */

export type Tagged = { reset: Set<unknown>; override: Set<unknown> };

const mergeAsMap = [
  'services.*.environment',
  'services.*.labels',
  'services.*.annotations',
  'services.*.sysctls',
  'services.*.build.args',
  'services.*.build.labels',
  'services.*.deploy.labels',
  'networks.*.labels',
  'volumes.*.labels',
];
const replaced = ['services.*.command', 'services.*.entrypoint', 'services.*.healthcheck.test'];
const listOrMap = ['services.*.networks', 'services.*.depends_on'];

function matches(path: string[], pattern: string): boolean {
  const parts = pattern.split('.');
  return parts.length === path.length && parts.every((p, i) => p === '*' || p === path[i]);
}

/** Values marked by the YAML tags; identity-based so they survive being passed around. */
export const tags: Tagged = { reset: new Set(), override: new Set() };

export function mergeValues(base: unknown, over: unknown, path: string[]): unknown {
  if (over !== null && typeof over === 'object' && tags.reset.has(over)) return undefined;
  if (over !== null && typeof over === 'object' && tags.override.has(over)) return over;
  if (over === undefined || over === null) return base;
  if (base === undefined || base === null) return over;
  if (replaced.some((p) => matches(path, p))) return over;
  if (mergeAsMap.some((p) => matches(path, p))) return { ...keyValueMap(base), ...keyValueMap(over) };
  if (listOrMap.some((p) => matches(path, p))) {
    if (Array.isArray(base) && Array.isArray(over)) return [...new Set([...base, ...over])];
    return mergeMaps(asMap(base), asMap(over), path);
  }
  if (Array.isArray(base) && Array.isArray(over)) return [...base, ...over];
  if (isPlainMap(base) && isPlainMap(over)) return mergeMaps(base, over, path);
  return over;
}

export function mergeMaps(
  base: Record<string, unknown>,
  over: Record<string, unknown>,
  path: string[],
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v !== null && typeof v === 'object' && tags.reset.has(v)) {
      delete out[k];
      continue;
    }
    out[k] = k in base ? mergeValues(base[k], v, [...path, k]) : v;
  }
  return out;
}

export function isPlainMap(v: unknown): v is Record<string, unknown> {
  return (
    v !== null && typeof v === 'object' && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype
  );
}

/** `[A=1, B]` or `{A: 1, B: null}` → a map of strings ('' for a key without value). */
export function keyValueMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(value)) {
    for (const entry of value) {
      const text = String(entry);
      const eq = text.indexOf('=');
      if (eq < 0) out[text] = '';
      else out[text.slice(0, eq)] = text.slice(eq + 1);
    }
  } else if (isPlainMap(value)) {
    for (const [k, v] of Object.entries(value)) out[k] = v === null || v === undefined ? '' : String(v);
  }
  return out;
}

function asMap(value: unknown): Record<string, unknown> {
  if (Array.isArray(value)) return Object.fromEntries(value.map((v) => [String(v), null]));
  return isPlainMap(value) ? value : {};
}

/** Drop values still tagged `!reset` after merging (a reset with nothing before it to remove). */
export function stripResets(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((v) => !isReset(v)).map(stripResets);
  if (isPlainMap(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (!isReset(v)) out[k] = stripResets(v);
    return out;
  }
  return value;
}

function isReset(v: unknown): boolean {
  return v !== null && typeof v === 'object' && tags.reset.has(v);
}
