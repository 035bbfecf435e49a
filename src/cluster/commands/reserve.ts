import { hostname } from 'node:os';
import { parsePortRange } from '../../core/address.js';
import type { CommandContext } from '../../core/command-context.js';
import { PorticoError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import { listClusterReservations, releaseClusterPort, reserveClusterPort } from '../reservations.js';
import { openClusterStore } from './open-etcd.js';

export interface ReserveCommandOptions {
  store?: string;
  range?: string;
}

/** `portico cluster reserve NAME`: one port for NAME on every host (same answer every time). */
export async function clusterReserveCommand(
  ctx: CommandContext,
  opts: ReserveCommandOptions,
  name: string,
): Promise<number> {
  const range = opts.range ? parsePortRange(opts.range) : undefined;
  const store = await openClusterStore(ctx, opts.store);
  try {
    const r = await reserveClusterPort(store, name, {
      owner: ctx.env.PORTICO_NODE || hostname(),
      ...(range ? { range: { from: range.start, to: range.end } } : {}),
    });
    ctx.out.result(r, () => ctx.out.line(`${r.name} → ${r.port}${r.created ? '' : ' (already reserved)'}`));
    return ExitCode.Ok;
  } finally {
    await store.close();
  }
}

/** `portico cluster reservations`: every cluster-wide reservation. */
export async function clusterReservationsCommand(
  ctx: CommandContext,
  opts: { store?: string },
): Promise<number> {
  const store = await openClusterStore(ctx, opts.store);
  try {
    const list = await listClusterReservations(store);
    ctx.out.result({ reservations: list }, () =>
      ctx.out.table(
        [
          { header: 'PORT', value: (r) => String(r.port), align: 'right' },
          { header: 'NAME', value: (r) => r.name },
          { header: 'OWNER', value: (r) => r.owner },
          { header: 'SINCE', value: (r) => new Date(r.at).toISOString() },
        ],
        list,
      ),
    );
    return ExitCode.Ok;
  } finally {
    await store.close();
  }
}

/** `portico cluster release NAME`. */
export async function clusterReleaseCommand(
  ctx: CommandContext,
  opts: { store?: string },
  name: string,
): Promise<number> {
  const store = await openClusterStore(ctx, opts.store);
  try {
    if (!(await releaseClusterPort(store, name)))
      throw new PorticoError('E_USAGE', `no cluster reservation named "${name}"`);
    ctx.out.result({ released: name }, () => ctx.out.line(`released ${name}`));
    return ExitCode.Ok;
  } finally {
    await store.close();
  }
}
