import type { CommandContext } from '../../cli/context.js';
import { writeFileAtomic } from '../../core/atomic-file.js';
import { ExitCode } from '../../core/exit-codes.js';
import { unifiedDiff } from '../fix/diff.js';
import { planFixes } from '../fix/plan.js';
import { LeaseTable } from '../reservations/store.js';
import { type CheckOptions, noProjectError, runPortCheck } from './check.js';

/** `portico ports fix -f compose.yml [--write]` */
export async function fixCommand(
  ctx: CommandContext,
  opts: CheckOptions & { write?: boolean },
): Promise<number> {
  const report = await runPortCheck(ctx, opts, []);
  const project = report.project;
  if (!project) throw noProjectError();
  const table = LeaseTable.open(ctx.env);
  let plan: Awaited<ReturnType<typeof planFixes>>;
  try {
    plan = await planFixes(project, report.conflicts, table, !opts.write, ctx.env);
  } finally {
    table.close();
  }
  const diffs = [...plan.files].map(([file, { before, after }]) =>
    unifiedDiff(relative(ctx.cwd, file), before, after),
  );
  const written: Array<{ file: string; backup?: string }> = [];
  if (opts.write) {
    for (const [file, { after }] of plan.files) {
      const r = writeFileAtomic(file, after);
      written.push({ file, ...(r.backup ? { backup: r.backup } : {}) });
    }
  }
  const manual = plan.proposals.filter((p) => p.manual);
  ctx.out.result({ project: project.name, proposals: plan.proposals, diff: diffs.join(''), written }, () => {
    const { c } = ctx.out;
    if (plan.proposals.length === 0) {
      ctx.out.line(`${c.green('✓')} nothing to fix in project ${project.name}`);
      return;
    }
    for (const p of plan.proposals) {
      const target = p.newPort !== undefined ? ` → ${c.bold(String(p.newPort))}` : '';
      ctx.out.line(
        `${p.service}: host port ${p.oldPort}${target} (container port ${p.containerPort}; ${p.conflicts.join(', ')})`,
      );
      if (p.manual) ctx.out.line(`  ${c.yellow('by hand:')} ${p.manual}`);
    }
    if (diffs.length > 0) ctx.out.line(`\n${diffs.map((d) => colorDiff(d, c)).join('\n')}`);
    if (opts.write) {
      for (const w of written)
        ctx.out.line(`${c.green('wrote')} ${w.file}${w.backup ? ` (backup: ${w.backup})` : ''}`);
    } else if (plan.files.size > 0) {
      ctx.out.line(c.dim('Nothing written. Apply with --write (a backup of each file is kept).'));
    }
  });
  if (manual.length > 0) return ExitCode.Problems;
  return opts.write || plan.proposals.length === 0 ? ExitCode.Ok : ExitCode.Problems;
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
