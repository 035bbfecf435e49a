import cluster, { type Worker } from 'node:cluster';
import { fileURLToPath } from 'node:url';
import { type ErrorCode, errorCodes } from '../../core/error-codes.js';
import { PorticoError } from '../../core/errors.js';
import type { DrainReport, Ejection } from '../balancer.js';
import type { BalancerStatus } from '../status.js';
import { type FromWorker, isFromWorker, type ToWorker } from './protocol.js';

interface Slot {
  index: number;
  worker: Worker | undefined;
  ready: boolean;
  restarts: number;
  /** Deaths in a row that came soon after start: the restart delay doubles with each. */
  quickDeaths: number;
  startedAt: number;
  timer: NodeJS.Timeout | undefined;
}

export interface SupervisorEvents {
  /** The start message for a (re)started worker: the current spec and health verdicts. */
  startMessage: () => ToWorker;
  onLog: (text: string) => void;
  onWarn: (message: string) => void;
  /** A worker ejected an upstream; `from` is its slot (the others must follow). */
  onEjection: (ejection: Ejection, from: number) => void;
}

/** A worker that lived this long before dying starts again at once; sooner, after a backoff. */
const healthyLifeMs = 30_000;
const maxBackoffMs = 10_000;

/**
 * Starts and keeps N worker processes (node:cluster) and talks to them. The listening sockets
 * are shared by cluster's default round-robin on Linux: the primary accepts and hands each
 * connection to the next worker, which spreads keep-alive connections evenly; with
 * SCHED_NONE (NODE_CLUSTER_SCHED_POLICY=none) the kernel wakes whichever worker it likes and
 * one busy worker tends to take most of them. A worker that dies is replaced, after a delay
 * that doubles while replacements keep dying young (up to 10 s).
 */
export class Supervisor {
  private readonly slots: Slot[];
  private stopping = false;
  private nextRequest = 0;
  private readonly statusWaiters = new Map<number, (s: BalancerStatus) => void>();
  private readonly drained: DrainReport[] = [];

  constructor(
    count: number,
    private readonly events: SupervisorEvents,
  ) {
    this.slots = Array.from({ length: count }, (_, index) => ({
      index,
      worker: undefined,
      ready: false,
      restarts: 0,
      quickDeaths: 0,
      startedAt: 0,
      timer: undefined,
    }));
    cluster.setupPrimary({
      exec: fileURLToPath(new URL('./worker-main.js', import.meta.url)),
      args: [],
      // The spec holds undefined and Infinity; JSON would drop or change them.
      serialization: 'advanced',
    });
  }

  /** Fork every worker and wait until all listen; the first start failure is thrown. */
  async start(): Promise<void> {
    const started = this.slots.map(
      (slot) =>
        new Promise<void>((resolve, reject) => {
          this.fork(slot, { resolve, reject });
        }),
    );
    try {
      await Promise.all(started);
    } catch (error) {
      await this.kill();
      throw error;
    }
  }

  pids(): Array<{ pid: number; restarts: number }> {
    return this.slots.map((s) => ({ pid: s.worker?.process.pid ?? 0, restarts: s.restarts }));
  }

  /** To every ready worker, except the one in slot `except`. */
  broadcast(m: ToWorker, except?: number): void {
    for (const s of this.slots)
      if (s.index !== except && s.ready && s.worker?.isConnected()) post(s.worker, m);
  }

  /** Every ready worker's /status document (in slot order), waiting at most `timeoutMs`. */
  async statuses(timeoutMs = 3000): Promise<Array<BalancerStatus | undefined>> {
    return await Promise.all(
      this.slots.map((s) => {
        const w = s.worker;
        if (!s.ready || !w?.isConnected()) return undefined;
        const id = this.nextRequest++;
        return new Promise<BalancerStatus | undefined>((resolve) => {
          const timer = setTimeout(() => {
            this.statusWaiters.delete(id);
            resolve(undefined);
          }, timeoutMs);
          this.statusWaiters.set(id, (status) => {
            clearTimeout(timer);
            resolve(status);
          });
          // A worker that died since the check above will not answer: no need to wait for it.
          post(w, { portico: 'status', id }, () => {
            clearTimeout(timer);
            this.statusWaiters.delete(id);
            resolve(undefined);
          });
        });
      }),
    );
  }

