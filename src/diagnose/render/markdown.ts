import type { Report } from '../report.js';
import { extraLabel, extraText } from './extra.js';

/** A Markdown report (for a ticket or a PR comment). */
export function renderMarkdown(report: Report): string {
  const s = report.summary;
  const lines = [
    `# ${report.title}`,
    '',
    `Target: \`${report.target}\` · generated ${report.generatedAt} · ${report.durationMs} ms`,
    '',
    `**${s.errors} error(s), ${s.warnings} warning(s), ${s.infos} note(s)** from ${s.checks} checks (${s.passed} passed${s.skipped ? `, ${s.skipped} skipped` : ''}${s.checkErrors ? `, ${s.checkErrors} could not run` : ''}).`,
    '',
  ];
  if (report.extra) {
    lines.push('## Summary', '', '| measure | value |', '|---|---|');
    for (const [k, v] of Object.entries(report.extra))
      lines.push(`| ${extraLabel(k)} | ${escapeCell(extraText(v))} |`);
    lines.push('');
  }
  lines.push('## Checks', '', '| check | result | time |', '|---|---|---:|');
  for (const c of report.checks) {
    const result =
      c.status === 'passed'
        ? 'passed'
        : c.status === 'skipped'
          ? `skipped: ${c.skipped ?? ''}`
          : c.status === 'findings'
            ? `${c.findings.length} finding(s)`
            : `${c.status}: ${c.error ?? ''}`;
    lines.push(`| ${escapeCell(c.title)} | ${escapeCell(result)} | ${Math.round(c.durationMs)} ms |`);
  }
  const findings = report.checks.flatMap((c) => c.findings);
  if (findings.length > 0) {
    lines.push('', '## Findings', '');
    for (const f of findings) {
      lines.push(
        `### ${f.severity === 'error' ? '❌' : f.severity === 'warning' ? '⚠️' : 'ℹ️'} \`${f.code}\` ${escapeCell(f.title)}`,
        '',
      );
      for (const e of f.evidence) lines.push(`- ${escapeCell(e)}`);
      lines.push('', `**Why it matters:** ${escapeCell(f.why)}`, '', `**Fix:** ${escapeCell(f.fix)}`, '');
    }
  } else {
    lines.push('', 'Nothing wrong found.');
  }
  return `${lines.join('\n')}\n`;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}
