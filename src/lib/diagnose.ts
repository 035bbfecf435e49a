/**
 * `portico/diagnose`: the troubleshoot suites and the health report, as data. Each run loads
 * the project from `cwd` (or `project.name`), runs its checks with the same rules as the CLI
 * (a check passes only when it verified something) and returns a `Report`.
 */
import '../core/zod-messages.js';
import { type HealthInput, healthReport as healthReportOf } from '../diagnose/health.js';
import type { Report } from '../diagnose/report.js';
import { type TroubleshootInput, troubleshootReport } from '../diagnose/troubleshoot.js';

export type {
  Category,
  CheckOutcome,
  Finding,
  Severity,
  StepRecord,
} from '../diagnose/finding.js';
export { renderMarkdown } from '../diagnose/render/markdown.js';
export { failsAt, type Report } from '../diagnose/report.js';
export { suiteNames } from '../diagnose/suites/index.js';

/** Where and how a suite runs; everything but cwd/env is optional (the CLI's flags, by name). */
export type RunSuiteOptions = Omit<TroubleshootInput, 'out'>;
export type HealthReportOptions = Omit<HealthInput, 'out' | 'readCatalog'>;

/**
 * Run one troubleshoot suite (`checks`, `ports`, `connectivity`, `api-gateway`, `database`,
 * `docker`, `performance`, `security` or `all`); `target` is connectivity's service, host:port
 * or URL. An unknown suite is E_USAGE.
 */
export async function runSuite(suite: string, options: RunSuiteOptions, target?: string): Promise<Report> {
  return await troubleshootReport(options, suite, target);
}

/** `portico health` as data: the report with its score and KPIs in `report.extra`. */
export async function healthReport(options: HealthReportOptions): Promise<Report> {
  return await healthReportOf(options);
}
