import type { Conflict, ConflictKind } from '../../ports/conflicts/model.js';
import type { FindingCode } from '../codes.js';
import type { Check, Finding } from '../finding.js';

const codeFor: Record<ConflictKind, FindingCode> = {
  'compose-duplicate': 'PORT_DUPLICATE_PUBLISH',
  'in-use-by-process': 'PORT_IN_USE',
  'in-use-by-container': 'PORT_HELD_BY_CONTAINER',
  'in-use-hidden-owner': 'PORT_HELD_HIDDEN',
  'reserved-by-other-project': 'PORT_RESERVED_ELSEWHERE',
  'ipv4-ipv6-split': 'PORT_IPV4_IPV6_SPLIT',
  'privileged-port': 'PORT_PRIVILEGED',
  'declared-endpoint-clash': 'PORT_DUPLICATE_PUBLISH',
};

/** Every conflict `portico ports check` finds, as coded findings with their evidence. */
export function portsChecks(files?: string[], ports: number[] = []): Check[] {
  return [
    {
      id: 'ports.conflicts',
      category: 'ports',
      title: 'Port conflicts (compose, processes, containers, reservations, IPv4/IPv6)',
      async run(ctx) {
        const project = await ctx.facts.project();
        if (!project && ports.length === 0) {
          ctx.skip('no compose file or portico.yaml here and no ports given');
          return [];
        }
        const { runPortCheck } = await import('../../ports/commands/check.js');
        const report = await runPortCheck(
          ctx,
          { ...(files ? { file: files } : {}), loaded: project ?? null },
          ports,
        );
        ctx.note(
          `${report.checkedPorts} host port(s) checked${project ? ` in project ${project.name}` : ''}`,
        );
        return report.conflicts.map(toFinding);
      },
    },
  ];
}

export function toFinding(c: Conflict): Finding {
  const evidence: string[] = [];
  for (const claim of c.claims) {
    if (claim.published)
      evidence.push(
        `${claim.service}: "${claim.published.origin.raw}" at ${claim.published.origin.file}:${claim.published.origin.line}`,
      );
  }
  for (const h of c.holders) {
    const who = h.container
      ? `container ${h.container.name}`
      : h.processes[0]
        ? `pid ${h.processes[0].pid} ${h.processes[0].commandLine || h.processes[0].name}`
        : 'owner not visible';
    evidence.push(`${h.protocol}${h.family === 6 ? '6' : ''} ${h.address}:${h.port} held by ${who}`);
  }
  if (c.reservation) evidence.push(`reserved for ${c.reservation.name} (project ${c.reservation.project})`);
  return {
    code: codeFor[c.kind],
    severity: c.severity,
    title: c.summary,
    evidence: evidence.length ? evidence : [c.summary],
    why: c.why,
    fix: c.fix,
    data: { port: c.port, protocol: c.protocol, kind: c.kind },
  };
}
