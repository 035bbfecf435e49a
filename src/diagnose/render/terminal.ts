import { formatDuration } from '../../core/duration.js';
import type { Output } from '../../core/output.js';
import type { Report } from '../report.js';
import { extraLabel, extraText } from './extra.js';

/** The report for a terminal: findings first, grouped by check, with evidence, why and fix. */
export function renderTerminal(out: Output, report: Report, verbose: boolean): void {
  const { c } = out;
  const icon = { error: c.red('✗'), warning: c.yellow('!'), info: c.cyan('i') };
  out.line(c.bold(`${report.title} — ${report.target}`));
  for (const check of report.checks) {
    const took = c.dim(formatDuration(check.durationMs));
    if (check.status === 'passed') {
      out.line(`${c.green('✓')} ${check.title} ${took}`);
    } else if (check.status === 'skipped') {
      out.line(`${c.dim('–')} ${check.title}: ${c.dim(`skipped, ${check.skipped}`)}`);
    } else if (check.status === 'error' || check.status === 'timeout') {
      out.line(
        `${c.yellow('?')} ${check.title}: ${check.status === 'timeout' ? 'timed out' : 'could not run'} — ${check.error} ${took}`,
      );
    } else {
      out.line(`${icon[worst(check.findings.map((f) => f.severity))]} ${check.title} ${took}`);
    }
    if (verbose || (check.status !== 'passed' && check.status !== 'skipped'))
      for (const note of check.notes) out.line(`    ${c.dim(note)}`);
    for (const f of check.findings) {
      out.line(`  ${icon[f.severity]} ${c.bold(f.code)} ${f.title}`);
      for (const e of f.evidence) out.line(`      ${c.dim('seen:')} ${e}`);
      out.line(`      ${c.dim('why:')}  ${f.why}`);
      out.line(`      ${c.dim('fix:')}  ${f.fix}`);
    }
  }
  if (report.extra) {
    out.line('');
    const width = Math.max(...Object.keys(report.extra).map((k) => k.length));
    for (const [k, v] of Object.entries(report.extra)) {
      out.line(`  ${c.dim(extraLabel(k).padEnd(width + 2))} ${extraText(v)}`);
    }
  }
  const s = report.summary;
  out.line('');
  if (s.errors + s.warnings + s.infos === 0 && s.checkErrors === 0) {
    const skipped = s.skipped ? `, ${s.skipped} skipped with nothing to look at` : '';
    out.line(
      c.green(
        `✓ ${s.passed} of ${s.checks} checks passed${skipped} — nothing wrong found (${formatDuration(report.durationMs)}).`,
      ),
    );
  } else {
    const parts = [`${s.errors} error(s)`, `${s.warnings} warning(s)`, `${s.infos} note(s)`];
    if (s.checkErrors) parts.push(`${s.checkErrors} check(s) could not run`);
    out.line(`${parts.join(', ')} from ${s.checks} checks in ${formatDuration(report.durationMs)}.`);
  }
}

function worst(levels: Array<'error' | 'warning' | 'info'>): 'error' | 'warning' | 'info' {
  return levels.includes('error') ? 'error' : levels.includes('warning') ? 'warning' : 'info';
}
