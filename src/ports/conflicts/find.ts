import type { ComposeProject } from '../../compose/model.js';
import type { FamilyAvailability } from '../bind-test.js';
import type { Listener } from '../listener.js';
import type { Reservation } from '../reservations/model.js';
import { describeClaim, describeHolder, howToFree } from './describe.js';
import type { Conflict, DeclaredEndpoint, PortClaim } from './model.js';

export interface ConflictInput {
  /** The compose project being checked (its own running containers are not conflicts). */
  project?: ComposeProject;
  /** Ports named on the command line. */
  ports?: number[];
  /** The project's name (reservations of this project are its own); default: the compose name. */
  projectName?: string;
  /** Endpoints portico.yaml declares (their own listener is expected, not a conflict). */
  endpoints?: DeclaredEndpoint[];
  listeners: Listener[];
  reservations: Reservation[];
  /** Real bind results per port, for the IPv4/IPv6 split (optional: skipped when absent). */
  bindResults?: Map<number, FamilyAvailability>;
  /** First unprivileged port (net.ipv4.ip_unprivileged_port_start); 1024 by default. */
  unprivilegedPortStart?: number;
  /** Whether the caller can bind privileged ports (root / CAP_NET_BIND_SERVICE). */
  privileged?: boolean;
}

/** Every claim a compose project and the command line make on host ports. */
export function claimsOf(input: ConflictInput): PortClaim[] {
  const claims: PortClaim[] = [];
  for (const svc of input.project?.services ?? []) {
    for (const p of svc.ports) {
      if (p.hostPort === undefined) continue; // ephemeral: Docker picks a free one
      claims.push({
        port: p.hostPort,
        protocol: p.protocol,
        hostIp: p.hostIp ?? '',
        service: svc.name,
        published: p,
      });
    }
  }
  for (const port of input.ports ?? []) claims.push({ port, protocol: 'tcp', hostIp: '' });
  for (const e of input.endpoints ?? []) {
    claims.push({
      port: e.port,
      protocol: 'tcp',
      hostIp: endpointIp(e.address),
      service: e.service,
      declared: e,
    });
  }
  return claims;
}

/**
 * Find what would stop these claims from binding, and explain each. Pure: all facts (listeners,
 * reservations, bind results) are passed in, so the same logic serves `ports check`, `ports
 * fix` and the troubleshoot suite.
 */
export function findConflicts(input: ConflictInput): Conflict[] {
  const claims = claimsOf(input);
  const conflicts: Conflict[] = [];
  const projectName = input.projectName ?? input.project?.name;

  claims.forEach((a, i) => {
    for (const b of claims.slice(i + 1)) {
      const clash = declaredClash(a, b);
      if (clash) conflicts.push(clash);
      if (
        a.published &&
        b.published &&
        a.port === b.port &&
        a.protocol === b.protocol &&
        ipsOverlap(a.hostIp, b.hostIp)
      ) {
        conflicts.push({
          kind: 'compose-duplicate',
          severity: 'error',
          port: a.port,
          protocol: a.protocol,
          claims: [a, b],
          holders: [],
          summary: `${describeClaim(a)} and ${describeClaim(b)} both publish host port ${a.port}/${a.protocol}`,
          why: 'Only one of them can bind the port: the second container fails with "port is already allocated".',
          fix: `Give ${b.service} another host port (portico ports fix can pick and write one).`,
        });
      }
    }
  });

  for (const claim of claims) {
    if (claim.declared) {
      // The declared service is itself the listener there: only another project's reservation is in its way.
      const reservation = input.reservations.find((r) => r.port === claim.port);
      if (reservation && reservation.project !== projectName) {
        conflicts.push(reservedElsewhere(claim, reservation));
      }
      continue;
    }
    const onPort = input.listeners.filter((l) => l.port === claim.port && l.protocol === claim.protocol);
    const ours = onPort.filter(
      // Containers carry compose's own project name, whatever --project says.
      (l) => {
        const composeName = input.project?.name ?? projectName;
        return composeName !== undefined && l.container?.composeProject === composeName;
      },
    );
    const others = onPort.filter((l) => !ours.includes(l));
    const occupancy = occupancyConflict(claim, others, input.bindResults?.get(claim.port));
    if (occupancy && ours.length === 0) conflicts.push(occupancy);

    const reservation = input.reservations.find((r) => r.port === claim.port);
    if (reservation && claim.published && reservation.project !== projectName) {
      conflicts.push(reservedElsewhere(claim, reservation));
    }

    const limit = input.unprivilegedPortStart ?? 1024;
    if (claim.port < limit && !(claim.published === undefined && input.privileged)) {
      conflicts.push({
        kind: 'privileged-port',
        severity: claim.published || input.privileged ? 'warning' : 'error',
        port: claim.port,
        protocol: claim.protocol,
        claims: [claim],
        holders: [],
        summary: `${describeClaim(claim)} uses privileged port ${claim.port} (below ${limit})`,
        why: claim.published
          ? 'A rootful Docker daemon can bind it, but rootless Docker/Podman and non-root processes cannot.'
          : 'Binding it needs root or CAP_NET_BIND_SERVICE.',
        fix: `Use a port of ${limit} or above (e.g. ${claim.port + 8000}), or lower net.ipv4.ip_unprivileged_port_start.`,
      });
    }
  }
  return dedupe(conflicts);
}

