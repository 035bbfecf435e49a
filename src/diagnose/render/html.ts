import type { Report } from '../report.js';
import { extraLabel, extraText } from './extra.js';

/** A self-contained HTML report: no external assets, every value escaped. */
export function renderHtml(report: Report): string {
  const s = report.summary;
  const findings = report.checks.flatMap((c) => c.findings);
  const rows = report.checks
    .map(
      (c) =>
        `<tr class="${c.status}"><td>${e(c.title)}</td><td>${e(c.status === 'findings' ? `${c.findings.length} finding(s)` : c.status === 'skipped' ? `skipped: ${c.skipped ?? ''}` : c.status)}</td><td>${Math.round(c.durationMs)} ms</td></tr>`,
    )
    .join('\n');
  const cards = findings
    .map(
      (f) => `<section class="finding ${f.severity}">
  <h3><code>${e(f.code)}</code> ${e(f.title)}</h3>
  <ul>${f.evidence.map((x) => `<li>${e(x)}</li>`).join('')}</ul>
  <p><strong>Why it matters:</strong> ${e(f.why)}</p>
  <p><strong>Fix:</strong> ${e(f.fix)}</p>
</section>`,
    )
    .join('\n');
  const extra = report.extra
    ? `<h2>Summary</h2><table>${Object.entries(report.extra)
        .map(([k, v]) => `<tr><th>${e(extraLabel(k))}</th><td>${e(extraText(v))}</td></tr>`)
        .join('')}</table>`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${e(report.title)}</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:960px;margin:2rem auto;padding:0 1rem;color:#1b1f24}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left}
tr.passed td:nth-child(2){color:#1a7f37}tr.findings td:nth-child(2){color:#cf222e}
.finding{border-left:4px solid #999;padding:.2rem 1rem;margin:1rem 0;background:#f6f8fa}
.finding.error{border-color:#cf222e}.finding.warning{border-color:#bf8700}.finding.info{border-color:#0969da}
code{font-size:90%}
</style>
</head>
<body>
<h1>${e(report.title)}</h1>
<p>Target <code>${e(report.target)}</code> · generated ${e(report.generatedAt)} · ${report.durationMs} ms</p>
<p><strong>${s.errors} error(s), ${s.warnings} warning(s), ${s.infos} note(s)</strong> from ${s.checks} checks (${s.passed} passed${s.skipped ? `, ${s.skipped} skipped` : ''}).</p>
${extra}
<h2>Checks</h2>
<table><tr><th>check</th><th>result</th><th>time</th></tr>
${rows}
</table>
<h2>Findings</h2>
${cards || '<p>Nothing wrong found.</p>'}
</body>
</html>
`;
}

function e(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!,
  );
}
