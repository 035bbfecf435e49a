import { setTimeout as sleep } from 'node:timers/promises';
import { timeScale } from './requirements.js';

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  what?: string;
  /** More to say on a timeout (say, a child process's last output), read only then. */
  detail?: () => string;
}

/**
 * Poll until `check` returns a truthy value (or stops throwing), then return that value. Tests
 * wait on conditions, never on fixed sleeps.
 */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  options: WaitOptions = {},
): Promise<NonNullable<T>> {
  const timeout = (options.timeoutMs ?? 5000) * timeScale;
  const interval = options.intervalMs ?? 20;
  const deadline = Date.now() + timeout;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const why = lastError instanceof Error ? `: ${lastError.message}` : '';
      const detail = options.detail ? `\n${options.detail()}` : '';
      throw new Error(
        `timed out after ${timeout}ms waiting for ${options.what ?? 'condition'}${why}${detail}`,
      );
    }
    await sleep(interval);
  }
}