function reservedElsewhere(claim: PortClaim, reservation: Reservation): Conflict {
  return {
    kind: 'reserved-by-other-project',
    severity: 'error',
    port: claim.port,
    protocol: claim.protocol,
    claims: [claim],
    holders: [],
    reservation,
    summary: `${describeClaim(claim)} ${claim.declared ? 'listens on' : 'publishes'} port ${claim.port}, reserved for ${reservation.name} of project ${reservation.project}`,
    why: 'Whichever starts second will fail to bind; the reservation exists so the other project can count on this port.',
    fix: `Use a port reserved for this project: portico ports reserve ${claim.service ?? 'NAME'}${claim.published ? ' (or portico ports fix)' : ''}.`,
  };
}

/**
 * A compose service publishing where portico.yaml says another service listens, or two
 * declared services on one address and port: one of them cannot be where the files say.
 */
function declaredClash(a: PortClaim, b: PortClaim): Conflict | undefined {
  const declared = a.declared ?? b.declared;
  if (!declared || (!a.declared && !a.published) || (!b.declared && !b.published)) return undefined;
  if (a.port !== b.port || a.protocol !== b.protocol || !ipsOverlap(a.hostIp, b.hostIp)) return undefined;
  if (a.declared && b.declared && a.service === b.service) return undefined;
  return {
    kind: 'declared-endpoint-clash',
    severity: 'error',
    port: a.port,
    protocol: a.protocol,
    claims: [a, b],
    holders: [],
    summary: `${describeClaim(a)} and ${describeClaim(b)} both claim ${a.hostIp || '*'}:${a.port}/${a.protocol}`,
    why: 'Only one socket can hold the port: whichever starts second fails with "address already in use", and checks reach the wrong service.',
    fix: `Change the port in ${shortFile(declared.file)} or in the compose file so each service has its own.`,
  };
}

function endpointIp(address: string): string {
  if (address === 'localhost') return '127.0.0.1';
  return /^[\d.]+$/.test(address) || address.includes(':') ? address : '';
}

function shortFile(path: string): string {
  return path.split('/').slice(-2).join('/');
}

