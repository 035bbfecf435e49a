import type { Category, Check } from '../finding.js';

/** A check that reports a suite as skipped, with the reason, when it found nothing to look at. */
export function nothingToCheck(category: Category, title: string, reason: string): Check {
  return {
    id: `${category}.none`,
    category,
    title,
    async run(ctx) {
      ctx.skip(reason);
      return [];
    },
  };
}
