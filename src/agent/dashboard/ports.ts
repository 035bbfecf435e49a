import { pidAlive } from '../../ports/reservations/allocator.js';
import type { DashboardSources } from './sources.js';

/**
 * Ports: every listening socket with its holder (process or container) and the catalog service
 * it belongs to, the project's conflicts (the `ports check` implementation) and the reservation
 * table. Read-only: stale leases are shown as stale, not removed.
 */
export async function buildPorts(src: DashboardSources) {
  const [{ listListenersDetailed }, { runPortCheck }, { LeaseTable }] = await Promise.all([
    import('../../ports/listeners.js'),
    import('../../ports/commands/check.js'),
    import('../../ports/reservations/store.js'),
  ]);
  const loaded = src.loaded();
  const request = { cwd: loaded?.dir ?? src.cwd(), env: src.env, project: { name: src.project() } };
  const [{ listeners, partial }, check, instances] = await Promise.all([
    listListenersDetailed({ env: src.env }),
    runPortCheck(request, { loaded: loaded ?? null }, []),
    src.store().listInstances(),
  ]);
  const leases = LeaseTable.open(src.env);
  let reservations: ReturnType<typeof leases.all>;
  try {
    reservations = leases.all();
  } finally {
    leases.close();
  }
  const servicesByPort = new Map<number, string[]>();
  for (const i of instances)
    servicesByPort.set(i.port, [...new Set([...(servicesByPort.get(i.port) ?? []), i.service])]);
  return {
    project: src.project(),
    partial,
    listeners: listeners
      .map((l) => ({
        protocol: l.protocol,
        address: l.address,
        port: l.port,
        scope: l.scope,
        user: l.user ?? String(l.uid),
        holder: l.container
          ? `container ${l.container.name}`
          : l.processes.length
            ? l.processes.map((p) => `${p.name} (pid ${p.pid})`).join(', ')
            : l.ownerHidden
              ? 'hidden (another user)'
              : 'unknown',
        services: servicesByPort.get(l.port) ?? [],
        /** This agent's own socket (its API and dashboard). */
        agent: l.processes.some((p) => p.pid === process.pid),
      }))
      .sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol)),
    conflicts: check.conflicts.map((c) => ({
      kind: c.kind,
      severity: c.severity,
      port: c.port,
      protocol: c.protocol,
      summary: c.summary,
      why: c.why,
      fix: c.fix,
      services: c.claims.flatMap((claim) => (claim.service ? [claim.service] : [])),
      holders: c.holders.map((h) =>
        h.container
          ? `container ${h.container.name}`
          : h.processes.map((p) => `${p.name} (pid ${p.pid})`).join(', '),
      ),
    })),
    reservations: reservations.map((r) => ({
      name: r.name,
      port: r.port,
      project: r.project,
      pid: r.pid ?? null,
      stale: r.pid !== undefined && !pidAlive(r.pid),
      createdAt: r.createdAt,
    })),
  };
}
