/** The parts of a diagnose Report (src/diagnose/report.ts) a one-line summary needs. */
export interface ReportLike {
  title?: string;
  summary?: {
    checks: number;
    passed: number;
    skipped: number;
    errors: number;
    warnings: number;
    checkErrors: number;
  };
  checks?: Array<{ findings?: Array<{ code: string; severity: string; title: string }> }>;
  extra?: { score?: { text?: string } | null };
}

/** "3 checks: 1 error, 0 warnings; HEALTH_X: title (+2 more)". */
export function reportSummary(report: ReportLike): string {
  const s = report.summary;
  if (!s) return 'report';
  const findings = (report.checks ?? []).flatMap((c) => c.findings ?? []);
  const worst =
    findings.find((f) => f.severity === 'error') ?? findings.find((f) => f.severity === 'warning');
  const score = report.extra?.score?.text ? `score ${report.extra.score.text}; ` : '';
  return [
    `${score}${s.checks} checks: ${s.passed} passed, ${s.errors} error(s), ${s.warnings} warning(s), ${s.skipped} skipped`,
    s.checkErrors ? `, ${s.checkErrors} could not run` : '',
    worst ? `; ${worst.code}: ${worst.title}` : '',
    findings.length > 1 ? ` (+${findings.length - 1} more finding(s))` : '',
  ].join('');
}
