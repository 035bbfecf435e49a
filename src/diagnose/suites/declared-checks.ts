import { formatHostPort } from '../../core/address.js';
import type { CheckDefinition, Instance } from '../../core/model.js';
import type { Facts } from '../facts.js';
import type { Check, Finding } from '../finding.js';
import { noServicesKnown, orSkipped } from './nothing-to-check.js';

/**
 * The project's own declared checks (portico.yaml checks, compose healthchecks, labels, the
 * catalog's registrations) run once, as declared: http path and expected status, database
 * logins, TTL state. A TTL-only service is judged by its reports, never probed. One check per
 * service, so a report names each service that fails.
 */
export async function declaredChecks(facts: Facts): Promise<Check[]> {
  const instances = (await facts.instances()).filter((i) => i.checks.length > 0);
  const services = [...new Set(instances.map((i) => i.service))].sort();
  const checks = services.map(
    (service): Check => ({
      id: `checks.${service}`,
      category: 'service-checks',
      title: `Declared checks of ${service}`,
      timeoutMs: 30_000,
      async run(ctx) {
        const mine = instances.filter((i) => i.service === service);
        const { ttl } = await facts.catalog();
        const { runChecksOnce } = await import('../../discovery/run-once.js');
        const results = await runChecksOnce(mine, { env: ctx.env, signal: ctx.signal, ttl });
        const findings: Finding[] = [];
        for (const r of results) {
          const check = r.instance.checks.find((c) => c.id === r.checkId)!;
          ctx.note(
            `${r.instance.id} ${describeCheck(check)}: ${r.result.status} (${r.result.durationMs.toFixed(0)} ms) ${r.result.output}`,
          );
          ctx.measure(`${r.instance.id}/${r.checkId}.ms`, r.result.durationMs);
          if (r.result.status === 'passing') continue;
          findings.push(toFinding(r.instance, check, r.result.status, r.result.output, r.result.reason));
        }
        return findings;
      },
    }),
  );
  return orSkipped(checks, 'service-checks', 'Declared service checks', noServicesKnown);
}

export function toFinding(
  instance: Instance,
  check: CheckDefinition,
  status: 'warning' | 'critical',
  output: string,
  reason: string | undefined,
): Finding {
  if (reason === 'engine_unreachable') {
    return {
      code: 'HEALTH_CHECK_NOT_RUN',
      severity: 'warning',
      title: `${instance.service}: its healthcheck runs inside container ${check.kind === 'command' ? check.container : ''}, and no Docker engine answers`,
      evidence: [`check ${check.id}: ${describeCheck(check)}`, `result: ${output}`],
      why: 'The check could not run at all, so the service is neither known to be down nor known to be up.',
      fix: 'Start Docker (or set DOCKER_HOST / DOCKER_CONTEXT to your engine) and run the report again.',
      data: {
        instance: instance.id,
        service: instance.service,
        check: check.id,
        kind: check.kind,
        status,
        reason,
      },
    };
  }
  const where = formatHostPort(
    instance.address,
    check.kind !== 'ttl' && 'port' in check && check.port ? check.port : instance.port,
  );
  const ttl = check.kind === 'ttl';
  return {
    code: ttl ? 'HEALTH_TTL_EXPIRED' : status === 'critical' ? 'HEALTH_SERVICE_DOWN' : 'HEALTH_CHECK_WARNING',
    severity: status === 'critical' ? 'error' : 'warning',
    title: `${instance.service} (${where}): ${describeCheck(check)} is ${status}: ${firstLine(output)}`,
    evidence: [
      `instance ${instance.id} from ${instance.source}`,
      `check ${check.id}: ${describeCheck(check)}`,
      `result: ${status}${reason ? ` (${reason})` : ''}: ${output}`,
    ],
    why: ttl
      ? 'The service stopped reporting in: whatever it does on a schedule has stopped or is failing.'
      : "The service's own check fails (the one the project declares, or Portico's TCP check when it declares none), so the service is not doing its job.",
    fix: ttl
      ? `Look at the job behind ${instance.service}; it reports with: portico discovery pass ${instance.id}`
      : `Run it again with: portico discovery health ${instance.service} — and look at the service's logs.`,
    data: {
      instance: instance.id,
      service: instance.service,
      check: check.id,
      kind: check.kind,
      status,
      reason,
    },
  };
}

/** "http GET /health expects 200-299", "ttl 30s", "postgres as app". */
export function describeCheck(check: CheckDefinition): string {
  switch (check.kind) {
    case 'http':
      return `${check.scheme} ${check.method} ${check.path} expects ${check.expectStatus.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(',')}`;
    case 'ttl':
      return `ttl ${Math.round(check.ttlMs / 1000)}s`;
    case 'postgres':
    case 'mysql':
      return `${check.kind} as ${check.user}${check.database ? `/${check.database}` : ''}`;
    case 'command':
      return `command ${check.argv.join(' ')}${check.container ? ` in ${check.container}` : ''}`;
    default:
      return check.kind;
  }
}

function firstLine(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > 120 ? `${line.slice(0, 117)}…` : line;
}
