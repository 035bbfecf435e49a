import type { CommandContext } from '../../core/command-context.js';
import { PorticoError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import type { HealthStatus } from '../../core/model.js';
import { openProjectStore } from './project-store.js';

/** `portico discovery pass|warn|fail <instance>[:check] [--note text]`: a TTL check reports in. */
export async function ttlCommand(
  ctx: CommandContext,
  status: HealthStatus,
  opts: { note?: string; store?: string },
  target: string,
): Promise<number> {
  const { store } = await openProjectStore(ctx, opts);
  try {
    // Instance ids contain ':' themselves; try the whole target first, then split off a check id.
    let instance = await store.getInstance(target);
    let checkId: string | undefined;
    if (!instance && target.includes(':')) {
      const cut = target.lastIndexOf(':');
      instance = await store.getInstance(target.slice(0, cut));
      checkId = target.slice(cut + 1);
    }
    if (!instance) {
      // A service name is enough when the service has exactly one instance with a TTL check.
      const byService = (await store.listInstances({ service: target })).filter((i) =>
        i.checks.some((c) => c.kind === 'ttl'),
      );
      if (byService.length > 1) {
        throw new PorticoError(
          'E_INSTANCE_AMBIGUOUS',
          `service "${target}" has ${byService.length} instances with a TTL check`,
          { hint: `Name one: ${byService.map((i) => i.id).join(', ')}.` },
        );
      }
      instance = byService[0];
    }
    if (!instance)
      throw new PorticoError('E_INSTANCE_UNKNOWN', `no instance or service "${target}" in the catalog`, {
        hint: 'portico discovery list shows the ids (register prints the id too).',
      });
    const ttlChecks = instance.checks.filter((c) => c.kind === 'ttl' && (!checkId || c.id === checkId));
    if (ttlChecks.length === 0) {
      throw new PorticoError(
        'E_CHECK_INVALID',
        `${instance.id} has no TTL check${checkId ? ` "${checkId}"` : ''}`,
        {
          hint: 'Register it with --check ttl:30s.',
        },
      );
    }
    const at = Date.now();
    for (const c of ttlChecks)
      await store.reportTtl({ instanceId: instance.id, checkId: c.id, status, output: opts.note ?? '', at });
    ctx.out.result({ instanceId: instance.id, checks: ttlChecks.map((c) => c.id), status, at }, () =>
      ctx.out.line(`${instance.id}: ${ttlChecks.map((c) => c.id).join(', ')} → ${status}`),
    );
    return ExitCode.Ok;
  } finally {
    await store.close();
  }
}
