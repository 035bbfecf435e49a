import type { CommandContext } from '../core/command-context.js';
import { PorticoError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import type { Output } from '../core/output.js';
import { loadProject, type Project, type ProjectRequest, selectorFor } from '../project/index.js';
import { type EmitOptions, emitReport } from './emit.js';
import { Facts, type FactsInput } from './facts.js';
import type { CheckOutcome } from './finding.js';
import { buildReport, type Report } from './report.js';
import { runChecks } from './runner.js';
import { suites as suiteBuilders } from './suites/index.js';
import { latencyTargetMs } from './suites/performance.js';

export interface HealthOptions extends EmitOptions {
  portsOnly?: boolean;
  networkOnly?: boolean;
  file?: string[];
  manifest?: string;
  /** false with --no-agent: never ask a running agent. */
  agent?: boolean;
}

/** What a health report is about and how it runs: the CLI's context, or a library caller's. */
export interface HealthInput extends ProjectRequest {
  portsOnly?: boolean | undefined;
  networkOnly?: boolean | undefined;
  /** -f compose files and --manifest. */
  file?: string[] | undefined;
  manifest?: string | undefined;
  signal?: AbortSignal | undefined;
  /** Progress on a terminal (the CLI); none for a library caller. */
  out?: Output | undefined;
  /** Where the catalog comes from (a running agent); default: the store, opened here. */
  readCatalog?: FactsInput['readCatalog'];
}

/**
 * `portico health`: the seed's network health checker as one report — the project's declared
 * checks, ports, Docker networks, service connectivity, performance, security — with a score
 * and the seed's KPIs. It reports on the project found here (compose file and/or portico.yaml,
 * or -C DIR); with no project and an empty catalog it still looks at this host but gives no
 * score, and says what it looked for.
 */
export async function healthCommand(ctx: CommandContext, opts: HealthOptions): Promise<number> {
  const report = await healthReport({
    ...ctx,
    ...opts,
    // A running agent of this project has the catalog fresh; --no-agent reads the store here.
    readCatalog: async (namespace) => {
      const { catalogFromAgent } = await import('../agent/client.js');
      const catalog = await catalogFromAgent(ctx, opts, namespace);
      return catalog && { namespace, instances: catalog.instances, states: catalog.states, ttl: catalog.ttl };
    },
  });
  const code = emitReport(ctx, report, opts, ctx.out.verbose);
  return code === ExitCode.Error ? ExitCode.Error : code;
}

/** The health report itself, without printing it: the CLI and library callers share it. */
export async function healthReport(input: HealthInput): Promise<Report> {
  if (input.portsOnly && input.networkOnly) {
    throw new PorticoError('E_USAGE', '--ports-only and --network-only cannot be combined');
  }
  const started = performance.now();
  // Loaded first and once: a broken compose file or portico.yaml is exit 2 before any check runs.
  const project = await loadProject(selectorFor(input, input));
  const facts = new Facts({
    cwd: input.cwd,
    env: input.env,
    ...(input.project ? { project: input.project } : {}),
    file: input.file,
    manifest: input.manifest,
    loaded: project ?? null,
    ...(input.readCatalog ? { readCatalog: input.readCatalog } : {}),
  });
  const catalog = await facts.catalog();
  const nothingHere = !project && catalog.instances.length === 0;
  const suites = input.portsOnly
    ? ['ports']
    : input.networkOnly
      ? ['docker', 'connectivity']
      : ['checks', 'ports', 'docker', 'connectivity', 'database', 'performance', 'security'];
  const base = { cwd: input.cwd, facts, ...(input.file ? { files: input.file } : {}) };
  const checks = (
    await Promise.all(
      // Straight to the suite builders, without troubleshoot's "connectivity needs a target":
      // health reports on whatever is known, and a suite with nothing to look at says so.
      suites.map((s) => suiteBuilders[s]!(base)),
    )
  ).flat();
  const ran = await runChecks(checks, {
    cwd: input.cwd,
    env: input.env,
    facts,
    signal: input.signal ?? new AbortController().signal,
    ...(input.out ? { out: input.out } : {}),
  });
  // A project that is not running at all is the cause of every refused probe after it: first.
  const notRunning = ran.filter((o) => o.findings.some((f) => f.code === 'PROJECT_NOT_RUNNING'));
  const outcomes = [...notRunning, ...ran.filter((o) => !notRunning.includes(o))];
  const target = project
    ? `project ${project.name} (${project.files.join(', ')})`
    : catalog.instances.length > 0
      ? `catalog project ${catalog.namespace}`
      : `this host (no project found from ${input.cwd})`;
  const report = buildReport('portico health', target, outcomes, performance.now() - started);
  report.extra = nothingHere
    ? nothingToScore(input.cwd, catalog.namespace)
    : await kpis(report, outcomes, facts, project);
  return report;
}

/** No project and nothing in the catalog: a score would only measure the absence of data. */
function nothingToScore(cwd: string, namespace: string): Record<string, unknown> {
  return {
    score: null,
    scope: {
      text: `nothing to score: no compose.yaml, docker-compose.yml or portico.yaml in ${cwd} or its parents, and no instances in the catalog (project ${namespace}). Point Portico at a project: portico health -C path/to/project, or -f compose.yaml, or --project NAME for a catalog project.`,
      lookedFor: ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml', 'portico.yaml'],
      from: cwd,
      catalogProject: namespace,
    },
  };
}

async function kpis(
  report: Report,
  outcomes: CheckOutcome[],
  facts: Facts,
  project: Project | undefined,
): Promise<Record<string, unknown>> {
  const connectivity = outcomes.filter((o) => o.category === 'connectivity' && o.status !== 'skipped');
  const reachable = connectivity.filter(
    (o) =>
      o.status === 'passed' || (o.status === 'findings' && !o.findings.some((f) => f.severity === 'error')),
  );
  const declared = outcomes.filter((o) => o.category === 'service-checks' && o.status !== 'skipped');
  const healthy = declared.filter((o) => o.status === 'passed');
  const latencies = outcomes
    .flatMap((o) => (o.measurements.latencyP50Ms !== undefined ? [o.measurements.latencyP50Ms] : []))
    .sort((a, b) => a - b);
  const median = latencies.length ? latencies[Math.floor(latencies.length / 2)]! : undefined;
  const all = outcomes.flatMap((o) => o.findings);
  const instances = await facts.instances();
  const known = new Set(instances.map((i) => i.port));
  const { listeners } = await facts.listeners();
  const tcpPorts = [...new Set(listeners.filter((l) => l.protocol === 'tcp').map((l) => l.port))];
  const covered = tcpPorts.filter((p) => known.has(p)).length;
  const couldNotRun = report.summary.checkErrors;
  // Checks that could not run count like errors: a score must never look better for lack of data.
  const score = Math.max(0, 100 - 10 * (report.summary.errors + couldNotRun) - 3 * report.summary.warnings);
  const percent = (a: number, b: number): number => Math.round((a / b) * 1000) / 10;
  return {
    score: { value: score, unit: 'points', max: 100, text: `${score}/100` },
    serviceHealth: declared.length
      ? {
          healthy: healthy.length,
          total: declared.length,
          percent: percent(healthy.length, declared.length),
          unit: 'services',
          text: `${healthy.length}/${declared.length} services pass their declared checks`,
        }
      : { healthy: null, total: 0, unit: 'services', text: 'no declared checks' },
    serviceAvailability: connectivity.length
      ? {
          reachable: reachable.length,
          total: connectivity.length,
          percent: percent(reachable.length, connectivity.length),
          unit: 'endpoints',
          text: `${reachable.length}/${connectivity.length} endpoints reachable (${percent(reachable.length, connectivity.length)}%)`,
        }
      : { reachable: null, total: 0, unit: 'endpoints', text: 'no endpoints probed' },
    discoveryCoverage: {
      known: covered,
      listening: tcpPorts.length,
      percent: tcpPorts.length ? percent(covered, tcpPorts.length) : null,
      unit: 'tcp ports',
      text: `${covered}/${tcpPorts.length} listening TCP ports belong to a known service`,
    },
    interServiceLatency:
      median === undefined
        ? { p50: null, unit: 'ms', targetMs: latencyTargetMs, text: 'not measured' }
        : {
            p50: Math.round(median * 10) / 10,
            unit: 'ms',
            targetMs: latencyTargetMs,
            met: median < latencyTargetMs,
            text: `${median.toFixed(1)} ms p50 (target < ${latencyTargetMs} ms: ${median < latencyTargetMs ? 'met' : 'missed'})`,
          },
    portConflicts: counted(
      all.filter((f) => f.code.startsWith('PORT_') && f.severity === 'error').length,
      'conflicts',
    ),
    securityViolations: counted(
      all.filter((f) => f.code.startsWith('SEC_') && f.severity !== 'info').length,
      'findings',
    ),
    listeners: {
      total: listeners.length,
      beyondLoopback: listeners.filter((l) => l.scope !== 'loopback').length,
      unit: 'sockets',
      text: `${listeners.length} sockets (${listeners.filter((l) => l.scope !== 'loopback').length} beyond loopback)`,
    },
    ...(project ? { project: { value: project.name, text: project.name } } : {}),
  };
}

function counted(value: number, unit: string): { value: number; unit: string; text: string } {
  return { value, unit, text: `${value} ${value === 1 ? unit.replace(/s$/, '') : unit}` };
}
