import { relative } from 'node:path';
import type { Category, Finding as HealthFinding } from '../diagnose/finding.js';
import type { Report } from '../diagnose/report.js';
import type { Finding as PolicyFinding } from '../policy/model.js';
import type { Recommendation } from './model.js';

/**
 * The command that fixes or re-checks a health finding: one its fix text names
 * (`portico ports fix --write`), else `ports fix` for port conflicts, else the suite that found it.
 */
function commandFor(finding: HealthFinding, category: Category): string {
  const quoted = /`((?:portico|docker|sudo|ss|curl)\s[^`]+)`/.exec(finding.fix)?.[1];
  if (quoted) return quoted;
  // Words after the subcommand count only while they look like arguments (a flag, an address,
  // a port, a path), so "portico ports who 8080 on that host" stops before "on".
  const bare =
    /\bportico [a-z-]+(?: [a-z-]+)?(?: (?:-{1,2}[a-z][a-z-]*|[A-Za-z0-9_./-]*[0-9:./][A-Za-z0-9_:./-]*))*/.exec(
      finding.fix,
    )?.[0];
  if (bare) return bare.replace(/[.,;:]+$/, '');
  if (finding.code.startsWith('PORT_')) return 'portico ports fix';
  return `portico troubleshoot ${category === 'service-checks' ? 'checks' : category}`;
}

const rank = { error: 1, warning: 2, note: 3, info: 3 } as const;

/**
 * What to do first: errors before warnings before notes; within a priority, policy findings
 * (each at a file position) before health findings (each with a command), then by place. Policy
 * findings that are suppressed are accepted risks, and health infos are observations: neither
 * is a recommendation.
 */
export function recommendations(
  policy: PolicyFinding[],
  health: Report,
  projectDir: string,
): Recommendation[] {
  const out: Recommendation[] = [];
  for (const f of policy) {
    if (f.suppressed) continue;
    const where = f.location
      ? `${relative(projectDir, f.location.file) || f.location.file}:${f.location.line}:${f.location.col}`
      : f.rule === 'live-listener-exposed'
        ? 'portico policy --live'
        : 'portico policy';
    // A policy message already says what is wrong and what to do.
    out.push({ priority: rank[f.severity], source: 'policy', code: f.rule, title: f.message, where });
  }
  const seen = new Set<string>();
  for (const { f, category } of health.checks.flatMap((c) =>
    c.findings.map((f) => ({ f, category: c.category })),
  )) {
    if (f.severity === 'info') continue;
    const key = `${f.code} ${f.title}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({
      priority: rank[f.severity],
      source: 'health',
      code: f.code,
      title: f.title,
      action: f.fix,
      where: commandFor(f, category),
    });
  }
  const order = { policy: 0, health: 1 };
  return out
    .map((r, i) => ({ r, i }))
    .sort((a, b) => a.r.priority - b.r.priority || order[a.r.source] - order[b.r.source] || a.i - b.i)
    .map(({ r }) => r);
}
