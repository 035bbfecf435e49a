import type { CommandContext } from '../cli/context.js';
import { ExitCode } from '../core/exit-codes.js';
import { type EmitOptions, emitReport } from './emit.js';
import { Facts } from './facts.js';
import type { CheckOutcome } from './finding.js';
import { buildReport, type Report } from './report.js';
import { runChecks } from './runner.js';
import { suites as suiteBuilders } from './suites/index.js';
import { latencyTargetMs } from './suites/performance.js';

export interface HealthOptions extends EmitOptions {
  portsOnly?: boolean;
  networkOnly?: boolean;
  file?: string[];
}

/**
 * `portico health`: the seed's network health checker as one report — ports, Docker networks,
 * service connectivity, performance, security — with a score and the seed's KPIs. In a folder
 * with a compose file or portico.yaml it reports on that project; elsewhere on this host.
 */
export async function healthCommand(ctx: CommandContext, opts: HealthOptions): Promise<number> {
  if (opts.portsOnly && opts.networkOnly) {
    const { PorticoError } = await import('../core/errors.js');
    throw new PorticoError('E_USAGE', '--ports-only and --network-only cannot be combined');
  }
  const started = performance.now();
  const facts = new Facts(ctx.cwd, ctx.env, opts.file);
  const suites = opts.portsOnly
    ? ['ports']
    : opts.networkOnly
      ? ['docker', 'connectivity']
      : ['ports', 'docker', 'connectivity', 'database', 'performance', 'security'];
  const base = { cwd: ctx.cwd, facts, ...(opts.file ? { files: opts.file } : {}) };
  const checks = (
    await Promise.all(
      // Straight to the suite builders, without troubleshoot's "connectivity needs a target":
      // health reports on whatever is known, and a suite with nothing to look at says so.
      suites.map((s) => suiteBuilders[s]!(base)),
    )
  ).flat();
  const outcomes = await runChecks(checks, {
    cwd: ctx.cwd,
    env: ctx.env,
    facts,
    signal: ctx.signal,
    out: ctx.out,
  });
  const project = await facts.compose().catch(() => undefined);
  const target = project ? `project ${project.name} (${project.files.join(', ')})` : `this host (${ctx.cwd})`;
  const report = buildReport('portico health', target, outcomes, performance.now() - started);
  report.extra = await kpis(report, outcomes, facts);
  const code = emitReport(ctx, report, opts);
  return code === ExitCode.Error ? ExitCode.Error : code;
}

async function kpis(
  report: Report,
  outcomes: CheckOutcome[],
  facts: Facts,
): Promise<Record<string, unknown>> {
  const connectivity = outcomes.filter((o) => o.category === 'connectivity');
  const reachable = connectivity.filter((o) => !o.findings.some((f) => f.severity === 'error'));
  const latencies = outcomes
    .flatMap((o) => (o.measurements.latencyP50Ms !== undefined ? [o.measurements.latencyP50Ms] : []))
    .sort((a, b) => a - b);
  const median = latencies.length ? latencies[Math.floor(latencies.length / 2)]! : undefined;
  const all = outcomes.flatMap((o) => o.findings);
  const instances = await facts.instances().catch(() => []);
  const known = new Set(instances.map((i) => i.port));
  const { listeners } = await facts.listeners();
  const tcpPorts = [...new Set(listeners.filter((l) => l.protocol === 'tcp').map((l) => l.port))];
  const score = Math.max(0, 100 - 10 * report.summary.errors - 3 * report.summary.warnings);
  return {
    score,
    serviceAvailability: connectivity.length
      ? `${reachable.length}/${connectivity.length} (${Math.round((reachable.length / connectivity.length) * 100)}%)`
      : 'no services found',
    discoveryCoverage: `${tcpPorts.filter((p) => known.has(p)).length}/${tcpPorts.length} listening TCP ports belong to a known service`,
    interServiceLatency:
      median === undefined
        ? 'not measured'
        : `${median.toFixed(1)}ms p50 (target < ${latencyTargetMs}ms: ${median < latencyTargetMs ? 'met' : 'missed'})`,
    portConflicts: all.filter((f) => f.code.startsWith('PORT_') && f.severity === 'error').length,
    securityViolations: all.filter((f) => f.code.startsWith('SEC_') && f.severity !== 'info').length,
    listeners: `${listeners.length} sockets (${listeners.filter((l) => l.scope !== 'loopback').length} beyond loopback)`,
  };
}
