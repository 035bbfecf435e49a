import { extraLabel, extraText } from '../diagnose/render/extra.js';
import { escapeMarkdown as m } from './escape.js';
import type { Assessment } from './model.js';
import { locationText, verdict } from './sections.js';
import { topologySvg } from './svg.js';

/** A code span that no backtick in the text can close early. */
function code(text: string): string {
  const clean = text.replace(/\r?\n/g, ' ');
  const fence = clean.includes('`') ? '``' : '`';
  return `${fence}${clean.startsWith('`') || clean.endsWith('`') ? ` ${clean} ` : clean}${fence}`;
}

/**
 * The assessment as Markdown (a PR comment, a wiki page). The diagram is the same SVG as in the
 * HTML, as a data: image (renderers that allow data images show it); the tables under it carry
 * the same topology as text, since many renderers (GitHub among them) show no inline SVG.
 */
export function renderAssessmentMarkdown(a: Assessment): string {
  const h = a.health;
  const t = a.topology;
  const lines: string[] = [
    `# Network architecture assessment: ${m(a.project)}`,
    '',
    `Files: ${a.files.map((f) => m(f)).join(', ')} · generated ${a.generatedAt} by portico report`,
    '',
    `**${m(verdict(a))}**`,
    '',
    '## Topology',
    '',
    `![Network topology](data:image/svg+xml;base64,${Buffer.from(topologySvg(t)).toString('base64')})`,
    '',
    '| service | image / source | tier | published ports | networks |',
    '|---|---|---|---|---|',
  ];
  for (const s of t.services) {
    const ports = s.ports.map((p) => `${m(p.text)}${p.beyondLoopback ? ' **(public)**' : ''}`).join('<br>');
    const nets = s.networkMode ? `network\\_mode: ${m(s.networkMode)}` : s.networks.map(m).join(', ');
    lines.push(
      `| ${m(s.name)} | ${s.kind === 'manifest' ? 'portico.yaml' : m(s.image ?? '')} | ${m(s.tier ?? '')} | ${ports || '—'} | ${nets || '—'} |`,
    );
  }
  if (t.networks.length) {
    lines.push('', '| network | internal | external |', '|---|---|---|');
    for (const n of t.networks)
      lines.push(`| ${m(n.name)} | ${n.internal ? 'yes' : 'no'} | ${n.external ? 'yes' : 'no'} |`);
  }
  if (t.routes.length) {
    lines.push('', `Balancer routes (${m(locationText(a, t.lbFile ? { file: t.lbFile } : undefined))}):`, '');
    lines.push('| route | matches | sends to |', '|---|---|---|');
    for (const r of t.routes) {
      const to = [...r.targets.map(m), ...r.unresolved.map((u) => `**not in the project:** ${m(u)}`)].join(
        ', ',
      );
      lines.push(`| ${m(r.name)} | ${m(r.match)} | ${to || '—'} |`);
    }
  }
  lines.push('', '## Key indicators', '');
  const extra = Object.entries(h.extra ?? {});
  if (extra.length) {
    lines.push('| measure | value |', '|---|---|');
    for (const [k, v] of extra) lines.push(`| ${m(extraLabel(k))} | ${m(extraText(v))} |`);
  } else {
    lines.push('No indicators: portico health had nothing to measure.');
  }
  lines.push('', '## Recommendations', '');
  if (a.recommendations.length === 0) lines.push('Nothing to do: no policy or health finding.');
  a.recommendations.forEach((r, i) => {
    lines.push(
      `${i + 1}. **P${r.priority}** ${m(r.title)}${r.action ? `: ${m(r.action)}` : ''} — ${r.source === 'policy' ? 'at' : 'run'} ${code(r.where)} (${r.source} ${code(r.code)})`,
    );
  });
  lines.push(
    '',
    '## Policy',
    '',
    `${a.policy.declared ? 'Policy declared in portico.yaml' : 'Built-in baseline (no policy: in portico.yaml)'}; rules run: ${a.policy.rules.join(', ')}.`,
    '',
  );
  if (a.policy.findings.length === 0) lines.push('Every rule passes.');
  else {
    lines.push('| severity | rule | service | where | message |', '|---|---|---|---|---|');
    for (const f of a.policy.findings) {
      lines.push(
        `| ${f.suppressed ? `suppressed until ${f.suppressed.until}` : f.severity} | ${code(f.rule)} | ${m(f.service ?? '')} | ${m(locationText(a, f.location))} | ${m(f.message)} |`,
      );
    }
  }
  lines.push(
    '',
    '## Health findings',
    '',
    `${h.summary.errors} error(s), ${h.summary.warnings} warning(s), ${h.summary.infos} note(s) from ${h.summary.checks} checks (${h.summary.passed} passed, ${h.summary.skipped} skipped${h.summary.checkErrors ? `, ${h.summary.checkErrors} could not run` : ''}).`,
    '',
  );
  const findings = h.checks.flatMap((c) => c.findings);
  if (findings.length === 0) lines.push('Nothing wrong found.');
  for (const f of findings) {
    lines.push(`### ${f.severity}: ${code(f.code)} ${m(f.title)}`, '');
    for (const x of f.evidence) lines.push(`- ${m(x)}`);
    lines.push('', `**Why it matters:** ${m(f.why)}`, '', `**Fix:** ${m(f.fix)}`, '');
  }
  return `${lines.join('\n').replace(/\n+$/, '')}\n`;
}
