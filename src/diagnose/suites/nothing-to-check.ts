import type { Category, Check } from '../finding.js';

/** Why the service-based suites (connectivity, performance) can have nothing to look at. */
export const noServicesKnown = 'no services known here (compose file, portico.yaml or the discovery catalog)';

/**
 * A suite's checks, or, when it found nothing to look at, one check that reports the suite as
 * skipped with the reason, so an empty suite never reads as a pass.
 */
export function orSkipped(checks: Check[], category: Category, title: string, reason: string): Check[] {
  if (checks.length > 0) return checks;
  return [
    {
      id: `${category}.none`,
      category,
      title,
      async run(ctx) {
        ctx.skip(reason);
        return [];
      },
    },
  ];
}
