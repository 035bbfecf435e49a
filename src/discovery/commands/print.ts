import { formatHostPort } from '../../core/address.js';
import type { CommandContext } from '../../core/command-context.js';
import type { CheckState, Instance } from '../../core/model.js';
import { type InstanceStatus, instanceStatus } from '../status.js';

/** Color `text` (possibly padded) by the status it shows. */
export function colorStatus(
  ctx: CommandContext,
  text: string,
  status: InstanceStatus | string = text.trim(),
): string {
  const { c } = ctx.out;
  if (status === 'passing') return c.green(text);
  if (status === 'warning' || status === 'unknown') return c.yellow(text);
  if (status === 'critical') return c.red(text);
  return text;
}

export function printInstances(ctx: CommandContext, instances: Instance[], states?: CheckState[]): void {
  ctx.out.table(
    [
      { header: 'SERVICE', value: (i: Instance) => i.service },
      { header: 'ADDRESS', value: (i) => formatHostPort(i.address, i.port) },
      { header: 'PROTO', value: (i) => i.protocol },
      { header: 'SOURCE', value: (i) => i.source },
      ...(states
        ? [
            {
              header: 'STATUS',
              value: (i: Instance) => instanceStatus(i, states),
              style: (t: string) => colorStatus(ctx, t),
            },
          ]
        : []),
      { header: 'CHECKS', value: (i) => i.checks.map((c) => c.kind).join(',') || '-' },
      { header: 'ID', value: (i) => i.id, flexible: true },
    ],
    instances,
  );
}
