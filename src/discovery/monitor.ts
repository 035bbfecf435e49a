import { setTimeout as sleep } from 'node:timers/promises';
import { type ScheduledCheck, Scheduler } from '../checks/scheduler.js';
import type { CheckDefinition, CheckResult, CheckState, HealthStatus, Instance } from '../core/model.js';
import type { Store, TtlRecord } from '../store/store.js';
import type { Source } from './source.js';

/** The shortest time between two catalog reloads while changes keep coming (the first is at once). */
const reloadGapMs = 250;

export interface MonitorEvent {
  at: number;
  instanceId: string;
  service: string;
  checkId: string;
  status: HealthStatus;
  previous: HealthStatus | null;
  output: string;
  reason?: string;
}

export interface MonitorOptions {
  store: Store;
  /** Sources to keep syncing into the catalog while monitoring (none: the catalog as it is). */
  sources: Source[];
  env: NodeJS.ProcessEnv;
  intervalMs?: number;
  signal: AbortSignal;
  onEvent: (event: MonitorEvent) => void;
  onError: (message: string) => void;
  /** Every probe result, settled or not (the agent's metrics count them). */
  onResult?: (event: {
    instanceId: string;
    service: string;
    check: CheckDefinition;
    result: CheckResult;
  }) => void;
}

/**
 * The long-running loop behind `monitor` (and the agent): sources keep the catalog current,
 * the scheduler checks whatever the catalog holds (reconciled on every catalog change), and
 * settled transitions are written back and reported.
 */
export class Monitor {
  private instances = new Map<string, Instance>();
  private ttl: TtlRecord[] = [];
  readonly scheduler: Scheduler;

  constructor(private readonly options: MonitorOptions) {
    this.scheduler = new Scheduler({
      env: options.env,
      ...(options.intervalMs ? { intervalMs: options.intervalMs } : {}),
      ttlReport: (i, c) => this.ttl.find((t) => t.instanceId === i && t.checkId === c),
      onTransition: (state, previous) => void this.transition(state, previous),
      ...(options.onResult
        ? {
            onResult: (target: ScheduledCheck, result: CheckResult) =>
              options.onResult?.({
                instanceId: target.instanceId,
                service: this.instances.get(target.instanceId)?.service ?? '?',
                check: target.check,
                result,
              }),
          }
        : {}),
      onDeregister: (id) =>
        void options.store
          .deregister(id)
          .catch((e) => options.onError(`deregister ${id}: ${(e as Error).message}`)),
    });
  }

  async run(): Promise<void> {
    const { store, signal } = this.options;
    const from = await store.index();
    await this.reload();
    this.scheduler.start(signal);
    const feeds = this.options.sources.map((s) =>
      s.watch(async (list) => {
        await store.syncSource(s.name, list);
      }, signal),
    );
    for await (const event of store.watch(from, signal)) {
      if (event.kind === 'instance-upsert' || event.kind === 'instance-delete') this.reloadSoon();
      else if (event.kind === 'ttl-report') this.ttl = await store.ttlReports();
    }
    await this.reloading;
    this.scheduler.stop();
    await Promise.allSettled(feeds);
  }

  private reloading: Promise<void> | undefined;
  private reloadAgain = false;
  private lastReload = 0;

  /**
   * Reload the catalog after a change, coalesced: one reload at a time, and the changes that
   * arrive during it cost one more reload, and reloads start at least `reloadGapMs` apart. A
   * burst of N registrations (other hosts' agents writing 10,000 instances) would otherwise
   * queue N full catalog reads, each a range read of the whole catalog from etcd.
   */
  private reloadSoon(): void {
    if (this.reloading) {
      this.reloadAgain = true;
      return;
    }
    this.reloading = (async () => {
      do {
        // A steady stream of changes: at most one full read per gap, not one per change. The
        // events already delivered with this one are consumed meanwhile and join this reload.
        const wait = reloadGapMs - (Date.now() - this.lastReload);
        if (wait > 0) await sleep(wait, undefined, { signal: this.options.signal }).catch(() => undefined);
        else await new Promise((resolve) => setImmediate(resolve));
        if (this.options.signal.aborted) break;
        this.reloadAgain = false;
        this.lastReload = Date.now();
        try {
          await this.reload();
        } catch (error) {
          this.options.onError(`catalog reload: ${(error as Error).message}`);
        }
      } while (this.reloadAgain && !this.options.signal.aborted);
      this.reloading = undefined;
    })();
  }

  /**
   * A TTL report this process has just written to the store: use it without waiting for the
   * change to come back through the watch, and settle the check now rather than at its next slot.
   */
  ttlReported(record: TtlRecord): void {
    this.ttl = [
      ...this.ttl.filter((t) => t.instanceId !== record.instanceId || t.checkId !== record.checkId),
      record,
    ];
    this.scheduler.runNow(record.instanceId, record.checkId);
  }

  current(): Array<{ instance: Instance; states: CheckState[] }> {
    const states = this.scheduler.states();
    return [...this.instances.values()].map((instance) => ({
      instance,
      states: states.filter((s) => s.instanceId === instance.id),
    }));
  }

  private async reload(): Promise<void> {
    const list = await this.options.store.listInstances();
    this.ttl = await this.options.store.ttlReports();
    this.instances = new Map(list.map((i) => [i.id, i]));
    const targets: ScheduledCheck[] = list.flatMap((i) =>
      // Instances only reachable inside a container network cannot be checked from here.
      i.meta.reachable
        ? []
        : i.checks.map((check) => ({ instanceId: i.id, address: i.address, port: i.port, check })),
    );
    this.scheduler.set(targets);
  }

  private async transition(state: CheckState, previous: HealthStatus | undefined): Promise<void> {
    try {
      await this.options.store.putCheckState(state);
    } catch (error) {
      this.options.onError(`recording ${state.instanceId}: ${(error as Error).message}`);
    }
    this.options.onEvent({
      at: state.lastResult?.at ?? Date.now(),
      instanceId: state.instanceId,
      service: this.instances.get(state.instanceId)?.service ?? '?',
      checkId: state.checkId,
      status: state.status,
      previous: previous ?? null,
      output: state.output,
      ...(state.reason ? { reason: state.reason } : {}),
    });
  }
}
