import type { CertificateSeen } from '../../core/model.js';
import { toFinding } from '../../diagnose/suites/declared-checks.js';
import { instanceStatus } from '../../discovery/status.js';
import type { Conflict } from '../../ports/conflicts/model.js';
import type { InstanceView } from '../context.js';
import type { AlertRule, AlertSeverity } from './schema.js';

/** Everything the rules look at, gathered once per evaluation. */
export interface AlertSnapshot {
  now: number;
  catalog: InstanceView[];
  /** The last certificate each TLS check saw, by `instanceId/checkId`. */
  certificates: ReadonlyMap<string, CertificateSeen>;
  /** Port conflicts of the project; undefined when no rule asked for a scan. */
  conflicts?: Conflict[];
}

/** A condition that holds right now; `key` stays the same for as long as it holds. */
export interface ActiveAlert {
  key: string;
  rule: string;
  kind: AlertRule['kind'];
  severity: AlertSeverity;
  /** One line for a human. */
  summary: string;
  /** Structured facts for machine receivers (ids, codes, ports, dates). */
  details: Record<string, unknown>;
}

const rank: Record<AlertSeverity, number> = { info: 0, warning: 1, error: 2 };

export function ruleName(rule: AlertRule): string {
  return rule.name ?? rule.kind;
}

export function certificateKey(instanceId: string, checkId: string): string {
  return `${instanceId}/${checkId}`;
}

/** The alerts a rule raises on a snapshot. Pure: the same snapshot gives the same alerts. */
export function evaluateRule(rule: AlertRule, snap: AlertSnapshot): ActiveAlert[] {
  const name = ruleName(rule);
  const views =
    rule.kind !== 'port-conflict' && rule.service !== undefined
      ? snap.catalog.filter((v) => v.instance.service === rule.service)
      : snap.catalog;
  switch (rule.kind) {
    case 'instance-down':
      return views.flatMap(({ instance, states }): ActiveAlert[] => {
        if (instanceStatus(instance, states) !== 'critical') return [];
        // A check critical since T has been critical all along since T: the earliest is when the instance went down.
        const since = Math.min(...states.filter((s) => s.status === 'critical').map((s) => s.since));
        if (snap.now - since < rule.for) return [];
        const failing = states.filter((s) => s.status === 'critical');
        return [
          {
            key: `${name}:${instance.id}`,
            rule: name,
            kind: rule.kind,
            severity: 'error',
            summary: `${instance.service} (${instance.id}) is down since ${new Date(since).toISOString()}: ${firstLine(failing[0]?.output ?? '')}`,
            details: {
              service: instance.service,
              instance: instance.id,
              address: instance.address,
              port: instance.port,
              since,
              checks: failing.map((s) => ({ check: s.checkId, reason: s.reason ?? null, output: s.output })),
            },
          },
        ];
      });
    case 'finding':
      return views.flatMap(({ instance, states }) =>
        states.flatMap((state): ActiveAlert[] => {
          if (state.status === 'passing') return [];
          const check = instance.checks.find((c) => c.id === state.checkId);
          if (!check) return [];
          const f = toFinding(instance, check, state.status, state.output, state.reason);
          if (rank[f.severity] < rank[rule.severity]) return [];
          return [
            {
              key: `${name}:${f.code}:${instance.id}/${check.id}`,
              rule: name,
              kind: rule.kind,
              severity: f.severity,
              summary: `${f.code}: ${f.title}`,
              details: {
                code: f.code,
                title: f.title,
                evidence: f.evidence,
                why: f.why,
                fix: f.fix,
                ...f.data,
              },
            },
          ];
        }),
      );
    case 'certificate-expiring':
      return views.flatMap(({ instance }) =>
        instance.checks.flatMap((check): ActiveAlert[] => {
          const cert = snap.certificates.get(certificateKey(instance.id, check.id));
          if (check.kind !== 'tls' || !cert) return [];
          const daysLeft = Math.floor((Date.parse(cert.validTo) - snap.now) / 86_400_000);
          if (daysLeft > rule.within) return [];
          const expired = Date.parse(cert.validTo) <= snap.now;
          return [
            {
              key: `${name}:${instance.id}/${check.id}`,
              rule: name,
              kind: rule.kind,
              severity: expired ? 'error' : 'warning',
              summary: expired
                ? `the certificate of ${instance.service} (${instance.address}:${check.port ?? instance.port}), ${cert.subject}, expired on ${cert.validTo.slice(0, 10)}`
                : `the certificate of ${instance.service} (${instance.address}:${check.port ?? instance.port}), ${cert.subject}, expires in ${daysLeft} day(s), on ${cert.validTo.slice(0, 10)}`,
              details: {
                service: instance.service,
                instance: instance.id,
                check: check.id,
                subject: cert.subject,
                validTo: cert.validTo,
                daysLeft,
              },
            },
          ];
        }),
      );
    case 'port-conflict':
      return (snap.conflicts ?? []).flatMap((c): ActiveAlert[] => {
        if (rank[c.severity] < rank[rule.severity]) return [];
        const who = c.claims.map((claim) => claim.service ?? 'cli').join('+');
        return [
          {
            key: `${name}:${c.kind}:${c.port}/${c.protocol}:${who}`,
            rule: name,
            kind: rule.kind,
            severity: c.severity,
            summary: c.summary,
            details: {
              conflict: c.kind,
              port: c.port,
              protocol: c.protocol,
              services: c.claims.map((claim) => claim.service ?? null),
              holders: c.holders.map((h) => ({
                address: h.address,
                processes: h.processes.map((p) => ({ pid: p.pid, name: p.name })),
                container: h.container?.name ?? null,
              })),
              why: c.why,
              fix: c.fix,
            },
          },
        ];
      });
  }
}

function firstLine(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > 160 ? `${line.slice(0, 157)}…` : line;
}
