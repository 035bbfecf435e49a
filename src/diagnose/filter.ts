import { PorticoError } from '../core/errors.js';
import type { Category, Check } from './finding.js';

/** Every category a check can have: valid in --only / --skip whatever the suite. */
export const categories: Category[] = [
  'ports',
  'connectivity',
  'api-gateway',
  'database',
  'docker',
  'performance',
  'security',
];

/**
 * --only / --skip take categories ("docker") or check ids / id prefixes ("connectivity:"). A
 * name that is neither a category nor matches a check of this run is a usage error (exit 2)
 * naming the valid ones: a typo must not silently select nothing and report "nothing wrong".
 */
export function selectChecks(checks: Check[], only: string[] = [], skip: string[] = []): Check[] {
  const matchesName = (c: Check, n: string): boolean =>
    c.category === n || c.id === n || c.id.startsWith(`${n}:`) || c.id.startsWith(`${n}.`);
  for (const [flag, names] of [
    ['--only', only],
    ['--skip', skip],
  ] as const) {
    const unknown = names.filter(
      (n) => !(categories as string[]).includes(n) && !checks.some((c) => matchesName(c, n)),
    );
    if (unknown.length > 0) {
      const ids = checks.map((c) => c.id);
      throw new PorticoError(
        'E_USAGE',
        `${flag} ${unknown.map((n) => `"${n}"`).join(', ')}: no such category or check`,
        {
          hint: `Categories: ${categories.join(', ')}.${ids.length ? ` Checks here: ${ids.slice(0, 20).join(', ')}${ids.length > 20 ? `, … (${ids.length - 20} more)` : ''}.` : ''}`,
        },
      );
    }
  }
  const matches = (c: Check, names: string[]): boolean => names.some((n) => matchesName(c, n));
  return checks.filter((c) => (only.length === 0 || matches(c, only)) && !matches(c, skip));
}
