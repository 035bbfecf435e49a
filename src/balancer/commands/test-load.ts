import type { CommandContext } from '../../cli/context.js';
import { parseDuration } from '../../core/duration.js';
import { PorticoError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import { startProgress } from '../../core/progress.js';
import type { BalancerStatus } from '../status.js';
import { fetchStatus } from './admin-client.js';
import { percentile, runLoad } from './load.js';

export interface TestOptions {
  requests: string;
  concurrency: string;
  admin: string;
  adminToken?: string;
  tolerance: string;
  maxTime: string;
}

/** Algorithms whose contract is a share of traffic; the others are judged on latency and errors only. */
const promisesShare = new Set(['round-robin', 'weighted-round-robin']);

/**
 * `portico lb test <route | url>`: a bounded load through the balancer, then the traffic share
 * of each upstream against its expected share (the seed's "even distribution ±5%"), latency
 * percentiles and errors.
 */
export async function testCommand(ctx: CommandContext, opts: TestOptions, target: string): Promise<number> {
  const requests = bounded(opts.requests, '-n', 1, 1_000_000);
  const concurrency = bounded(opts.concurrency, '-c', 1, 1024);
  const tolerance = Number(opts.tolerance);
  if (!Number.isFinite(tolerance) || tolerance < 0 || tolerance > 100)
    throw new PorticoError('E_USAGE', `--tolerance "${opts.tolerance}" is not a percentage`);
  const maxMs = parseDuration(opts.maxTime, '--max-time');

  const before = await fetchStatus(opts.admin, opts.adminToken).catch(() => undefined);
  const { url, host } = resolveTarget(target, before);
  const progress = startProgress(ctx.out, `sending ${requests} requests to ${url.href}…`);
  const load = await runLoad({
    url,
    ...(host ? { host } : {}),
    requests,
    concurrency,
    maxMs,
    signal: ctx.signal,
  }).finally(() => progress.done());
  const after = before ? await fetchStatus(opts.admin, opts.adminToken).catch(() => undefined) : undefined;

  const sorted = [...load.latenciesMs].sort((a, b) => a - b);
  const latency = {
    p50: percentile(sorted, 0.5),
    p90: percentile(sorted, 0.9),
    p99: percentile(sorted, 0.99),
    max: sorted[sorted.length - 1] ?? 0,
  };
  const distribution = before && after ? shares(before, after, tolerance) : [];
  const failed =
    Object.values(load.errors).reduce((a, b) => a + b, 0) +
    Object.entries(load.statuses)
      .filter(([s]) => Number(s) >= 500)
      .reduce((a, [, n]) => a + n, 0);
  const outOfTolerance = distribution.filter((d) => d.judged && !d.withinTolerance);
  const doc = {
    target: url.href,
    requests: load.sent,
    concurrency,
    elapsedMs: Math.round(load.elapsedMs),
    requestsPerSecond: Math.round((load.sent / load.elapsedMs) * 1000),
    statuses: load.statuses,
    errors: load.errors,
    latencyMs: Object.fromEntries(Object.entries(latency).map(([k, v]) => [k, Math.round(v * 100) / 100])),
    tolerancePercent: tolerance,
    distribution,
    stoppedEarly: load.stoppedEarly,
  };
  ctx.out.result(doc, () => {
    const { c } = ctx.out;
    ctx.out.line(
      `${load.sent} requests to ${url.href} in ${(load.elapsedMs / 1000).toFixed(2)}s (${doc.requestsPerSecond} req/s, ${concurrency} concurrent)`,
    );
    ctx.out.line(
      `latency p50 ${latency.p50.toFixed(2)}ms  p90 ${latency.p90.toFixed(2)}ms  p99 ${latency.p99.toFixed(2)}ms  max ${latency.max.toFixed(2)}ms`,
    );
    ctx.out.line(
      `statuses ${JSON.stringify(load.statuses)}${Object.keys(load.errors).length ? `  errors ${JSON.stringify(load.errors)}` : ''}`,
    );
    if (distribution.length === 0) {
      ctx.out.line(
        c.yellow(`No distribution: the admin endpoint ${opts.admin} did not answer (pass --admin).`),
      );
      return;
    }
    ctx.out.table(
      [
        { header: 'ROUTE', value: (d: (typeof distribution)[0]) => d.route },
        { header: 'UPSTREAM', value: (d) => d.upstream },
        { header: 'REQUESTS', value: (d) => String(d.requests), align: 'right' },
        { header: 'SHARE', value: (d) => `${d.share.toFixed(1)}%`, align: 'right' },
        { header: 'EXPECTED', value: (d) => `${d.expected.toFixed(1)}%`, align: 'right' },
        {
          header: 'RESULT',
          value: (d) =>
            !d.judged
              ? `not promised by ${d.algorithm}`
              : d.withinTolerance
                ? `ok (±${tolerance}%)`
                : `off by ${(d.share - d.expected).toFixed(1)}%`,
          style: (t) => (t.startsWith('ok') ? c.green(t) : t.startsWith('off') ? c.red(t) : c.dim(t)),
        },
      ],
      distribution,
    );
  });
  return failed > 0 || outOfTolerance.length > 0 || load.stoppedEarly ? ExitCode.Problems : ExitCode.Ok;
}

function bounded(value: string, flag: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new PorticoError('E_USAGE', `${flag} "${value}" must be a whole number from ${min} to ${max}`);
  return n;
}

/** A URL as given, or a route name resolved through the balancer's status. */
function resolveTarget(target: string, status: BalancerStatus | undefined): { url: URL; host?: string } {
  if (/^https?:\/\//.test(target)) {
    try {
      return { url: new URL(target) };
    } catch {
      throw new PorticoError('E_USAGE', `"${target}" is not a URL`);
    }
  }
  if (!status)
    throw new PorticoError(
      'E_LB_ADMIN_UNREACHABLE',
      `cannot resolve route "${target}" without the admin endpoint`,
      { hint: 'Pass a URL, or --admin host:port.' },
    );
  const route = status.routes.find((r) => r.name === target);
  if (!route)
    throw new PorticoError('E_USAGE', `no route "${target}"`, {
      hint: `Routes: ${status.routes.map((r) => r.name).join(', ') || '(none)'}.`,
    });
  if (!status.listen.http)
    throw new PorticoError('E_USAGE', 'the balancer has no plain HTTP listener to test through; pass a URL');
  return {
    url: new URL(`http://${status.listen.http}${route.pathPrefix ?? '/'}`),
    ...(route.host && !route.host.startsWith('*.') ? { host: route.host } : {}),
  };
}

function shares(before: BalancerStatus, after: BalancerStatus, tolerance: number) {
  return after.routes.flatMap((r) => {
    const prior = before.routes.find((b) => b.name === r.name);
    const deltas = r.upstreams.map((u) => ({
      u,
      n: u.requests - (prior?.upstreams.find((p) => p.id === u.id)?.requests ?? 0),
    }));
    const total = deltas.reduce((a, d) => a + d.n, 0);
    if (total === 0) return [];
    const inRotation = r.upstreams.filter((u) => u.inRotation);
    const weightSum = inRotation.reduce(
      (a, u) => a + (r.algorithm === 'weighted-round-robin' ? u.weight : 1),
      0,
    );
    return deltas.map(({ u, n }) => {
      const expected =
        u.inRotation && weightSum > 0
          ? ((r.algorithm === 'weighted-round-robin' ? u.weight : 1) / weightSum) * 100
          : 0;
      const share = (n / total) * 100;
      return {
        route: r.name,
        upstream: u.id,
        algorithm: r.algorithm,
        requests: n,
        share: Math.round(share * 100) / 100,
        expected: Math.round(expected * 100) / 100,
        judged: promisesShare.has(r.algorithm),
        withinTolerance: Math.abs(share - expected) <= tolerance,
      };
    });
  });
}
