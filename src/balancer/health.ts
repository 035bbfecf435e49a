import { type ScheduledCheck, Scheduler } from '../checks/scheduler.js';
import type { CheckDefinition } from '../core/model.js';
import type { ActiveHealth } from './model.js';
import type { UpstreamPool } from './pool.js';

interface Watched {
  pool: UpstreamPool;
  health: ActiveHealth;
}

/**
 * Active health checks for every pool that asks for them, run by the same Scheduler and
 * probes as `portico discovery` (HTTP GET of a path, or a TCP connect), with rise/fall. A
 * settled transition takes the upstream in or out of rotation at once.
 */
export class ActiveHealthChecks {
  private readonly scheduler: Scheduler;
  private readonly watched = new Map<string, Watched>();

  constructor(env: NodeJS.ProcessEnv) {
    this.scheduler = new Scheduler({
      env,
      concurrency: 64,
      onTransition: (state) => {
        const [poolName] = state.instanceId.split('\u0000');
        const w = this.watched.get(poolName!);
        const u = w?.pool.upstreams.find((x) => `${poolName}\u0000${x.id}` === state.instanceId);
        if (w && u) w.pool.setActiveHealth(u, state.status !== 'critical', Date.now());
      },
    });
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
      for (const u of pool.upstreams)
        targets.push({ instanceId: `${name}\u0000${u.id}`, address: u.address, port: u.port, check });
    }
    this.scheduler.set(targets);
  }

  start(): void {
    this.scheduler.start();
  }

  stop(): void {
    this.scheduler.stop();
  }
}
