import type { CheckState, HealthStatus, Instance } from '../core/model.js';

export type InstanceStatus = HealthStatus | 'unknown';

const rank: Record<InstanceStatus, number> = { passing: 0, unknown: 1, warning: 2, critical: 3 };

/** An instance is as healthy as its worst check; no checks means passing; unchecked means unknown. */
export function instanceStatus(instance: Instance, states: CheckState[]): InstanceStatus {
  if (instance.checks.length === 0) return 'passing';
  let worst: InstanceStatus = 'passing';
  for (const check of instance.checks) {
    const s: InstanceStatus =
      states.find((x) => x.instanceId === instance.id && x.checkId === check.id)?.status ?? 'unknown';
    if (rank[s] > rank[worst]) worst = s;
  }
  return worst;
}

export function worstOf(statuses: InstanceStatus[]): InstanceStatus {
  return statuses.reduce<InstanceStatus>((a, b) => (rank[b] > rank[a] ? b : a), 'passing');
}
