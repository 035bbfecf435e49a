import type { CommandContext } from '../../cli/context.js';
import { ExitCode } from '../../core/exit-codes.js';
import { openStore } from '../../store/index.js';
import { instanceStatus } from '../status.js';
import { printInstances } from './print.js';

/** `portico discovery list [--service] [--source]`: the catalog with each instance's status. */
export async function listCommand(
  ctx: CommandContext,
  opts: { service?: string; source?: string; store?: string },
): Promise<number> {
  const store = await openStore(opts.store, ctx.env);
  try {
    const instances = await store.listInstances({
      ...(opts.service ? { service: opts.service } : {}),
      ...(opts.source ? { source: opts.source } : {}),
    });
    const states = await store.checkStates();
    const index = await store.index();
    ctx.out.result(
      {
        index,
        instances: instances.map((i) => ({
          ...i,
          status: instanceStatus(i, states),
          checkStates: states.filter((s) => s.instanceId === i.id),
        })),
      },
      () => {
        if (instances.length === 0) {
          ctx.out.line(
            'The catalog is empty. Fill it with: portico discovery discover --register (or register <name> --port N).',
          );
          return;
        }
        printInstances(ctx, instances, states);
      },
    );
  } finally {
    await store.close();
  }
  return ExitCode.Ok;
}
