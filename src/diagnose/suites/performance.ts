import { formatHostPort } from '../../core/address.js';
import type { Instance } from '../../core/model.js';
import { httpProbe } from '../../net/http.js';
import { tcpConnect } from '../../net/tcp.js';
import type { Check, Finding } from '../finding.js';

/** The seed's inter-service latency target. */
export const latencyTargetMs = 50;

export interface LatencyStats {
  p50: number;
  p90: number;
  p99: number;
  samples: number;
  errors: number;
  /** Why the last failed sample failed. */
  lastError?: string;
}

function pct(sorted: number[], q: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]! : 0;
}

/** Up to `samples` sequential connects (or GETs for HTTP services) within `budgetMs`, each bounded by `timeoutMs`. */
export async function measureLatency(
  i: Instance,
  samples: number,
  timeoutMs: number,
  signal: AbortSignal,
  budgetMs = 3000,
): Promise<LatencyStats> {
  const times: number[] = [];
  let errors = 0;
  let lastError: string | undefined;
  const http = i.protocol === 'http';
  // A slow service still gets measured, with fewer samples, instead of eating the check's timeout.
  const deadline = performance.now() + budgetMs;
  for (let n = 0; n < samples && !signal.aborted && (n === 0 || performance.now() < deadline); n++) {
    const started = performance.now();
    try {
      if (http) await httpProbe({ url: `http://${formatHostPort(i.address, i.port)}/`, timeoutMs, signal });
      else await tcpConnect({ host: i.address, port: i.port, timeoutMs, signal });
      times.push(performance.now() - started);
    } catch (error) {
      errors++;
      lastError = (error as Error).message;
    }
  }
  const sorted = times.sort((a, b) => a - b);
  return {
    p50: pct(sorted, 0.5),
    p90: pct(sorted, 0.9),
    p99: pct(sorted, 0.99),
    samples: times.length,
    errors,
    ...(lastError ? { lastError } : {}),
  };
}

/**
 * `troubleshoot performance`: latency percentiles per service (up to 20 samples within 3 s)
 * against the 50 ms target, and a short bounded throughput probe (at most 100 requests or 3 s,
 * 5 at a time) on HTTP services to see whether they fail under a little concurrency.
 */
export function performanceChecks(instances: Instance[]): Check[] {
  const reachable = instances.filter((i) => !i.meta.reachable).slice(0, 50);
  return reachable.map((i) => ({
    id: `performance:${i.id}`,
    category: 'performance' as const,
    title: `Latency of ${i.service} (${formatHostPort(i.address, i.port)})`,
    timeoutMs: 20_000,
    async run(ctx) {
      const stats = await measureLatency(i, 20, 2000, ctx.signal);
      if (stats.samples > 0) ctx.measure('latencyP50Ms', stats.p50);
      ctx.note(
        `${i.protocol === 'http' ? 'HTTP GET' : 'TCP connect'} ×${stats.samples}: p50 ${stats.p50.toFixed(1)}ms, p90 ${stats.p90.toFixed(1)}ms, p99 ${stats.p99.toFixed(1)}ms${stats.errors ? `, ${stats.errors} failed` : ''}`,
      );
      const findings: Finding[] = [];
      const what = i.protocol === 'http' ? 'HTTP GET' : 'TCP connect';
      ctx.step(
        `${what} ×${stats.samples + stats.errors}`,
        stats.samples > 0
          ? { ok: true, detail: `${stats.samples} succeeded` }
          : { ok: false, detail: `all ${stats.errors} failed` },
      );
      if (stats.samples === 0) {
        // Nothing measured is not "nothing wrong": it is the loudest result there is.
        findings.push({
          code: 'PERF_NO_SAMPLES',
          severity: 'error',
          title: `${i.service}: none of ${stats.errors} latency samples succeeded at ${formatHostPort(i.address, i.port)}`,
          evidence: [
            `${stats.errors} × ${what} ${formatHostPort(i.address, i.port)}: all failed${stats.lastError ? ` (last: ${stats.lastError})` : ''}`,
          ],
          why: 'The service could not be measured at all: it is down or unreachable from here, so its callers fail too.',
          fix: `Run portico troubleshoot connectivity ${formatHostPort(i.address, i.port)} to see which step fails.`,
          data: { errors: stats.errors },
        });
      }
      if (stats.samples > 0 && stats.p50 > latencyTargetMs) {
        findings.push({
          code: 'PERF_LATENCY_HIGH' as const,
          severity: 'warning' as const,
          title: `${i.service} answers in ${stats.p50.toFixed(0)}ms (p50), above the ${latencyTargetMs} ms target`,
          evidence: [
            `p50 ${stats.p50.toFixed(1)}ms, p90 ${stats.p90.toFixed(1)}ms, p99 ${stats.p99.toFixed(1)}ms over ${stats.samples} samples`,
          ],
          why: 'Calls chain across services: a slow hop multiplies into slow pages and gateway timeouts.',
          fix: 'Look for the slow part (a cold pool, DNS in the path, a saturated host); keep connections alive between services.',
        });
      }
      // A service that answered none of the samples is down: connectivity names that; a
      // throughput probe would only repeat it a hundred times.
      if (i.protocol === 'http' && stats.samples > 0 && !ctx.signal.aborted) {
        let failed = 0;
        let next = 0;
        const started = performance.now();
        await Promise.all(
          Array.from({ length: 5 }, async () => {
            while (next < 100 && performance.now() - started < 3000 && !ctx.signal.aborted) {
              next++;
              try {
                const r = await httpProbe({
                  url: `http://${formatHostPort(i.address, i.port)}/`,
                  timeoutMs: 2000,
                  signal: ctx.signal,
                });
                if (r.status >= 500) failed++;
              } catch {
                failed++;
              }
            }
          }),
        );
        const secs = (performance.now() - started) / 1000;
        ctx.step(
          `throughput probe ×${next}`,
          failed > 0 ? { ok: false, detail: `${failed} failed` } : { ok: true },
        );
        ctx.note(
          `throughput probe: ${next} requests in ${secs.toFixed(2)}s (${Math.round(next / secs)}/s), ${failed} failed`,
        );
        if (failed > 0) {
          findings.push({
            code: 'PERF_ERRORS' as const,
            severity: 'warning' as const,
            title: `${i.service}: ${failed} of ${next} requests failed with 5 in flight`,
            evidence: [`${next} GET / in ${secs.toFixed(2)}s, ${failed} failed (5xx or connection errors)`],
            why: 'It fails under a little concurrency; real traffic will see the same errors.',
            fix: 'Check its connection and worker limits and its logs under load.',
          });
        }
      }
      return findings;
    },
  }));
}
