import type { Check } from './finding.js';

/** --only / --skip take categories ("docker") or check ids / id prefixes ("connectivity:"). */
export function selectChecks(checks: Check[], only: string[] = [], skip: string[] = []): Check[] {
  const matches = (c: Check, names: string[]): boolean =>
    names.some((n) => c.category === n || c.id === n || c.id.startsWith(`${n}:`) || c.id.startsWith(`${n}.`));
  return checks.filter((c) => (only.length === 0 || matches(c, only)) && !matches(c, skip));
}
