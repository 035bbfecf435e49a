import { requireService } from '../../compose/load.js';
import type { ComposeProject } from '../../compose/model.js';
import { parsePort } from '../../core/address.js';
import type { CommandContext } from '../../core/command-context.js';
import { PorticoError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import { startProgress } from '../../core/progress.js';
import { loadProject, type Project, type ProjectRequest, selectorFor } from '../../project/index.js';
import { bindTestBothFamilies, type FamilyAvailability } from '../bind-test.js';
import { claimsOf, findConflicts } from '../conflicts/find.js';
import type { Conflict, DeclaredEndpoint } from '../conflicts/model.js';
import { listListenersDetailed } from '../listeners.js';
import { isPrivilegedUser, unprivilegedPortStart } from '../project.js';
import { listReservations } from '../reservations/allocator.js';
import { LeaseTable } from '../reservations/store.js';

export interface CheckOptions {
  file?: string[];
  service?: string[];
  manifest?: string;
  /** The project, when the caller already loaded it (null: there is none); else loaded here. */
  loaded?: Project | null;
}

export interface CheckReport {
  /** The compose part of the project, if any (what `ports fix` edits). */
  project: ComposeProject | undefined;
  /** The whole project: compose and portico.yaml. */
  model: Project | undefined;
  conflicts: Conflict[];
  checkedPorts: number;
}

/** Gather every fact and find conflicts: shared by `check`, `fix` and the troubleshoot suite. */
export async function runPortCheck(
  ctx: ProjectRequest,
  opts: CheckOptions,
  ports: number[],
): Promise<CheckReport> {
  const model =
    opts.loaded === undefined
      ? await loadProject(selectorFor(ctx, opts), { required: ports.length === 0 })
      : (opts.loaded ?? undefined);
  let project = model?.compose;
  const only = opts.service?.length ? new Set(opts.service) : undefined;
  if (project && only) {
    const keep = new Set(opts.service!.map((s) => requireService(project!, s).name));
    project = { ...project, services: project.services.filter((s) => keep.has(s.name)) };
  }
  const endpoints = declaredEndpoints(model).filter((e) => !only || only.has(e.service));
  const [{ listeners }, reservations] = await Promise.all([
    listListenersDetailed({ env: ctx.env }),
    (async () => {
      const leases = LeaseTable.open(ctx.env);
      try {
        return listReservations(leases);
      } finally {
        leases.close();
      }
    })(),
  ]);
  const input = {
    ...(project ? { project } : {}),
    ...(model ? { projectName: model.name } : {}),
    ports,
    endpoints,
    listeners,
    reservations,
  };
  const claimed = [...new Set(claimsOf(input).map((c) => c.port))];
  const bindResults = new Map<number, FamilyAvailability>();
  await Promise.all(claimed.map(async (p) => bindResults.set(p, await bindTestBothFamilies(p))));
  const conflicts = findConflicts({
    ...input,
    bindResults,
    unprivilegedPortStart: unprivilegedPortStart(),
    privileged: isPrivilegedUser(),
  });
  return { project, model, conflicts, checkedPorts: claimed.length };
}

/** The endpoints portico.yaml declares, for the conflict finder. */
function declaredEndpoints(model: Project | undefined): DeclaredEndpoint[] {
  const manifest = model?.manifest;
  if (!manifest) return [];
  return Object.entries(manifest.data.services).flatMap(([service, spec]) =>
    spec.endpoints.map((e) => ({ service, address: e.address, port: e.port, file: manifest.path })),
  );
}

/** `portico ports check [-f compose.yml] [ports…]` */
export async function checkCommand(
  ctx: CommandContext,
  opts: CheckOptions,
  portArgs: string[],
): Promise<number> {
  const ports = portArgs.map((p) => parsePort(p));
  const progress = startProgress(ctx.out, 'checking ports…');
  let report: CheckReport;
  try {
    report = await runPortCheck(ctx, opts, ports);
  } finally {
    progress.done();
  }
  const errors = report.conflicts.filter((c) => c.severity === 'error');
  ctx.out.result(
    {
      ok: errors.length === 0,
      project: report.model ? { name: report.model.name, files: report.model.files } : null,
      checkedPorts: report.checkedPorts,
      conflicts: report.conflicts,
      warnings: report.project?.warnings ?? [],
    },
    () => printConflicts(ctx, report),
  );
  return errors.length > 0 ? ExitCode.Problems : ExitCode.Ok;
}

export function printConflicts(ctx: CommandContext, report: CheckReport): void {
  const { c } = ctx.out;
  for (const w of report.project?.warnings ?? []) ctx.out.warn(w);
  for (const conflict of report.conflicts) {
    const mark = conflict.severity === 'error' ? c.red('✗') : c.yellow('!');
    ctx.out.line(`${mark} ${c.bold(`${conflict.port}/${conflict.protocol}`)} ${conflict.summary}`);
    ctx.out.line(`    ${c.dim('why:')} ${conflict.why}`);
    ctx.out.line(`    ${c.dim('fix:')} ${conflict.fix}`);
  }
  const errors = report.conflicts.filter((x) => x.severity === 'error').length;
  const warnings = report.conflicts.length - errors;
  const scope = report.model ? `project ${report.model.name}` : 'the given ports';
  if (report.conflicts.length === 0) {
    ctx.out.line(`${c.green('✓')} no port conflicts in ${scope} (${report.checkedPorts} host ports checked)`);
  } else {
    ctx.out.line(
      `\n${errors} conflict${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'} in ${scope}`,
    );
  }
}

export function noProjectError(): PorticoError {
  return new PorticoError('E_COMPOSE_NOT_FOUND', 'no compose file to fix', {
    hint: 'Pass one with -f compose.yaml.',
  });
}
