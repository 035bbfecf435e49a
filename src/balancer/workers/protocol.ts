import type { DrainReport, Ejection, ReloadReport } from '../balancer.js';
import type { CatalogLocation } from '../commands/serve.js';
import type { BalancerSpec } from '../model.js';
import type { BalancerStatus } from '../status.js';

/**
 * The messages between the primary of `lb serve --workers N` and its workers, over the
 * cluster IPC channel. The primary owns the control plane (config, the one health checker, the
 * admin listener, the access log writer); workers only proxy. Every message has a `portico`
 * tag so prom-client's own metric requests on the same channel are told apart.
 */
export type ToWorker =
  | {
      portico: 'start';
      spec: BalancerSpec;
      /** The catalog to follow (routes naming a service, `--catalog`), when there is one. */
      store?: CatalogLocation;
      verdicts: Array<[string, boolean]>;
      /** Passive ejections still running, decided by other workers before this one started. */
      ejections: Ejection[];
    }
  | { portico: 'health'; verdicts: Array<[string, boolean]> }
  /** Another worker ejected an upstream: eject it here too, until the same time. */
  | { portico: 'eject'; ejection: Ejection }
  | { portico: 'reload'; spec: BalancerSpec }
  | { portico: 'status'; id: number }
  | { portico: 'drain'; timeoutMs: number };

export type FromWorker =
  /** Listening for messages now (one sent before this would be lost): send `start`. */
  | { portico: 'hello' }
  | { portico: 'ready' }
  | { portico: 'failed'; code: string; message: string; hint?: string }
  | { portico: 'log'; text: string }
  | { portico: 'reloaded'; report: ReloadReport }
  | { portico: 'status'; id: number; status: BalancerStatus }
  | { portico: 'drained'; report: DrainReport }
  /** This worker ejected an upstream (passive health): the primary tells every other worker. */
  | { portico: 'ejected'; ejection: Ejection }
  | { portico: 'warn'; message: string };

export function isFromWorker(m: unknown): m is FromWorker {
  return typeof m === 'object' && m !== null && typeof (m as { portico?: unknown }).portico === 'string';
}

export function isToWorker(m: unknown): m is ToWorker {
  return isFromWorker(m);
}
