import { setTimeout as sleep } from 'node:timers/promises';
import type { Instance } from '../core/model.js';

/**
 * The shared watch loop for sources without a change feed: snapshot every `intervalMs`,
 * publish only when the result differs, keep the last good state on errors and back off
 * (doubling up to 30 s) until the source recovers.
 */
export async function pollWatch(
  snapshot: (signal: AbortSignal) => Promise<Instance[]>,
  publish: (instances: Instance[]) => void | Promise<void>,
  signal: AbortSignal,
  intervalMs: number,
  onError?: (error: unknown) => void,
): Promise<void> {
  let last: string | undefined;
  let delay = intervalMs;
  while (!signal.aborted) {
    try {
      const instances = await snapshot(signal);
      const key = JSON.stringify(instances);
      if (key !== last) {
        last = key;
        await publish(instances);
      }
      delay = intervalMs;
    } catch (error) {
      if (signal.aborted) return;
      onError?.(error);
      delay = Math.min(delay * 2, 30_000);
    }
    try {
      await sleep(delay, undefined, { signal });
    } catch {
      return;
    }
  }
}
