import { formatHostPort } from '../../core/address.js';
import type { CommandContext } from '../../core/command-context.js';
import { parseDuration } from '../../core/duration.js';
import { PorticoError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import { Monitor, type MonitorEvent } from '../monitor.js';
import { createSources } from '../sources/index.js';
import { instanceStatus } from '../status.js';
import { sourceOptions } from './discover.js';
import { colorStatus } from './print.js';
import { openProjectStore } from './project-store.js';

/** A monitor interval or duration of 0 would spin or stop at once: refuse it. */
function positive(ms: number, what: string): number {
  if (ms <= 0) {
    throw new PorticoError('E_USAGE', `${what} must be more than 0 (got ${ms} ms)`, {
      hint: 'Example: portico discovery monitor 10 (every 10 seconds), --duration 5m.',
    });
  }
  return ms;
}

export interface MonitorCommandOptions {
  duration?: string;
  discover?: boolean;
  source?: string[];
  file?: string[];
  manifest?: string;
  store?: string;
}

/**
 * `portico discovery monitor [seconds]`: check everything every N seconds (or each check's own
 * interval). A live table on a terminal; otherwise one line per status change, or one JSON
 * object per line with --json (a stream, so not a single document).
 */
export async function monitorCommand(
  ctx: CommandContext,
  opts: MonitorCommandOptions,
  seconds?: string,
): Promise<number> {
  const intervalMs =
    seconds === undefined ? undefined : positive(parseDuration(seconds, 'interval'), 'interval');
  const durationMs =
    opts.duration === undefined
      ? undefined
      : positive(parseDuration(opts.duration, '--duration'), '--duration');
  const { store, project } = await openProjectStore(ctx, opts);
  const controller = new AbortController();
  ctx.signal.addEventListener('abort', () => controller.abort(), { once: true });
  const stopTimer = durationMs !== undefined ? setTimeout(() => controller.abort(), durationMs) : undefined;
  const sources =
    opts.discover === false ? [] : await createSources(opts.source, sourceOptions(ctx, opts, project));
  const live = ctx.out.interactive;
  const monitor: Monitor = new Monitor({
    store,
    sources,
    env: ctx.env,
    ...(intervalMs ? { intervalMs } : {}),
    signal: controller.signal,
    onError: (m) => ctx.out.warn(m),
    onEvent: (e) => {
      if (live) return;
      if (ctx.out.json) ctx.out.writeStdout(`${JSON.stringify(e)}\n`);
      else ctx.out.writeStdout(`${formatEvent(e)}\n`);
    },
  });
  const redraw = live ? setInterval(() => draw(ctx, monitor), 1000) : undefined;
  try {
    await monitor.run();
  } finally {
    clearTimeout(stopTimer);
    clearInterval(redraw);
    if (live) draw(ctx, monitor);
    await store.close();
  }
  return ExitCode.Ok;
}

function formatEvent(e: MonitorEvent): string {
  const from = e.previous ? `${e.previous} → ` : '';
  return `${new Date(e.at).toISOString()} ${e.service} ${e.instanceId} ${e.checkId}: ${from}${e.status}${e.reason ? ` (${e.reason})` : ''} ${e.output}`;
}

function draw(ctx: CommandContext, monitor: Monitor): void {
  const rows = monitor.current();
  ctx.out.writeStdout('\x1b[H\x1b[2J');
  ctx.out.line(
    ctx.out.c.bold(
      `portico monitor — ${new Date().toLocaleTimeString()} — ${rows.length} instance(s), Ctrl-C to stop\n`,
    ),
  );
  ctx.out.table(
    [
      { header: 'SERVICE', value: (r: (typeof rows)[0]) => r.instance.service },
      { header: 'ADDRESS', value: (r) => formatHostPort(r.instance.address, r.instance.port) },
      {
        header: 'STATUS',
        value: (r) => instanceStatus(r.instance, r.states),
        style: (t) => colorStatus(ctx, t),
      },
      { header: 'OUTPUT', value: (r) => r.states.map((s) => s.output).join(' | ') || '-', flexible: true },
    ],
    rows,
  );
}
