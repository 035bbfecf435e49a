import type { PublishedPort } from '../../compose/model.js';
import type { Listener } from '../listener.js';
import type { Reservation } from '../reservations/model.js';

/** Stable names for each kind of conflict; the troubleshoot `ports` suite maps them to finding codes. */
export type ConflictKind =
  | 'compose-duplicate'
  | 'in-use-by-process'
  | 'in-use-by-container'
  | 'in-use-hidden-owner'
  | 'reserved-by-other-project'
  | 'ipv4-ipv6-split'
  | 'privileged-port'
  | 'declared-endpoint-clash';

/** A claim on a host port: a compose service's published port, or a port named on the CLI. */
export interface PortClaim {
  port: number;
  protocol: 'tcp' | 'udp' | 'sctp';
  /** '' = all interfaces. */
  hostIp: string;
  service?: string;
  published?: PublishedPort;
  /** An endpoint portico.yaml declares: the service itself listens there. */
  declared?: DeclaredEndpoint;
}

/** A `services.<name>.endpoints[]` entry of portico.yaml. */
export interface DeclaredEndpoint {
  service: string;
  address: string;
  port: number;
  /** The portico.yaml it came from. */
  file: string;
}

export interface Conflict {
  kind: ConflictKind;
  /** errors make `ports check` exit 1; warnings are shown but do not fail. */
  severity: 'error' | 'warning';
  port: number;
  protocol: string;
  /** The claims involved (two for compose-duplicate, one otherwise). */
  claims: PortClaim[];
  /** Sockets currently holding the port, when relevant. */
  holders: Listener[];
  reservation?: Reservation;
  /** One line: what is wrong. */
  summary: string;
  /** Why it matters. */
  why: string;
  /** What to do. */
  fix: string;
}
