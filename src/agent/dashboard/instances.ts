import { setImmediate } from 'node:timers/promises';
import type { CheckState, HealthStatus, Instance } from '../../core/model.js';
import { instanceStatus, worstOf } from '../../discovery/status.js';
import { type InstanceView, readCatalog } from '../context.js';
import type { DashboardSources } from './sources.js';

type Status = HealthStatus | 'unknown';

/** How far back the sparkline and the availability figure look. */
export const historyWindowMs = 60 * 60 * 1000;
/** How far back to look for the status an instance had when the window opened. */
const lookbackMs = 24 * 60 * 60 * 1000;

/** How many instances are drawn between two turns of the event loop. */
const drawChunk = 250;

const rank: Record<Status, number> = { passing: 0, unknown: 1, warning: 2, critical: 3 };

/**
 * Services and their instances with what the dashboard draws: current status per check, the
 * status over the last hour as segments (the sparkline), and availability — the share of the
 * hour the instance was passing, over the time its status was known. `catalog`: the version to
 * draw (the agent passes the one it caches the result on); read from the store when not given.
 */
export async function buildInstances(
  src: DashboardSources,
  now = Date.now(),
  catalog?: readonly InstanceView[],
) {
  const store = src.store();
  const views = catalog ?? (await readCatalog(store));
  const from = now - historyWindowMs;
  // Every instance's history in one read (one query, or one etcd range), not one per instance.
  const histories = await store.histories(now - lookbackMs);
  const draw = ({ instance, states }: InstanceView) => {
    const changes = histories.get(instance.id) ?? [];
    const segments = timeline(instance, states, changes, from, now);
    return {
      id: instance.id,
      service: instance.service,
      address: instance.address,
      port: instance.port,
      protocol: instance.protocol,
      source: instance.source,
      tags: instance.tags,
      status: instanceStatus(instance, states),
      checks: instance.checks.map((c) => {
        const s = states.find((x) => x.checkId === c.id);
        return {
          id: c.id,
          kind: c.kind,
          intervalMs: c.intervalMs,
          status: (s?.status ?? 'unknown') as Status,
          output: s?.output ?? '',
          since: s?.since ?? null,
        };
      }),
      segments,
      availability: availability(segments),
    };
  };
  const instances: Array<ReturnType<typeof draw>> = [];
  // A few hundred instances at a time, letting the event loop run in between: replaying
  // thousands of histories in one go would hold every API request back for the whole drawing.
  for (let i = 0; i < views.length; i += drawChunk) {
    if (i > 0) await setImmediate();
    instances.push(...views.slice(i, i + drawChunk).map(draw));
  }
  const services = [...new Set(instances.map((i) => i.service))].map((name) => {
    const list = instances.filter((i) => i.service === name);
    const known = list.filter((i) => i.availability !== null);
    return {
      name,
      status: worstOf(list.map((i) => i.status)),
      instances: list.length,
      passing: list.filter((i) => i.status === 'passing').length,
      availability: known.length
        ? Math.round((known.reduce((a, i) => a + i.availability!, 0) / known.length) * 10) / 10
        : null,
    };
  });
  return { project: src.project(), window: { from, to: now }, services, instances };
}

interface Segment {
  from: number;
  to: number;
  status: Status;
}

/** The instance's status (worst of its checks) over [from, to], replayed from the transitions. */
function timeline(
  instance: Instance,
  states: CheckState[],
  changes: Array<{ checkId: string; status: HealthStatus; at: number }>,
  from: number,
  to: number,
): Segment[] {
  if (instance.checks.length === 0) return [{ from, to, status: 'passing' }];
  const current = new Map<string, Status>(instance.checks.map((c) => [c.id, 'unknown']));
  const worst = (): Status =>
    [...current.values()].reduce<Status>((a, b) => (rank[b] > rank[a] ? b : a), 'passing');
  const sorted = [...changes].sort((a, b) => a.at - b.at);
  // A check whose state predates the lookback has no transition in range: it held its state since.
  for (const s of states) if (!sorted.some((c) => c.checkId === s.checkId)) current.set(s.checkId, s.status);
  const segments: Segment[] = [];
  let at = from;
  let status = worst();
  for (const change of sorted) {
    if (!current.has(change.checkId)) continue;
    current.set(change.checkId, change.status);
    const next = worst();
    if (change.at <= from) {
      status = next;
      continue;
    }
    if (next === status) continue;
    segments.push({ from: at, to: Math.min(change.at, to), status });
    at = Math.min(change.at, to);
    status = next;
  }
  segments.push({ from: at, to, status });
  return segments.filter((s) => s.to > s.from);
}

/** Percent of the known time spent passing; null when the status was never known. */
function availability(segments: Segment[]): number | null {
  let known = 0;
  let up = 0;
  for (const s of segments) {
    if (s.status === 'unknown') continue;
    known += s.to - s.from;
    if (s.status === 'passing') up += s.to - s.from;
  }
  return known > 0 ? Math.round((up / known) * 1000) / 10 : null;
}
