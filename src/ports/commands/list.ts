import { parsePort } from '../../core/address.js';
import type { CommandContext } from '../../core/command-context.js';
import { ExitCode } from '../../core/exit-codes.js';
import type { Listener } from '../listener.js';
import { listListenersDetailed } from '../listeners.js';

export interface ListOptions {
  tcp?: boolean;
  udp?: boolean;
  port?: string;
  docker?: boolean;
}

/** `portico ports`: every listener with its owner. */
export async function listCommand(ctx: CommandContext, opts: ListOptions): Promise<number> {
  const port = opts.port === undefined ? undefined : parsePort(opts.port);
  const result = await listListenersDetailed({ env: ctx.env, docker: opts.docker !== false });
  const only = opts.tcp && !opts.udp ? 'tcp' : opts.udp && !opts.tcp ? 'udp' : undefined;
  const listeners = result.listeners.filter(
    (l) => (!only || l.protocol === only) && (port === undefined || l.port === port),
  );
  ctx.out.result({ listeners, partial: result.partial, docker: result.docker }, () => {
    if (listeners.length === 0) {
      ctx.out.line(port === undefined ? 'No listening sockets.' : `Nothing listens on port ${port}.`);
      return;
    }
    printListeners(ctx, listeners);
    if (result.partial) {
      ctx.out.note(
        ctx.out.c.dim("Some owners are hidden: other users' processes need root (sudo portico ports)."),
      );
    }
  });
  return ExitCode.Ok;
}

export function printListeners(ctx: CommandContext, listeners: Listener[]): void {
  const { c } = ctx.out;
  ctx.out.table(
    [
      { header: 'PROTO', value: (l: Listener) => `${l.protocol}${l.family === 6 ? '6' : ''}` },
      { header: 'ADDRESS', value: (l) => l.address },
      {
        header: 'EXPOSURE',
        value: (l) => (l.scope === 'all' ? 'all interfaces' : l.scope),
        style: (t, l) => (l.scope === 'all' ? c.yellow(t) : t),
      },
      { header: 'PORT', value: (l) => String(l.port), align: 'right' },
      {
        header: 'PID',
        value: (l) => l.processes.map((p) => p.pid).join(',') || (l.ownerHidden ? '?' : '-'),
        align: 'right',
      },
      { header: 'USER', value: (l) => l.user ?? String(l.uid) },
      {
        header: 'CONTAINER',
        value: (l) => (l.container ? `${l.container.name}:${l.container.containerPort}` : ''),
      },
      {
        header: 'COMMAND',
        value: (l) =>
          l.processes[0]?.commandLine || l.processes[0]?.name || (l.ownerHidden ? '(owner not visible)' : ''),
        flexible: true,
      },
    ],
    listeners,
  );
}
