import { writeFileAtomic } from '../../core/atomic-file.js';
import type { CommandContext } from '../../core/command-context.js';
import { ExitCode } from '../../core/exit-codes.js';
import type { Conflict } from '../conflicts/model.js';
import { converge } from '../fix/converge.js';
import { unifiedDiff } from '../fix/diff.js';
import { type FixProposal, planFixes } from '../fix/plan.js';
import { overlayRecheck } from '../fix/recheck.js';
import { reserve } from '../reservations/allocator.js';
import { LeaseTable } from '../reservations/store.js';
import { type CheckOptions, noProjectError, runPortCheck } from './check.js';

/**
 * `portico ports fix -f compose.yml [--write]`: plan one edit per conflicting `ports:` entry,
 * re-check the project with the edits applied in memory, and show (or with --write, write) only
 * the edits that converge. Exit 0 only when no conflict is left.
 */
export async function fixCommand(
  ctx: CommandContext,
  opts: CheckOptions & { write?: boolean },
): Promise<number> {
  const report = await runPortCheck(ctx, opts, []);
  const project = report.project;
  if (!project) throw noProjectError();
  const table = LeaseTable.open(ctx.env);
  try {
    const plan = await planFixes(project, report.conflicts, table, { env: ctx.env, cwd: ctx.cwd });
    const recheck = overlayRecheck({ env: ctx.env, cwd: ctx.cwd, files: opts.file }, (where, files) =>
      runPortCheck(where, { ...opts, file: files }, []),
    );
    const result = await converge(project, report.conflicts, plan, recheck);
    const diffs = [...result.files].map(([file, { before, after }]) =>
      unifiedDiff(relative(ctx.cwd, file), before, after),
    );

    const written: Array<{ file: string; backup?: string }> = [];
    let remaining = result.remaining;
    if (opts.write && result.files.size > 0) {
      // Record the ports the written edits use, so no other project is handed them; if one was
      // taken meanwhile, undo the new leases and write nothing.
      const made: string[] = [];
      try {
        for (const { proposal } of result.applied) {
          const name = proposal.reservation!;
          const existing = table.find(project.name, name);
          if (existing && existing.port !== proposal.newPort) table.delete(project.name, name);
          const r = await reserve(table, { name, project: project.name, port: proposal.newPort! });
          if (r.created) made.push(name);
        }
      } catch (error) {
        for (const name of made) table.delete(project.name, name);
        throw error;
      }
      try {
        for (const [file, { after }] of result.files) {
          const r = writeFileAtomic(file, after);
          written.push({ file, ...(r.backup ? { backup: r.backup } : {}) });
        }
      } catch (error) {
        // Each file is replaced atomically; put back the ones already written so the project
        // is never left half-fixed (a compose file edited without its .env).
        for (const w of written) writeFileAtomic(w.file, result.files.get(w.file)!.before, { backup: false });
        throw error;
      }
      // The files on disk are the truth: check them once more.
      remaining = (await runPortCheck(ctx, opts, [])).conflicts.filter((c) => c.severity === 'error');
    }
    const converged = remaining.length === 0;

    ctx.out.result(
      {
        project: project.name,
        converged,
        proposals: plan.proposals,
        remaining: remaining.map(brief),
        diff: diffs.join(''),
        written,
      },
      () => {
        const { c } = ctx.out;
        if (plan.proposals.length === 0 && converged) {
          ctx.out.line(`${c.green('✓')} nothing to fix in project ${project.name}`);
          return;
        }
        for (const p of plan.proposals) printProposal(ctx, p);
        if (diffs.length > 0) ctx.out.line(`\n${diffs.map((d) => colorDiff(d, c)).join('\n')}`);
        for (const w of written)
          ctx.out.line(`${c.green('wrote')} ${w.file}${w.backup ? ` (backup: ${w.backup})` : ''}`);
        // One change by hand per compose entry: both ports of a conflicting range are one move.
        const byHand = new Set(
          plan.proposals.filter((p) => p.status !== 'converges').map((p) => `${p.mapping}\u0000${p.manual}`),
        ).size;
        const fixes = plan.proposals.filter((p) => p.status === 'converges').length + byHand;
        if (opts.write && byHand > 0)
          ctx.out.line(
            `${written.length > 0 ? `wrote ${result.applied.length} of ${fixes} fixes` : 'nothing written'}; ${byHand} need${byHand === 1 ? 's' : ''} a change by hand (see above)`,
          );
        const when = opts.write ? 'now' : 'after these edits';
        if (converged) {
          ctx.out.line(`${c.green('✓')} re-check: no port conflict left ${when}`);
        } else {
          ctx.out.line(
            `${c.red('✗')} re-check: ${remaining.length} conflict${remaining.length === 1 ? '' : 's'} left ${when} (fix cannot resolve ${remaining.length === 1 ? 'it' : 'them'}; see "by hand" above):`,
          );
          for (const r of remaining) ctx.out.line(`  ${c.red('✗')} ${r.port}/${r.protocol} ${r.summary}`);
        }
        if (!opts.write && result.files.size > 0)
          ctx.out.line(c.dim('Nothing written. Apply with --write (a backup of each file is kept).'));
      },
    );
    if (!converged) return ExitCode.Problems;
    // A dry run with something to change still has the conflicts on disk.
    return opts.write || report.conflicts.every((x) => x.severity !== 'error')
      ? ExitCode.Ok
      : ExitCode.Problems;
  } finally {
    table.close();
  }
}

