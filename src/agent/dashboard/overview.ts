import type { Finding } from '../../diagnose/finding.js';
import type { DashboardSources } from './sources.js';

/**
 * The overview: `portico health` run by the agent on its project (score, the seed's KPIs) and
 * the findings that are open now, each with its why and fix. The same implementation as the
 * CLI, so the dashboard and `portico health --json` never disagree.
 */
export async function buildOverview(src: DashboardSources) {
  const { healthReport } = await import('../../diagnose/health.js');
  const loaded = src.loaded();
  // No `out`: nobody prints this report (the page renders it from JSON), so no progress either.
  const report = await healthReport({
    env: src.env,
    signal: src.signal,
    cwd: loaded?.dir ?? src.cwd(),
    project: { name: src.project() },
  });
  const findings = report.checks.flatMap((check) =>
    check.findings
      .filter((f) => f.severity !== 'info')
      .map((f: Finding) => ({
        code: f.code,
        severity: f.severity,
        title: f.title,
        evidence: f.evidence,
        why: f.why,
        fix: f.fix,
        check: check.title,
      })),
  );
  const rank = { error: 0, warning: 1, info: 2 } as Record<string, number>;
  findings.sort((a, b) => (rank[a.severity] ?? 3) - (rank[b.severity] ?? 3) || a.code.localeCompare(b.code));
  return {
    ...(report.extra ?? {}),
    project: src.project(),
    target: report.target,
    generatedAt: report.generatedAt,
    durationMs: Math.round(report.durationMs),
    summary: report.summary,
    findings,
    /** Checks that could not run: they lower the score, so the page says which. */
    notRun: report.checks
      .filter((c) => c.status === 'error' || c.status === 'timeout')
      .map((c) => ({ id: c.id, title: c.title, error: c.error ?? c.status })),
  };
}