function inUse(claim: PortClaim, holders: Listener[]): Conflict {
  const first = holders[0];
  const kind = first?.container
    ? 'in-use-by-container'
    : first && first.processes.length > 0
      ? 'in-use-by-process'
      : 'in-use-hidden-owner';
  const by = first
    ? `${describeHolder(first)} on ${first.address}`
    : 'a socket we cannot see (another network namespace or user)';
  return {
    kind,
    severity: 'error',
    port: claim.port,
    protocol: claim.protocol,
    claims: [claim],
    holders,
    summary: `${describeClaim(claim)} needs port ${claim.port}/${claim.protocol}, already held by ${by}`,
    why: claim.published
      ? 'docker compose up will fail with "port is already allocated" (or "address already in use").'
      : 'A server started on this port will fail with EADDRINUSE.',
    fix: claim.published
      ? `${first ? `Free it (${howToFree(first)}) or move` : 'Move'} ${claim.service} to another host port (portico ports fix).`
      : `${first ? `Free it (${howToFree(first)}) or pick` : 'Pick'} a free port (portico ports free).`,
  };
}

/**
 * Who stands in the claim's way. A wildcard claim (compose's default, all interfaces) that is
 * blocked only on IPv6 is the IPv4/IPv6 split: Docker's IPv4 publish succeeds, yet clients that
 * resolve `localhost` to ::1 reach the other program.
 */
function occupancyConflict(
  claim: PortClaim,
  others: Listener[],
  bind: FamilyAvailability | undefined,
): Conflict | undefined {
  const wildcard = claim.hostIp === '' || claim.hostIp === '0.0.0.0';
  if (!wildcard) {
    const holders = others.filter((l) => ipsOverlap(claim.hostIp, l.address));
    return holders.length > 0 ? inUse(claim, holders) : undefined;
  }
  const v4 = others.filter((l) => l.family === 4 || l.address === '::');
  const v6 = others.filter((l) => l.family === 6 && l.address !== '::');
  if (v4.length > 0) return inUse(claim, v4);
  if (v6.length > 0) return split(claim, 'IPv6', v6);
  if (bind?.ipv4 === 'in-use' && bind.ipv6 === 'in-use') return inUse(claim, []);
  if (bind?.ipv4 === 'in-use') return inUse(claim, []);
  if (bind?.ipv6 === 'in-use') return split(claim, 'IPv6', []);
  return undefined;
}

function split(claim: PortClaim, taken: 'IPv4' | 'IPv6', holders: Listener[]): Conflict {
  const free = taken === 'IPv6' ? 'IPv4' : 'IPv6';
  const holder = holders[0];
  return {
    kind: 'ipv4-ipv6-split',
    severity: 'error',
    port: claim.port,
    protocol: claim.protocol,
    claims: [claim],
    holders,
    summary: `port ${claim.port} is free on ${free} but taken on ${taken}${holder ? ` by ${describeHolder(holder)} on ${holder.address}` : ''}`,
    why: `${claim.service ?? 'Your server'} can bind ${free}, but clients that resolve localhost to ${taken === 'IPv6' ? '::1' : '127.0.0.1'} reach the other program instead.`,
    fix: holder
      ? `Free it (${howToFree(holder)}) or use another port.`
      : 'Use another port, or find the holder with portico ports who.',
  };
}

/** Two addresses overlap when either is a wildcard of the same family (or dual-stack), or they are equal. */
export function ipsOverlap(a: string, b: string): boolean {
  const wild = (x: string): boolean => x === '' || x === '0.0.0.0' || x === '::' || x === '*';
  if (a === b) return true;
  if (a === '' || b === '') return true; // compose "" publishes on every address of both families
  const v6 = (x: string): boolean => x.includes(':') && !x.startsWith('::ffff:');
  if (wild(a) && wild(b)) return true;
  // '::' is dual-stack by default (bindv6only=0), so it overlaps IPv4 addresses too.
  if (a === '::' || b === '::') return true;
  if (wild(a)) return v6(a) === v6(b);
  if (wild(b)) return v6(a) === v6(b);
  return unmap(a) === unmap(b);
}

function unmap(x: string): string {
  return x.startsWith('::ffff:') ? x.slice(7) : x;
}

function dedupe(conflicts: Conflict[]): Conflict[] {
  const seen = new Set<string>();
  return conflicts.filter((c) => {
    const key = `${c.kind}|${c.port}|${c.protocol}|${c.claims.map((x) => `${x.service}:${x.published?.origin.line}`).join(',')}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