  /**
   * Drain every worker (stop accepting, finish in flight, exit) and wait for them to exit;
   * a worker still there `graceMs` after the drain timeout is killed. Returns their reports.
   */
  async drain(timeoutMs: number, graceMs = 5000): Promise<DrainReport[]> {
    this.stopping = true;
    for (const s of this.slots) clearTimeout(s.timer);
    const exits = this.slots.map((s) => this.exited(s.worker));
    this.broadcastAll({ portico: 'drain', timeoutMs });
    const deadline = setTimeout(() => {
      for (const s of this.slots) s.worker?.process.kill('SIGKILL');
    }, timeoutMs + graceMs);
    await Promise.all(exits);
    clearTimeout(deadline);
    return this.drained;
  }

  /** Stop every worker at once (start failed). */
  async kill(): Promise<void> {
    this.stopping = true;
    for (const s of this.slots) clearTimeout(s.timer);
    const exits = this.slots.map((s) => this.exited(s.worker));
    for (const s of this.slots) s.worker?.process.kill('SIGKILL');
    await Promise.all(exits);
  }

  private broadcastAll(m: ToWorker): void {
    for (const s of this.slots) if (s.worker?.isConnected()) post(s.worker, m);
  }

  private exited(w: Worker | undefined): Promise<void> {
    if (!w || w.process.exitCode !== null || w.process.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => w.once('exit', () => resolve()));
  }

  private fork(slot: Slot, first?: { resolve: () => void; reject: (e: Error) => void }): void {
    const w = cluster.fork();
    slot.worker = w;
    slot.ready = false;
    slot.startedAt = Date.now();
    w.on('message', (raw: unknown) => {
      if (!isFromWorker(raw)) return; // prom-client's metric answers travel here too
      const m = raw as FromWorker;
      switch (m.portico) {
        case 'hello':
          post(w, this.events.startMessage());
          break;
        case 'ready':
          slot.ready = true;
          first?.resolve();
          break;
        case 'failed': {
          const code = (m.code in errorCodes ? m.code : 'E_INTERNAL') as ErrorCode;
          const error = new PorticoError(code, m.message, m.hint ? { hint: m.hint } : {});
          if (first) first.reject(error);
          else this.events.onWarn(`worker ${slot.index + 1} could not start: ${m.message}`);
          break;
        }
        case 'log':
          this.events.onLog(m.text);
          break;
        case 'warn':
          this.events.onWarn(m.message);
          break;
        case 'status':
          this.statusWaiters.get(m.id)?.(m.status);
          this.statusWaiters.delete(m.id);
          break;
        case 'drained':
          this.drained.push(m.report);
          break;
        case 'ejected':
          this.events.onEjection(m.ejection, slot.index);
          break;
        case 'reloaded':
          break;
      }
    });
    // A send that is not ours (prom-client's metrics request) to a worker that just died is
    // reported as an 'error' event on it; unheard, that event would end the primary and with it
    // every other worker. Its 'exit' replaces it. (node:cluster's own connection handover
    // swallows that EPIPE.)
    w.on('error', (error) =>
      this.events.onWarn(`worker ${slot.index + 1} (pid ${w.process.pid}): ${error.message}`),
    );
    w.once('exit', (code, signal) => {
      slot.ready = false;
      if (first && !this.stopping)
        first.reject(
          new Error(`worker ${slot.index + 1} exited (${signal ?? `code ${code}`}) while starting`),
        );
      // Stopped on purpose while starting: the start is over, not failed.
      if (this.stopping) return first?.resolve();
      const lived = Date.now() - slot.startedAt;
      slot.quickDeaths = lived >= healthyLifeMs ? 0 : slot.quickDeaths + 1;
      const delay = slot.quickDeaths === 0 ? 0 : Math.min(maxBackoffMs, 250 * 2 ** (slot.quickDeaths - 1));
      this.events.onWarn(
        `worker ${slot.index + 1} (pid ${w.process.pid}) exited (${signal ?? `code ${code}`}); starting a new one${delay > 0 ? ` in ${delay} ms` : ''}`,
      );
      slot.timer = setTimeout(() => {
        if (this.stopping) return;
        slot.restarts++;
        this.fork(slot);
      }, delay);
    });
  }
}

/**
 * Send to a worker. `isConnected()` stays true until the primary reads the end of a dead
 * worker's channel, so a send can still meet a worker that has just died (SIGKILL, OOM killer):
 * the write fails with EPIPE. Without a callback Node reports that as an 'error' event; with
 * one it is only this call's failure, and the worker's 'exit' handler replaces it.
 */
function post(w: Worker, m: ToWorker, onFailed?: () => void): void {
  w.send(m, undefined, undefined, (error) => {
    if (error) onFailed?.();
  });
}
