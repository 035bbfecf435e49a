import { parsePort } from '../../core/address.js';
import type { CommandContext } from '../../core/command-context.js';
import { ExitCode } from '../../core/exit-codes.js';
import { describeHolder, howToFree } from '../conflicts/describe.js';
import { listListenersDetailed } from '../listeners.js';
import { listReservations } from '../reservations/allocator.js';
import { LeaseTable } from '../reservations/store.js';

/** `portico ports who <port>`: who holds it, and how to free it. */
export async function whoCommand(ctx: CommandContext, _opts: object, portArg: string): Promise<number> {
  const port = parsePort(portArg);
  const { listeners, partial } = await listListenersDetailed({ env: ctx.env });
  const holders = listeners.filter((l) => l.port === port);
  const leases = LeaseTable.open(ctx.env);
  const reservation = listReservations(leases).find((r) => r.port === port);
  leases.close();
  const doc = {
    port,
    free: holders.length === 0,
    holders: holders.map((l) => ({ ...l, howToFree: howToFree(l) })),
    reservation: reservation ?? null,
    partial,
  };
  ctx.out.result(doc, () => {
    const { c } = ctx.out;
    if (holders.length === 0)
      ctx.out.line(`${c.green('●')} port ${port} is free${partial ? ' (as far as we can see)' : ''}.`);
    for (const l of holders) {
      ctx.out.line(
        `${c.bold(`${l.protocol}${l.family === 6 ? '6' : ''} ${l.address}:${l.port}`)} held by ${describeHolder(l)}`,
      );
      for (const p of l.processes)
        ctx.out.line(`  pid ${p.pid}  ${l.user ?? l.uid}  ${p.commandLine || p.name}`);
      if (l.container) {
        ctx.out.line(
          `  container ${l.container.name} (${l.container.id}) publishes it → container port ${l.container.containerPort}`,
        );
        if (l.container.composeProject) {
          ctx.out.line(
            `  compose project ${l.container.composeProject}, service ${l.container.composeService ?? '?'}`,
          );
        }
      }
      ctx.out.line(`  ${c.dim('free it:')} ${howToFree(l)}`);
    }
    if (reservation) ctx.out.line(`Reserved for ${reservation.name} (project ${reservation.project}).`);
  });
  return ExitCode.Ok;
}
