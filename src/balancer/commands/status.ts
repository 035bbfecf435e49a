import type { CommandContext } from '../../cli/context.js';
import { ExitCode } from '../../core/exit-codes.js';
import type { BalancerStatus } from '../status.js';
import { fetchStatus } from './admin-client.js';

type Row = BalancerStatus['routes'][number]['upstreams'][number] & { route: string };

/** `portico lb status`: every route's upstreams, health, ejections and traffic share. */
export async function statusCommand(
  ctx: CommandContext,
  opts: { admin: string; adminToken?: string },
): Promise<number> {
  const status = await fetchStatus(opts.admin, opts.adminToken);
  const rows: Row[] = [...status.routes, ...status.tcp].flatMap((r) =>
    r.upstreams.map((u) => ({ ...u, route: r.name })),
  );
  const out = rows.filter((r) => !r.inRotation);
  ctx.out.result(status, () => {
    const { c } = ctx.out;
    ctx.out.line(
      `listening: ${[status.listen.http, status.listen.https, ...Object.values(status.listen.tcp)].filter(Boolean).join(', ')}  (since ${status.startedAt})`,
    );
    ctx.out.table(
      [
        { header: 'ROUTE', value: (r: Row) => r.route },
        { header: 'UPSTREAM', value: (r) => r.id },
        {
          header: 'STATE',
          value: (r) => (r.inRotation ? 'up' : r.ejectedUntil ? 'ejected' : 'down'),
          style: (t) => (t.trim() === 'up' ? c.green(t) : c.red(t)),
        },
        { header: 'ACTIVE', value: (r) => String(r.active), align: 'right' },
        { header: 'REQUESTS', value: (r) => String(r.requests), align: 'right' },
        { header: 'SHARE', value: (r) => `${r.share.toFixed(1)}%`, align: 'right' },
        { header: '5XX', value: (r) => String(r.responses['5xx']), align: 'right' },
        { header: 'ERRORS', value: (r) => String(r.errors.connect + r.errors.timeout), align: 'right' },
        { header: 'EJECTIONS', value: (r) => String(r.ejections), align: 'right' },
        { header: 'EWMA', value: (r) => `${r.ewmaMs.toFixed(1)}ms`, align: 'right' },
      ],
      rows,
    );
    for (const r of [...status.routes, ...status.tcp])
      if (r.panic) ctx.out.warn(`route ${r.name} is in panic mode: too few healthy upstreams, using all`);
    if (out.length > 0) ctx.out.line(`\n${c.red(`${out.length} upstream(s) out of rotation`)}`);
  });
  return out.length > 0 ? ExitCode.Problems : ExitCode.Ok;
}
