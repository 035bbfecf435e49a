import { parsePortRange } from '../../core/address.js';
import type { CommandContext } from '../../core/command-context.js';
import { PorticoError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import { bindTestBothFamilies, isFreeOnBoth } from '../bind-test.js';
import { listReservations } from '../reservations/allocator.js';
import { defaultRange } from '../reservations/model.js';
import { LeaseTable } from '../reservations/store.js';

/** `portico ports free [--range A-B] [-n N]`: ports bindable on IPv4 and IPv6 and not reserved. */
export async function freeCommand(
  ctx: CommandContext,
  opts: { range?: string; count?: string },
): Promise<number> {
  const range = opts.range ? parsePortRange(opts.range, '--range') : defaultRange;
  const count = opts.count === undefined ? 1 : Number(opts.count);
  if (!Number.isInteger(count) || count < 1 || count > 65535) {
    throw new PorticoError('E_USAGE', `-n "${opts.count}" is not a positive count`);
  }
  const table = LeaseTable.open(ctx.env);
  const reserved = new Set(listReservations(table).map((r) => r.port));
  table.close();
  const free: number[] = [];
  for (let port = range.start; port <= range.end && free.length < count; port++) {
    if (!reserved.has(port) && isFreeOnBoth(await bindTestBothFamilies(port))) free.push(port);
  }
  ctx.out.result({ range, ports: free }, () => {
    for (const p of free) ctx.out.line(String(p));
    if (free.length < count)
      ctx.out.warn(`only ${free.length} of ${count} free ports in ${range.start}-${range.end}`);
  });
  return free.length < count ? ExitCode.Problems : ExitCode.Ok;
}
