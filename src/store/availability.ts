import type { HealthStatus } from '../core/model.js';
import type { StatusChange } from './store.js';

/**
 * Share of `[from, to]` during which the instance was up (no check critical), from its status
 * changes. Before the first known change the status is unknown and that time is not counted.
 */
export function availability(
  changes: StatusChange[],
  from: number,
  to: number,
): { ratio: number | null; observedMs: number } {
  const byCheck = new Map<string, StatusChange[]>();
  for (const c of changes) byCheck.set(c.checkId, [...(byCheck.get(c.checkId) ?? []), c]);
  const points = [...new Set(changes.map((c) => Math.max(from, c.at)).concat(from, to))]
    .filter((t) => t >= from && t <= to)
    .sort((a, b) => a - b);
  let up = 0;
  let observed = 0;
  for (let i = 0; i < points.length - 1; i++) {
    const start = points[i]!;
    const end = points[i + 1]!;
    const statuses = [...byCheck.values()]
      .map((list) => statusAt(list, start))
      .filter((s): s is HealthStatus => s !== undefined);
    if (statuses.length === 0) continue;
    observed += end - start;
    if (!statuses.includes('critical')) up += end - start;
  }
  return { ratio: observed > 0 ? up / observed : null, observedMs: observed };
}

function statusAt(list: StatusChange[], t: number): HealthStatus | undefined {
  let status: HealthStatus | undefined;
  for (const c of list) {
    if (c.at <= t) status = c.status;
    else break;
  }
  return status;
}
