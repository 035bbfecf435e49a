import type { CheckOutcome, Finding, Severity } from './finding.js';

export interface Report {
  title: string;
  target: string;
  generatedAt: string;
  durationMs: number;
  checks: CheckOutcome[];
  summary: {
    checks: number;
    passed: number;
    /** Checks that had nothing to look at here. */
    skipped: number;
    errors: number;
    warnings: number;
    infos: number;
    checkErrors: number;
  };
  /** Extra sections (portico health's score and KPIs). */
  extra?: Record<string, unknown>;
}

export interface ReportFilter {
  /** Finding codes not to report. */
  suppress?: string[];
}

export function buildReport(
  title: string,
  target: string,
  checks: CheckOutcome[],
  durationMs: number,
  filter: ReportFilter = {},
): Report {
  const suppressed = new Set(filter.suppress ?? []);
  const kept = checks.map((c) => {
    const findings = c.findings.filter((f) => !suppressed.has(f.code));
    return {
      ...c,
      findings,
      status: c.status === 'findings' && findings.length === 0 ? ('passed' as const) : c.status,
    };
  });
  const all = kept.flatMap((c) => c.findings);
  const count = (s: Severity): number => all.filter((f) => f.severity === s).length;
  return {
    title,
    target,
    generatedAt: new Date().toISOString(),
    durationMs: Math.round(durationMs),
    checks: kept,
    summary: {
      checks: kept.length,
      passed: kept.filter((c) => c.status === 'passed').length,
      skipped: kept.filter((c) => c.status === 'skipped').length,
      errors: count('error'),
      warnings: count('warning'),
      infos: count('info'),
      checkErrors: kept.filter((c) => c.status === 'error' || c.status === 'timeout').length,
    },
  };
}

export function allFindings(report: Report): Finding[] {
  return report.checks.flatMap((c) => c.findings);
}

/** Exit 1 when findings reach the threshold. */
export function failsAt(report: Report, threshold: 'error' | 'warning'): boolean {
  return threshold === 'warning'
    ? report.summary.errors + report.summary.warnings > 0
    : report.summary.errors > 0;
}
