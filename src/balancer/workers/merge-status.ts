import type { BalancerStatus } from '../status.js';

type PoolStatus = BalancerStatus['routes'][number];
type UpstreamStatus = PoolStatus['upstreams'][number];

export interface WorkerSummary {
  pid: number;
  /** Times this worker slot was restarted after its process died. */
  restarts: number;
  /** Requests this worker sent upstream (every route), since it started. */
  requests: number;
}

const round2 = (n: number): number => Math.round(n * 100) / 100;

/**
 * One /status document from every worker's: counters are summed, shares recomputed from the
 * sums, response times averaged by request count. An upstream is in rotation only if it is in
 * every worker's (a passive ejection reaches the other workers over IPC, so they agree but for
 * that moment); active health is the primary's single verdict, the same everywhere. Adds `workers`: per process, its pid and request count.
 */
export function mergeStatus(
  docs: BalancerStatus[],
  workers: Array<{ pid: number; restarts: number }>,
  startedAt: number,
): BalancerStatus & { workers: WorkerSummary[] } {
  const first = docs[0]!;
  // Pools and upstreams any worker has (catalog changes reach workers a moment apart).
  const mergePools = <P extends PoolStatus | BalancerStatus['tcp'][number]>(lists: P[][]): P[] =>
    union(lists, (p) => p.name).map((p) => {
      const same = lists.map((l) => l.find((x) => x.name === p.name)).filter((x): x is P => !!x);
      const upstreams = union(
        same.map((s) => s.upstreams),
        (u) => u.id,
      ).map((u) =>
        mergeUpstream(
          same.map((s) => s.upstreams.find((x) => x.id === u.id)).filter((x): x is UpstreamStatus => !!x),
        ),
      );
      const total = upstreams.reduce((n, u) => n + u.requests, 0);
      const recentTotal = upstreams.reduce((n, u) => n + u.recent.requests, 0);
      for (const u of upstreams) {
        u.share = total > 0 ? round2((u.requests / total) * 100) : 0;
        u.recent.share = recentTotal > 0 ? round2((u.recent.requests / recentTotal) * 100) : 0;
      }
      return {
        ...p,
        panic: same.some((s) => s.panic),
        pending: same.reduce((n, s) => n + s.pending, 0),
        ejections: same.reduce((n, s) => n + s.ejections, 0),
        ejectedNow: upstreams.filter((u) => u.ejectedUntil !== null).length,
        recentWindowSeconds: Math.max(...same.map((s) => s.recentWindowSeconds)),
        upstreams,
      };
    });
  const requestsOf = (d: BalancerStatus): number =>
    [...d.routes, ...d.tcp].reduce((n, r) => n + r.upstreams.reduce((m, u) => m + u.requests, 0), 0);
  return {
    ...first,
    startedAt: new Date(startedAt).toISOString(),
    routes: mergePools(docs.map((d) => d.routes)),
    tcp: mergePools(docs.map((d) => d.tcp)),
    workers: workers.map((w, i) => ({ ...w, requests: docs[i] ? requestsOf(docs[i]) : 0 })),
  };
}

/** Every item of every list once (by key), in the order first seen. */
function union<T>(lists: T[][], key: (t: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const l of lists) for (const t of l) if (!seen.has(key(t))) seen.set(key(t), t);
  return [...seen.values()];
}

function mergeUpstream(all: UpstreamStatus[]): UpstreamStatus {
  const first = all[0]!;
  const sum = (f: (u: UpstreamStatus) => number): number => all.reduce((n, u) => n + f(u), 0);
  const requests = sum((u) => u.requests);
  const ejected = all.map((u) => u.ejectedUntil).filter((x): x is string => x !== null);
  return {
    ...first,
    inRotation: all.every((u) => u.inRotation),
    ejectedUntil: ejected.length > 0 ? ejected.sort().at(-1)! : null,
    ejections: sum((u) => u.ejections),
    slowStart: all.find((u) => u.slowStart)?.slowStart ?? null,
    active: sum((u) => u.active),
    requests,
    recent: { requests: sum((u) => u.recent.requests), share: 0 },
    responses: {
      '2xx': sum((u) => u.responses['2xx']),
      '3xx': sum((u) => u.responses['3xx']),
      '4xx': sum((u) => u.responses['4xx']),
      '5xx': sum((u) => u.responses['5xx']),
    },
    errors: { connect: sum((u) => u.errors.connect), timeout: sum((u) => u.errors.timeout) },
    retries: sum((u) => u.retries),
    ewmaMs: requests > 0 ? round2(sum((u) => u.ewmaMs * u.requests) / requests) : first.ewmaMs,
    share: 0,
  };
}
