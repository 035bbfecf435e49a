import { type ScheduledCheck, Scheduler } from '../checks/scheduler.js';
import type { CheckDefinition } from '../core/model.js';
import type { ActiveHealth } from './model.js';
import type { UpstreamPool } from './pool.js';

interface Watched {
  pool: UpstreamPool;
  health: ActiveHealth;
}

export interface HealthOptions {
  /**
   * Verdicts come from elsewhere (`apply`): nothing is probed here. A worker process of
   * `lb serve --workers` runs so, its primary running the one checker for all of them.
   */
  remote?: boolean;
  /** Called on every settled transition, with the verdict key (`pool\0upstream`). */
  onVerdict?: (key: string, healthy: boolean) => void;
}

/**
 * Active health checks for every pool that asks for them, run by the same Scheduler and
 * probes as `portico discovery` (HTTP GET of a path, or a TCP connect), with rise/fall. A
 * settled transition takes the upstream in or out of rotation at once.
 */
export class ActiveHealthChecks {
  private readonly scheduler: Scheduler;
  private readonly watched = new Map<string, Watched>();
  /** The last verdict per `pool\0upstream`, re-applied when membership changes. */
  private readonly verdicts = new Map<string, boolean>();

  constructor(
    env: NodeJS.ProcessEnv,
    private readonly options: HealthOptions = {},
  ) {
    this.scheduler = new Scheduler({
      env,
      concurrency: 64,
      onTransition: (state) => {
        const healthy = state.status !== 'critical';
        this.apply(state.instanceId, healthy);
        this.options.onVerdict?.(state.instanceId, healthy);
      },
    });
  }

  /** Take a verdict (from the scheduler here, or from the process that runs the checks). */
  apply(key: string, healthy: boolean): void {
    this.verdicts.set(key, healthy);
    const [poolName] = key.split('\u0000');
    const w = this.watched.get(poolName!);
    const u = w?.pool.upstreams.find((x) => `${poolName}\u0000${x.id}` === key);
    if (w && u) w.pool.setActiveHealth(u, healthy, Date.now());
  }

  /** Every verdict so far (what a newly started worker needs to begin with). */
  snapshot(): Array<[string, boolean]> {
    return [...this.verdicts];
  }

  watch(pool: UpstreamPool, health: ActiveHealth | undefined): void {
    if (health) this.watched.set(pool.name, { pool, health });
    else if (this.watched.get(pool.name)?.pool === pool) {
      this.watched.delete(pool.name);
      // No active checks any more: their last verdict must not keep an upstream out.
      for (const u of pool.upstreams) pool.setActiveHealth(u, true, Date.now());
    }
    this.sync();
  }

  healthOf(pool: UpstreamPool): ActiveHealth | undefined {
    return this.watched.get(pool.name)?.health;
  }

  /** Re-read every watched pool's membership (call after upstreams change). */
  sync(): void {
    const targets: ScheduledCheck[] = [];
    for (const [name, { pool, health }] of this.watched) {
      const check: CheckDefinition = health.path
        ? {
            id: 'lb',
            kind: 'http',
            scheme: 'http',
            method: 'GET',
            path: health.path,
            headers: {},
            expectStatus: [[200, 399]],
            tlsVerify: false,
            intervalMs: health.intervalMs,
            timeoutMs: health.timeoutMs,
            rise: health.rise,
            fall: health.fall,
          }
        : {
            id: 'lb',
            kind: 'tcp',
            intervalMs: health.intervalMs,
            timeoutMs: health.timeoutMs,
            rise: health.rise,
            fall: health.fall,
          };
      for (const u of pool.upstreams) {
        const instanceId = `${name}\u0000${u.id}`;
        targets.push({ instanceId, address: u.address, port: u.port, check });
        // A verdict that arrived before the upstream did (a remote checker is ahead of us).
        const known = this.verdicts.get(instanceId);
        if (this.options.remote && known !== undefined && known !== u.activeHealthy)
          pool.setActiveHealth(u, known, Date.now());
      }
    }
    if (!this.options.remote) this.scheduler.set(targets);
  }

  start(): void {
    if (!this.options.remote) this.scheduler.start();
  }

  stop(): void {
    this.scheduler.stop();
  }
}
