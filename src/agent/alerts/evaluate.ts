import { type ActiveAlert, type AlertSnapshot, evaluateRule } from './rules.js';
import type { AlertRule } from './schema.js';

/** An alert that has fired and not resolved yet. */
export interface FiringAlert {
  alert: ActiveAlert;
  startsAt: number;
  /** The receivers it is sent to. */
  receivers: string[];
  /** Those that took the firing message: only they get the resolve. */
  delivered: Set<string>;
}

export interface AlertChanges {
  fired: FiringAlert[];
  resolved: Array<FiringAlert & { endsAt: number }>;
}

/** Every rule on one snapshot; a key raised twice (two rules cannot share a name) counts once. */
export function evaluateAll(rules: AlertRule[], snap: AlertSnapshot): ActiveAlert[] {
  const byKey = new Map<string, ActiveAlert>();
  for (const rule of rules) for (const alert of evaluateRule(rule, snap)) byKey.set(alert.key, alert);
  return [...byKey.values()];
}

/**
 * Dedupe: which alerts are firing, by key. An alert fires once when its key appears and resolves
 * once when the key is gone; while it holds, later evaluations send nothing (its summary may
 * change — "down since" stays, output varies — without a new message).
 */
export class AlertBook {
  private readonly firing = new Map<string, FiringAlert>();

  /** The difference between what fires now and what the previous evaluation left firing. */
  update(active: ActiveAlert[], now: number, receiversOf: (alert: ActiveAlert) => string[]): AlertChanges {
    const changes: AlertChanges = { fired: [], resolved: [] };
    const keys = new Set(active.map((a) => a.key));
    for (const [key, entry] of this.firing) {
      if (keys.has(key)) continue;
      this.firing.delete(key);
      changes.resolved.push({ ...entry, endsAt: now });
    }
    for (const alert of active) {
      const entry = this.firing.get(alert.key);
      if (entry) {
        entry.alert = alert;
        continue;
      }
      const fired = { alert, startsAt: now, receivers: receiversOf(alert), delivered: new Set<string>() };
      this.firing.set(alert.key, fired);
      changes.fired.push(fired);
    }
    return changes;
  }

  list(): FiringAlert[] {
    return [...this.firing.values()].sort(
      (a, b) => a.startsAt - b.startsAt || a.alert.key.localeCompare(b.alert.key),
    );
  }
}
