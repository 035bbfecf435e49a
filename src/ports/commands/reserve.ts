import { parsePort, parsePortRange } from '../../core/address.js';
import type { CommandContext } from '../../core/command-context.js';
import { PorticoError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import { currentProjectName, selectorFor } from '../../project/index.js';
import { listReservations, release, reserve } from '../reservations/allocator.js';
import type { Reservation } from '../reservations/model.js';
import { LeaseTable } from '../reservations/store.js';

export interface ReserveOptions {
  port?: string;
  range?: string;
  pid?: string;
}

const namePattern = /^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,127}$/;

function checkName(name: string): string {
  if (!namePattern.test(name)) {
    throw new PorticoError('E_USAGE', `"${name}" is not a valid reservation name`, {
      hint: 'Use letters, digits and . _ - : / (up to 128 characters), e.g. auth-service.',
    });
  }
  return name;
}

function parsePid(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (value === 'parent') return process.ppid;
  if (!/^\d+$/.test(value) || Number(value) < 1) {
    throw new PorticoError('E_USAGE', `--pid "${value}" is not a process id`, {
      hint: 'Use a pid, or "parent" for the calling shell.',
    });
  }
  return Number(value);
}

/** `portico ports reserve <name>` */
export async function reserveCommand(
  ctx: CommandContext,
  opts: ReserveOptions,
  nameArg: string,
): Promise<number> {
  const name = checkName(nameArg);
  const port = opts.port === undefined ? undefined : parsePort(opts.port, '--port');
  const range = opts.range === undefined ? undefined : parsePortRange(opts.range, '--range');
  const pid = parsePid(opts.pid);
  const project = await currentProjectName(selectorFor(ctx));
  const table = LeaseTable.open(ctx.env);
  try {
    const result = await reserve(table, {
      name,
      project,
      ...(port !== undefined ? { port } : {}),
      ...(range ? { range } : {}),
      ...(pid !== undefined ? { pid } : {}),
    });
    ctx.out.result(result, () => {
      const r = result.reservation;
      ctx.out.line(`${r.port}`);
      ctx.out.note(
        `${result.created ? 'reserved' : 'already reserved'}: ${r.name} → port ${r.port} (project ${r.project}${r.pid ? `, while pid ${r.pid} lives` : ''})`,
      );
      for (const s of result.reclaimed)
        ctx.out.note(`reclaimed stale lease ${s.name} → ${s.port} (pid ${s.pid} is gone)`);
    });
    return ExitCode.Ok;
  } finally {
    table.close();
  }
}

/** `portico ports release <name>` */
export async function releaseCommand(ctx: CommandContext, _opts: unknown, nameArg: string): Promise<number> {
  const name = checkName(nameArg);
  const project = await currentProjectName(selectorFor(ctx));
  const table = LeaseTable.open(ctx.env);
  try {
    if (!release(table, project, name)) {
      throw new PorticoError('E_PORTS_NOT_RESERVED', `no reservation "${name}" in project ${project}`, {
        hint: 'List them with: portico ports reservations --all',
      });
    }
    ctx.out.result({ released: { name, project } }, () =>
      ctx.out.line(`released ${name} (project ${project})`),
    );
    return ExitCode.Ok;
  } finally {
    table.close();
  }
}

/** `portico ports reservations` */
export async function reservationsCommand(ctx: CommandContext, opts: { all?: boolean }): Promise<number> {
  const project = opts.all ? undefined : await currentProjectName(selectorFor(ctx));
  const table = LeaseTable.open(ctx.env);
  let rows: Reservation[];
  try {
    rows = listReservations(table).filter((r) => project === undefined || r.project === project);
  } finally {
    table.close();
  }
  ctx.out.result({ project: project ?? null, reservations: rows }, () => {
    if (rows.length === 0) {
      ctx.out.line(`No reservations${project ? ` in project ${project} (--all shows every project)` : ''}.`);
      return;
    }
    ctx.out.table(
      [
        { header: 'PORT', value: (r: Reservation) => String(r.port), align: 'right' },
        { header: 'NAME', value: (r) => r.name },
        { header: 'PROJECT', value: (r) => r.project },
        { header: 'PID', value: (r) => (r.pid ? String(r.pid) : '-') },
        { header: 'SINCE', value: (r) => new Date(r.createdAt).toISOString().replace('T', ' ').slice(0, 19) },
      ],
      rows,
    );
  });
  return ExitCode.Ok;
}
