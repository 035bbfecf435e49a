import type { CommandContext } from '../../core/command-context.js';
import { parseDuration } from '../../core/duration.js';
import { PorticoError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import { startProgress } from '../../core/progress.js';
import type { BalancerStatus } from '../status.js';
import { type AdminClientOptions, clientToken, fetchStatus } from './admin-client.js';
import { percentile, runLoad } from './load.js';

export interface TestOptions extends AdminClientOptions {
  requests: string;
  concurrency: string;
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

  const token = clientToken(opts, ctx.env, ctx.cwd);
  const before = await fetchStatus(opts.admin, token).catch(() => undefined);
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
  const after = before ? await fetchStatus(opts.admin, token).catch(() => undefined) : undefined;

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
  const problems = distribution.filter(
    (d) => d.verdict === 'off' || d.verdict === 'down' || d.verdict === 'changed' || d.panic,
  );
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
          value: (d) => resultText(d, tolerance),
          style: (t) =>
            t.startsWith('ok') ? c.green(t) : t.startsWith('not promised') ? c.dim(t) : c.red(t),
        },
      ],
      distribution,
    );
    for (const route of new Set(distribution.filter((d) => d.panic).map((d) => d.route)))
      ctx.out.line(
        c.red(`route ${route} was in panic mode: too few healthy upstreams, so traffic went to all of them`),
      );
    for (const d of distribution.filter((x) => x.notes.length > 0 && !x.panic))
      ctx.out.line(c.dim(`${d.route} ${d.upstream}: ${d.notes.join('; ')}`));
  });
  return failed > 0 || problems.length > 0 || load.stoppedEarly ? ExitCode.Problems : ExitCode.Ok;
}

function resultText(d: ReturnType<typeof shares>[number], tolerance: number): string {
  switch (d.verdict) {
    case 'down':
      return `down: ${d.notes.find((n) => !n.startsWith('panic')) ?? 'out of rotation'}`;
    case 'changed':
      return 'changed during the test';
    case 'not-promised':
      return `not promised by ${d.algorithm}`;
    case 'ok':
      return `ok (±${tolerance}%)${d.notes.some((n) => n.startsWith('slow start')) ? ', slow start' : ''}`;
    default:
      return `off by ${(d.share - d.expected).toFixed(1)}%`;
  }
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

type RouteStatus = BalancerStatus['routes'][number];
type UpstreamStatus = RouteStatus['upstreams'][number];

export type Verdict = 'ok' | 'off' | 'down' | 'changed' | 'not-promised';

/** Why an upstream is out of rotation, in the words `lb status` uses. */
function whyDown(u: UpstreamStatus): string {
  if (u.ejectedUntil) return `ejected until ${u.ejectedUntil}`;
  if (!u.activeHealthy) return 'failing its health check';
  if (!u.catalogHealthy) return 'critical in the catalog';
  return 'out of rotation';
}

/**
 * The mean slow-start factor of an upstream over the test, from the ramp `lb status` reports
 * (10% → 100% linearly until `until`): requests were spread over that time, so its expected
 * weight is its weight times this mean, not its full weight.
 */
export function meanSlowStart(
  before: UpstreamStatus,
  after: UpstreamStatus,
  from: number,
  to: number,
  slowStartMs: number,
): number {
  const until = Date.parse((before.slowStart ?? after.slowStart)?.until ?? '');
  if (!Number.isFinite(until) || slowStartMs <= 0) return 1;
  const upSince = until - slowStartMs;
  const factor = (t: number): number => Math.min(1, Math.max(0.1, (t - upSince) / slowStartMs));
  if (to <= from) return factor(to);
  const steps = 50;
  let sum = 0;
  for (let i = 0; i < steps; i++) sum += factor(from + ((i + 0.5) * (to - from)) / steps);
  return sum / steps;
}

/**
 * Each upstream's share of this test's requests against what the route promises, given the
 * state before and after: an upstream out of rotation is reported as down (never a quiet "ok" at
 * 0% of 0%); in panic mode every upstream is expected to take traffic; one warming up (slow
 * start) is expected to take less; one that went in or out during the test cannot be judged and
 * is reported as changed.
 */
export function shares(before: BalancerStatus, after: BalancerStatus, tolerance: number) {
  const from = Date.parse(before.now);
  const to = Date.parse(after.now);
  return after.routes.flatMap((r) => {
    const prior = before.routes.find((b) => b.name === r.name);
    const rows = r.upstreams.map((u) => {
      const p = prior?.upstreams.find((x) => x.id === u.id);
      return { u, p: p ?? u, n: u.requests - (p?.requests ?? 0) };
    });
    const total = rows.reduce((a, d) => a + d.n, 0);
    if (total === 0) return [];
    const panic = r.panic || Boolean(prior?.panic);
    const weightOf = (u: UpstreamStatus): number => (r.algorithm === 'weighted-round-robin' ? u.weight : 1);
    const takes = (d: (typeof rows)[number]): boolean => panic || (d.u.inRotation && d.p.inRotation);
    const effective = rows.map((d) =>
      takes(d) ? weightOf(d.u) * meanSlowStart(d.p, d.u, from, to, r.slowStartMs) : 0,
    );
    const weightSum = effective.reduce((a, w) => a + w, 0);
    return rows.map(({ u, p, n }, i) => {
      const expected = weightSum > 0 ? (effective[i]! / weightSum) * 100 : 0;
      const share = (n / total) * 100;
      const judged = promisesShare.has(r.algorithm);
      const changed = !panic && u.inRotation !== p.inRotation;
      const down = !panic && !u.inRotation && !p.inRotation;
      const withinTolerance = Math.abs(share - expected) <= tolerance;
      const verdict: Verdict = changed
        ? 'changed'
        : down
          ? 'down'
          : !judged
            ? 'not-promised'
            : withinTolerance
              ? 'ok'
              : 'off';
      const slowStart = u.slowStart ?? p.slowStart;
      const notes = [
        ...(panic ? ['panic mode: every upstream takes traffic'] : []),
        ...(down ? [whyDown(u)] : []),
        ...(changed
          ? [u.inRotation ? 'came back during the test' : `went out during the test (${whyDown(u)})`]
          : []),
        ...(slowStart ? [`slow start (${slowStart.percent}% until ${slowStart.until})`] : []),
      ];
      return {
        route: r.name,
        upstream: u.id,
        algorithm: r.algorithm,
        requests: n,
        share: Math.round(share * 100) / 100,
        expected: Math.round(expected * 100) / 100,
        judged,
        withinTolerance: judged && !changed && !down && withinTolerance,
        verdict,
        panic,
        notes,
      };
    });
  });
}
