import { extraLabel, extraText } from '../diagnose/render/extra.js';
import { escapeHtml as e } from './escape.js';
import type { Assessment } from './model.js';
import { locationText, verdict } from './sections.js';
import { topologySvg } from './svg.js';

const css = `
body{font:15px/1.5 system-ui,'DejaVu Sans',sans-serif;max-width:1100px;margin:2rem auto;padding:0 1rem;color:#1b1f24}
h1{margin-bottom:.2rem}h2{margin-top:2rem;border-bottom:1px solid #d0d7de;padding-bottom:.2rem}
.meta{color:#57606a;margin-top:0}
.verdict{padding:.6rem 1rem;border-radius:6px;background:#dafbe1;border:1px solid #1a7f37}
.verdict.fail{background:#ffebe9;border-color:#cf222e}
table{border-collapse:collapse;width:100%;margin:.5rem 0}td,th{border-bottom:1px solid #d0d7de;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}
td code{white-space:nowrap}
.sev{font-weight:600;white-space:nowrap}.sev.error{color:#cf222e}.sev.warning{color:#9a6700}.sev.note,.sev.info{color:#0969da}
.p1{color:#cf222e;font-weight:700}.p2{color:#9a6700;font-weight:700}.p3{color:#0969da;font-weight:700}
.figure{overflow-x:auto;border:1px solid #d0d7de;border-radius:6px;padding:.5rem;background:#fff}
code{font:13px ui-monospace,'DejaVu Sans Mono',monospace;background:#f6f8fa;padding:0 .2rem;border-radius:3px}
.finding{border-left:4px solid #999;padding:.2rem 1rem;margin:1rem 0;background:#f6f8fa}
.finding.error{border-color:#cf222e}.finding.warning{border-color:#bf8700}.finding.info{border-color:#0969da}
.muted{color:#57606a}
`;

/**
 * The assessment as one self-contained HTML page: inline CSS and SVG, no scripts, no external
 * reference of any kind, and every project-supplied string escaped.
 */
export function renderAssessmentHtml(a: Assessment): string {
  const h = a.health;
  const kpis = Object.entries(h.extra ?? {})
    .map(([k, v]) => `<tr><th>${e(extraLabel(k))}</th><td>${e(extraText(v))}</td></tr>`)
    .join('\n');
  const recs = a.recommendations
    .map(
      (r) =>
        `<li><span class="p${r.priority}">P${r.priority}</span> ${e(r.title)}${r.action ? ` — ${e(r.action)}` : ''}<br><span class="muted">${r.source === 'policy' ? 'at' : 'run'}</span> <code>${e(r.where)}</code> <span class="muted">(${e(r.source)} ${e(r.code)})</span></li>`,
    )
    .join('\n');
  const policyRows = a.policy.findings
    .map(
      (f) =>
        `<tr><td class="sev ${f.severity}">${f.suppressed ? 'suppressed' : e(f.severity)}</td><td><code>${e(f.rule)}</code></td><td>${e(f.service ?? '')}</td><td><code>${e(locationText(a, f.location))}</code></td><td>${e(f.message)}${f.suppressed ? `<br><span class="muted">suppressed until ${e(f.suppressed.until)}: ${e(f.suppressed.reason)}</span>` : ''}</td></tr>`,
    )
    .join('\n');
  const findings = h.checks
    .flatMap((c) => c.findings)
    .map(
      (f) => `<section class="finding ${e(f.severity)}">
<h3><code>${e(f.code)}</code> ${e(f.title)}</h3>
<ul>${f.evidence.map((x) => `<li>${e(x)}</li>`).join('')}</ul>
<p><strong>Why it matters:</strong> ${e(f.why)}</p>
<p><strong>Fix:</strong> ${e(f.fix)}</p>
</section>`,
    )
    .join('\n');
  const checks = h.checks
    .map(
      (c) =>
        `<tr><td>${e(c.title)}</td><td>${e(c.status === 'findings' ? `${c.findings.length} finding(s)` : c.status === 'skipped' ? `skipped: ${c.skipped ?? ''}` : c.status)}</td></tr>`,
    )
    .join('\n');
  const t = a.topology;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${e(`Network architecture assessment: ${a.project}`)}</title>
<style>${css}</style>
</head>
<body>
<h1>Network architecture assessment</h1>
<p class="meta">Project <strong>${e(a.project)}</strong> · ${e(a.files.join(', '))} · generated ${e(a.generatedAt)} by portico report</p>
<p class="verdict${a.summary.errors ? ' fail' : ''}">${e(verdict(a))}</p>

<h2>Topology</h2>
<p class="muted">${t.services.length} service(s), ${t.networks.length} network(s), ${t.routes.length} balancer route(s)${t.lbFile ? ` from <code>${e(locationText(a, { file: t.lbFile }))}</code>` : ''}.</p>
<div class="figure">
${topologySvg(t)}
</div>

<h2>Key indicators</h2>
${kpis ? `<table>\n${kpis}\n</table>` : '<p>No indicators: portico health had nothing to measure.</p>'}

<h2>Recommendations</h2>
${recs ? `<ol class="recommendations">\n${recs}\n</ol>` : '<p>Nothing to do: no policy or health finding.</p>'}

<h2>Policy</h2>
<p class="muted">${a.policy.declared ? 'Policy declared in portico.yaml' : 'Built-in baseline (no policy: in portico.yaml)'}; rules run: ${e(a.policy.rules.join(', '))}.</p>
${policyRows ? `<table>\n<tr><th>severity</th><th>rule</th><th>service</th><th>where</th><th>message</th></tr>\n${policyRows}\n</table>` : '<p>Every rule passes.</p>'}

<h2>Health findings</h2>
<p class="muted">${h.summary.errors} error(s), ${h.summary.warnings} warning(s), ${h.summary.infos} note(s) from ${h.summary.checks} checks (${h.summary.passed} passed, ${h.summary.skipped} skipped${h.summary.checkErrors ? `, ${h.summary.checkErrors} could not run` : ''}).</p>
${findings || '<p>Nothing wrong found.</p>'}
<details><summary>Checks</summary>
<table>
${checks}
</table>
</details>
</body>
</html>
`;
}
