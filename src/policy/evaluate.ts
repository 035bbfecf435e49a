import { ruleIds, type Severity, severityRank } from './ids.js';
import type { Finding, RuleContext } from './model.js';
import { rules } from './rules/index.js';

export interface PolicyResult {
  findings: Finding[];
  /** Rules that ran (a rule set to `off` or `live-listener-exposed` without --live did not). */
  ran: string[];
}

/**
 * Run every enabled rule over the project, then apply portico.yaml's severities and its active
 * suppressions. Findings come out in rule-table order, then by file and line.
 */
export function evaluatePolicy(ctx: RuleContext): PolicyResult {
  const findings: Finding[] = [];
  const ran: string[] = [];
  for (const id of ruleIds) {
    const configured = ctx.policy.rules[id];
    if (configured === 'off') continue;
    if (id === 'live-listener-exposed' && !ctx.listeners) continue;
    const rule = rules[id];
    ran.push(id);
    const severity: Severity = configured ?? rule.defaultSeverity;
    const found = rule.check(ctx).map((v): Finding => ({ rule: id, severity, ...v }));
    found.sort(
      (a, b) =>
        (a.location?.file ?? '').localeCompare(b.location?.file ?? '') ||
        (a.location?.line ?? 0) - (b.location?.line ?? 0),
    );
    findings.push(...found.map((f) => suppress(ctx, f)));
  }
  return { findings, ran };
}

function suppress(ctx: RuleContext, finding: Finding): Finding {
  if (finding.rule === 'suppression-expired') return finding;
  const active = ctx.policy.suppress.find(
    (s) =>
      s.rule === finding.rule &&
      (s.service === undefined || s.service === finding.service) &&
      s.until >= ctx.today,
  );
  return active ? { ...finding, suppressed: { reason: active.reason, until: active.until } } : finding;
}

/** Findings that fail the run: not suppressed, at or above the threshold. */
export function failing(findings: Finding[], failOn: Severity): Finding[] {
  return findings.filter((f) => !f.suppressed && severityRank[f.severity] >= severityRank[failOn]);
}
