import { Writable } from 'node:stream';
import { Output } from '../../core/output.js';
import type { Finding } from '../../diagnose/finding.js';
import type { DashboardSources } from './sources.js';

/** Output for a report nobody prints: the dashboard renders it from JSON. */
function silentOutput(env: NodeJS.ProcessEnv): Output {
  const sink = (): Writable =>
    new Writable({
      write(_chunk, _encoding, done) {
        done();
      },
    });
  return new Output({ json: true, quiet: true, color: false, stdout: sink(), stderr: sink(), env });
}

/**
 * The overview: `portico health` run by the agent on its project (score, the seed's KPIs) and
 * the findings that are open now, each with its why and fix. The same implementation as the
 * CLI, so the dashboard and `portico health --json` never disagree.
 */
export async function buildOverview(src: DashboardSources) {
  const { healthReport } = await import('../../diagnose/health.js');
  const loaded = src.loaded();
  const report = await healthReport(
    {
      out: silentOutput(src.env),
      env: src.env,
      signal: src.signal,
      cwd: loaded?.dir ?? src.cwd(),
      project: { name: src.project() },
    },
    {},
  );
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
