/**
 * Every policy rule id, in report order. A plain list (no rule code) so the portico.yaml schema
 * can name them in `policy.rules` and `policy.suppress` without loading the rules.
 */
export const ruleIds = [
  'datastore-exposed',
  'admin-port-exposed',
  'healthcheck-missing',
  'port-outside-tier',
  'network-mode-host',
  'privileged-port',
  'public-network-shared-with-datastore',
  'duplicate-host-port',
  'reservation-not-honoured',
  'plaintext-between-tiers',
  'route-integrity',
  'live-listener-exposed',
  'suppression-expired',
  'policy-unknown-service',
] as const;

export type RuleId = (typeof ruleIds)[number];

export const severities = ['error', 'warning', 'note'] as const;
export type Severity = (typeof severities)[number];

/** Higher is more severe: `--fail-on warning` fails on warnings and errors. */
export const severityRank: Record<Severity, number> = { note: 1, warning: 2, error: 3 };