function printProposal(ctx: CommandContext, p: FixProposal): void {
  const { c } = ctx.out;
  const target = p.newPort !== undefined ? ` → ${c.bold(String(p.newPort))}` : '';
  ctx.out.line(
    `${p.service}: host port ${p.oldPort}${target} (container port ${p.containerPort}/${p.protocol} at ${p.mapping}; ${p.conflicts.join(', ')})`,
  );
  if (p.status !== 'converges') {
    ctx.out.line(`  ${c.yellow('by hand:')} ${p.manual}`);
    return;
  }
  const file = relative(ctx.cwd, p.file!);
  const how: Record<NonNullable<FixProposal['method']>, string> = {
    mapping: `edits the mapping in ${file}`,
    'mapping-default': `edits the default of \${${p.variable}} in the mapping in ${file}`,
    'env-value': `sets ${p.variable}=${p.newPort} in ${file} (${p.variable} is used by this mapping only)`,
    'new-variable': `introduces \${${p.newVariable}:-${p.newPort}} for this mapping in ${file}; ${p.variable} is left as it is${p.variableUsedBy ? `, because it is also used by ${listSome(p.variableUsedBy)}` : ''}`,
  };
  ctx.out.line(
    `  ${how[p.method!]}${p.alsoChanged ? `, and the same entry repeated at ${p.alsoChanged.join(', ')}` : ''}`,
  );
}

/** The first few, then how many more (a variable can be used in hundreds of places). */
function listSome(items: string[], max = 4): string {
  const shown = items.slice(0, max).join(', ');
  return items.length > max ? `${shown} and ${items.length - max} more` : shown;
}

/** A remaining conflict in the JSON document: what and why, without the raw claim objects. */
function brief(c: Conflict): Pick<Conflict, 'kind' | 'port' | 'protocol' | 'summary' | 'why' | 'fix'> {
  return { kind: c.kind, port: c.port, protocol: c.protocol, summary: c.summary, why: c.why, fix: c.fix };
}

function relative(cwd: string, file: string): string {
  return file.startsWith(`${cwd}/`) ? file.slice(cwd.length + 1) : file;
}

function colorDiff(diff: string, c: CommandContext['out']['c']): string {
  return diff
    .split('\n')
    .map((l) =>
      l.startsWith('+') && !l.startsWith('+++')
        ? c.green(l)
        : l.startsWith('-') && !l.startsWith('---')
          ? c.red(l)
          : l,
    )
    .join('\n');
}
