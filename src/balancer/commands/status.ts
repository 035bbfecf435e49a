import type { CommandContext } from '../../core/command-context.js';
import { PorticoError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import type { BalancerStatus } from '../status.js';
import type { WorkerSummary } from '../workers/merge-status.js';
import { type AdminClientOptions, clientToken, fetchStatus } from './admin-client.js';

type Row = BalancerStatus['routes'][number]['upstreams'][number] & { route: string; panic: boolean };

function stateOf(r: Row): string {
  if (r.ejectedUntil) return 'ejected';
  if (!r.activeHealthy) return 'down';
  if (!r.catalogHealthy) return 'down (catalog)';
  if (r.slowStart) return `warming ${r.slowStart.percent}%`;
  return r.catalogStatus === 'unknown' ? 'up (catalog unknown)' : 'up';
}

/** Where the balancer's admin endpoint is when --admin is not given. */
export const defaultAdmin = '127.0.0.1:9901';

export type StatusOptions = Omit<AdminClientOptions, 'admin'> & { admin?: string; agent?: boolean };

/**
 * --admin, else the one balancer this project's running agent watches (`agent --lb-admin`),
 * else 127.0.0.1:9901. A project folder that does not load is no reason to fail here: the
 * agent lookup is a convenience, so it falls back to the default.
 */
async function adminFor(ctx: CommandContext, opts: StatusOptions): Promise<string> {
  if (opts.admin) return opts.admin;
  if (opts.agent === false) return defaultAdmin;
  const { loadProject, namespaceOf, selectorFor } = await import('../../project/index.js');
  const selector = selectorFor(ctx);
  const project = await loadProject(selector).catch(() => undefined);
  const { balancersFromAgent } = await import('../../agent/client.js');
  const balancers = await balancersFromAgent(ctx, namespaceOf(selector, project));
  if (!balancers?.length) return defaultAdmin;
  if (balancers.length > 1)
    throw new PorticoError(
      'E_USAGE',
      `the agent watches ${balancers.length} balancers: ${balancers.join(', ')}`,
      {
        hint: 'Pick one with --admin HOST:PORT.',
      },
    );
  return balancers[0]!;
}

/** `portico lb status`: every route's upstreams, health, ejections and traffic share. */
export async function statusCommand(ctx: CommandContext, opts: StatusOptions): Promise<number> {
  const admin = await adminFor(ctx, opts);
  const status: BalancerStatus & { workers?: WorkerSummary[] } = await fetchStatus(
    admin,
    clientToken({ ...opts, admin }, ctx.env, ctx.cwd),
  );
  const routes = [...status.routes, ...status.tcp];
  const rows: Row[] = routes.flatMap((r) =>
    r.upstreams.map((u) => ({ ...u, route: r.name, panic: r.panic })),
  );
  const window = Math.max(0, ...routes.map((r) => r.recentWindowSeconds));
  const out = rows.filter((r) => !r.inRotation);
  ctx.out.result(status, () => {
    const { c } = ctx.out;
    ctx.out.line(
      `listening: ${[status.listen.http, status.listen.https, ...Object.values(status.listen.tcp)].filter(Boolean).join(', ')}  (since ${status.startedAt})`,
    );
    // `lb serve --workers N`: the figures below are summed over these processes.
    if (status.workers)
      ctx.out.line(
        `workers: ${status.workers.length} (${status.workers.map((w) => `pid ${w.pid}: ${w.requests} requests${w.restarts ? `, restarted ${w.restarts}x` : ''}`).join('; ')})`,
      );
    ctx.out.table(
      [
        { header: 'ROUTE', value: (r: Row) => r.route },
        { header: 'UPSTREAM', value: (r) => r.id },
        {
          header: 'STATE',
          value: stateOf,
          style: (t) => (t.startsWith('up') ? c.green(t) : t.startsWith('warming') ? c.yellow(t) : c.red(t)),
        },
        { header: 'ACTIVE', value: (r) => String(r.active), align: 'right' },
        { header: 'REQUESTS', value: (r) => String(r.requests), align: 'right' },
        { header: `SHARE ${window}s`, value: (r) => `${r.recent.share.toFixed(1)}%`, align: 'right' },
        { header: 'SHARE ALL', value: (r) => `${r.share.toFixed(1)}%`, align: 'right' },
        { header: '5XX', value: (r) => String(r.responses['5xx']), align: 'right' },
        { header: 'ERRORS', value: (r) => String(r.errors.connect + r.errors.timeout), align: 'right' },
        { header: 'EJECTIONS', value: (r) => String(r.ejections), align: 'right' },
        { header: 'EWMA', value: (r) => `${r.ewmaMs.toFixed(1)}ms`, align: 'right' },
      ],
      rows,
    );
    for (const r of routes) {
      if (r.panic)
        ctx.out.line(
          c.red(
            `route ${r.name} is in panic mode: fewer than ${r.panicThresholdPercent}% of its upstreams are healthy, so all of them get traffic`,
          ),
        );
      if (r.ejectedNow > 0)
        ctx.out.line(
          `route ${r.name}: ${r.ejectedNow} upstream(s) ejected now, ${r.ejections} ejection(s) since start`,
        );
    }
    for (const u of rows.filter((x) => x.slowStart))
      ctx.out.line(
        c.yellow(
          `${u.route} ${u.id} is warming up (slow start): ${u.slowStart!.percent}% of its weight until ${u.slowStart!.until}`,
        ),
      );
    ctx.out.line(
      c.dim(
        `SHARE ${window}s: traffic share over the last ${window} s; SHARE ALL: since ${status.startedAt}`,
      ),
    );
    if (out.length > 0) ctx.out.line(`\n${c.red(`${out.length} upstream(s) out of rotation`)}`);
  });
  return out.length > 0 || routes.some((r) => r.panic) ? ExitCode.Problems : ExitCode.Ok;
}
