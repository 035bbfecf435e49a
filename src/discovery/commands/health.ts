import { formatHostPort } from '../../core/address.js';
import type { CommandContext } from '../../core/command-context.js';
import { formatDuration } from '../../core/duration.js';
import { PorticoError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import type { CheckState, Instance } from '../../core/model.js';
import { startProgress } from '../../core/progress.js';
import { availability, type Store } from '../../store/index.js';
import { type OnceResult, runChecksOnce } from '../run-once.js';
import { type InstanceStatus, instanceStatus } from '../status.js';
import { discoverAll } from './discover.js';
import { colorStatus } from './print.js';
import { openProjectStore } from './project-store.js';

export interface HealthOptions {
  store?: string;
  source?: string[];
  file?: string[];
  manifest?: string;
}

/**
 * `portico discovery health [service]`: run every check now. Uses the catalog; when it is empty
 * (a fresh machine), discovers first so the command is useful with no setup.
 */
export async function healthCommand(
  ctx: CommandContext,
  opts: HealthOptions,
  service?: string,
): Promise<number> {
  const { store, project } = await openProjectStore(ctx, opts);
  try {
    let instances = await store.listInstances(service ? { service } : {});
    let from: 'catalog' | 'discovery' = 'catalog';
    if (instances.length === 0) {
      from = 'discovery';
      const { bySource } = await discoverAll(ctx, opts, project);
      instances = [...bySource.values()].flat().filter((i) => !service || i.service === service);
    }
    if (service && instances.length === 0) {
      throw new PorticoError(
        'E_INSTANCE_UNKNOWN',
        `no service "${service}" in the catalog or in what discovery finds here`,
        {
          hint: 'portico discovery list shows the catalog; discover --register fills it.',
        },
      );
    }
    const progress = startProgress(ctx.out, 'checking…');
    let results: OnceResult[];
    try {
      results = await runChecksOnce(instances, {
        env: ctx.env,
        signal: ctx.signal,
        ttl: await store.ttlReports(),
        onProgress: (done, total) => progress.update(`checking ${done}/${total}…`),
      });
    } finally {
      progress.done();
    }
    const states = await recordStates(store, results, from === 'catalog');
    const report = await buildReport(store, instances, states, results, from);
    ctx.out.result(report, () => printReport(ctx, report));
    return report.summary.critical > 0 ? ExitCode.Problems : ExitCode.Ok;
  } finally {
    await store.close();
  }
}

/** One-shot results become check states (and history) when the instances live in the catalog. */
async function recordStates(store: Store, results: OnceResult[], persist: boolean): Promise<CheckState[]> {
  const previous = persist ? await store.checkStates() : [];
  const states: CheckState[] = [];
  for (const r of results) {
    const prior = previous.find((p) => p.instanceId === r.instance.id && p.checkId === r.checkId);
    const state: CheckState = {
      instanceId: r.instance.id,
      checkId: r.checkId,
      status: r.result.status,
      output: r.result.output,
      ...(r.result.reason ? { reason: r.result.reason } : {}),
      since: prior?.status === r.result.status ? prior.since : r.result.at,
      lastResult: r.result,
    };
    states.push(state);
    if (persist) await store.putCheckState(state);
  }
  return states;
}

async function buildReport(
  store: Store,
  instances: Instance[],
  states: CheckState[],
  results: OnceResult[],
  from: string,
) {
  const day = 86_400_000;
  const now = Date.now();
  const rows = await Promise.all(
    instances.map(async (i) => {
      const status: InstanceStatus = instanceStatus(i, states);
      const uptime =
        from === 'catalog' ? availability(await store.history(i.id, now - day), now - day, now).ratio : null;
      return {
        id: i.id,
        service: i.service,
        address: formatHostPort(i.address, i.port),
        status,
        availability24h: uptime,
        checks: results
          .filter((r) => r.instance.id === i.id)
          .map((r) => ({
            id: r.checkId,
            kind: r.kind,
            status: r.result.status,
            reason: r.result.reason ?? null,
            output: r.result.output,
            durationMs: Math.round(r.result.durationMs * 10) / 10,
          })),
      };
    }),
  );
  const count = (s: InstanceStatus): number => rows.filter((r) => r.status === s).length;
  return {
    from,
    summary: {
      instances: rows.length,
      passing: count('passing'),
      warning: count('warning'),
      critical: count('critical'),
      unknown: count('unknown'),
    },
    instances: rows,
  };
}

function printReport(ctx: CommandContext, report: Awaited<ReturnType<typeof buildReport>>): void {
  const { c } = ctx.out;
  if (report.from === 'discovery')
    ctx.out.note(c.dim('The catalog is empty: checked what discovery finds here (not saved).'));
  if (report.instances.length === 0) {
    ctx.out.line('Nothing to check: no services in the catalog and none discovered here.');
    return;
  }
  type Row = {
    service: string;
    address: string;
    check: string;
    status: string;
    took: string;
    output: string;
  };
  const rows: Row[] = report.instances.flatMap((i) =>
    i.checks.length === 0
      ? [
          {
            service: i.service,
            address: i.address,
            check: '-',
            status: i.status,
            took: '',
            output: '(no checks)',
          },
        ]
      : i.checks.map((k) => ({
          service: i.service,
          address: i.address,
          check: k.id,
          status: k.status,
          took: formatDuration(k.durationMs),
          output: k.output,
        })),
  );
  ctx.out.table(
    [
      { header: 'SERVICE', value: (r: Row) => r.service },
      { header: 'ADDRESS', value: (r) => r.address },
      { header: 'CHECK', value: (r) => r.check },
      { header: 'STATUS', value: (r) => r.status, style: (t) => colorStatus(ctx, t) },
      { header: 'TOOK', value: (r) => r.took, align: 'right' },
      { header: 'OUTPUT', value: (r) => r.output, flexible: true },
    ],
    rows,
  );
  const s = report.summary;
  const line = `${s.instances} instance(s): ${c.green(`${s.passing} passing`)}, ${c.yellow(`${s.warning} warning`)}, ${c.red(`${s.critical} critical`)}`;
  ctx.out.line(`\n${line}`);
}
