import type { UpstreamPool } from './pool.js';

interface Sample {
  at: number;
  /** Requests so far, by pool name then upstream id. */
  counts: Map<string, Map<string, number>>;
}

/**
 * Traffic share over a recent window (the last minute) as well as since start: a share since
 * start hides what happens now (an upstream that came back five minutes ago still looks starved
 * after an hour). Keeps one snapshot of the plain request counters every `stepMs`, so the hot
 * path is untouched and memory is a dozen small maps.
 */
export class ShareWindow {
  private readonly samples: Sample[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pools: () => UpstreamPool[],
    readonly windowMs = 60_000,
    private readonly stepMs = 5000,
  ) {}

  start(now = Date.now()): void {
    this.sample(now);
    this.timer = setInterval(() => this.sample(Date.now()), this.stepMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Requests per upstream of `pool` since the oldest snapshot inside the window, and its age. */
  recent(pool: UpstreamPool, now = Date.now()): { windowMs: number; requests: Map<string, number> } {
    const base = this.samples.find((s) => now - s.at <= this.windowMs) ?? this.samples.at(-1);
    const before = base?.counts.get(pool.name);
    const requests = new Map<string, number>();
    for (const u of pool.upstreams) requests.set(u.id, u.requests - (before?.get(u.id) ?? 0));
    return { windowMs: base ? now - base.at : 0, requests };
  }

  /** Record a snapshot of the counters (every `stepMs`; tests call it with a chosen time). */
  sample(now: number): void {
    const counts = new Map<string, Map<string, number>>();
    for (const p of this.pools()) counts.set(p.name, new Map(p.upstreams.map((u) => [u.id, u.requests])));
    this.samples.push({ at: now, counts });
    // Keep one snapshot older than the window, so the window is always covered once it can be.
    while (this.samples.length > 2 && now - this.samples[1]!.at >= this.windowMs) this.samples.shift();
  }
}
