import { performance } from 'node:perf_hooks';

/**
 * Coarse deadlines for the fast path. Arming a timer per request and phase (connect, headers,
 * idle, total) costs more than the rest of a small exchange; instead each exchange writes its
 * deadlines as numbers, and one shared tick checks the live ones. The tick runs only while
 * something is registered, so an idle balancer wakes nobody. Deadlines fire up to one tick
 * late (undici's own timers make the same trade with a 500 ms resolution).
 */
export interface Sweepable {
  /** Called on each tick with the current `performance.now()`. */
  sweep(now: number): void;
}

export class Sweeper {
  private readonly live = new Set<Sweepable>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly tickMs: number) {}

  add(x: Sweepable): void {
    this.live.add(x);
    if (this.timer === undefined) {
      this.timer = setInterval(this.tick, this.tickMs);
      this.timer.unref();
    }
  }

  delete(x: Sweepable): void {
    this.live.delete(x);
  }

  private readonly tick = (): void => {
    if (this.live.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
      return;
    }
    const now = performance.now();
    for (const x of this.live) x.sweep(now);
  };
}

/** The one the balancer's fast path uses: 50 ms is finer than any timeout worth setting. */
export const sweeper = new Sweeper(50);
