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
  // Ctrl-C destroys the pool, which fails every request in flight at once. Handing one shared
  // AbortSignal to each request instead adds a listener per request in flight, which is what
  // printed MaxListenersExceededWarning above 10 concurrent requests.
  let stopped = false;
  const stop = (): void => {
    stopped = true;
    void pool.destroy().catch(() => {});
  };
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
      if (stopped || performance.now() > deadline) {
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
        });
        await res.body.dump();
        result.latenciesMs.push(performance.now() - t);
        result.statuses[res.statusCode] = (result.statuses[res.statusCode] ?? 0) + 1;
      } catch (error) {
        if (stopped) {
          result.stoppedEarly = true;
          return; // cut by Ctrl-C: not an error of the balancer
        }
        const code = (error as NodeJS.ErrnoException).code ?? (error as Error).name;
        result.errors[code] = (result.errors[code] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  result.elapsedMs = performance.now() - start;
  o.signal.removeEventListener('abort', stop);
  if (!stopped) await pool.close();
  return result;
}

export function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
