import { setMaxListeners } from 'node:events';
import { Pool } from 'undici';

export interface LoadResult {
  sent: number;
  latenciesMs: number[];
  statuses: Record<string, number>;
  errors: Record<string, number>;
  elapsedMs: number;
  stoppedEarly: boolean;
}

export interface LoadOptions {
  url: URL;
  host?: string;
  requests: number;
  concurrency: number;
  maxMs: number;
  signal: AbortSignal;
}

/** A bounded load: exactly `requests` requests (or fewer if `maxMs` or the signal stops it). */
export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const pool = new Pool(o.url.origin, {
    connections: o.concurrency,
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  });
  // Every request in flight listens for Ctrl-C: up to `concurrency` listeners by design.
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  const stop = (): void => controller.abort();
  o.signal.addEventListener('abort', stop, { once: true });
  const result: LoadResult = {
    sent: 0,
    latenciesMs: [],
    statuses: {},
    errors: {},
    elapsedMs: 0,
    stoppedEarly: false,
  };
  const deadline = performance.now() + o.maxMs;
  const start = performance.now();
  const path = `${o.url.pathname}${o.url.search}`;
  const worker = async (): Promise<void> => {
    while (result.sent < o.requests) {
      if (controller.signal.aborted || performance.now() > deadline) {
        result.stoppedEarly = true;
        return;
      }
      result.sent++;
      const t = performance.now();
      try {
        const res = await pool.request({
          path,
          method: 'GET',
          ...(o.host ? { headers: { host: o.host } } : {}),
          signal: controller.signal,
        });
        await res.body.dump();
        result.latenciesMs.push(performance.now() - t);
        result.statuses[res.statusCode] = (result.statuses[res.statusCode] ?? 0) + 1;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? (error as Error).name;
        result.errors[code] = (result.errors[code] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  result.elapsedMs = performance.now() - start;
  o.signal.removeEventListener('abort', stop);
  await pool.close();
  return result;
}

export function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
