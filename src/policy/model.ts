import type { ComposeService, PublishedPort } from '../compose/model.js';
import type { Listener } from '../ports/listener.js';
import type { Reservation } from '../ports/reservations/model.js';
import type { Project } from '../project/model.js';
import type { RuleId, Severity } from './ids.js';
import type { Locator } from './locate.js';
import type { PolicyConfig } from './schema.js';

/** A place in a file: 1-based line and column, as SARIF and GitHub annotations want them. */
export interface Location {
  file: string;
  line: number;
  col: number;
}

/** One violation a rule found, before severities and suppressions are applied. */
export interface Violation {
  message: string;
  service?: string;
  /** The host port concerned, when the violation is about one. */
  port?: number;
  location?: Location;
}

export interface Finding extends Violation {
  rule: RuleId;
  severity: Severity;
  /** Set when an active suppression covers it: reported, but never fails the run. */
  suppressed?: { reason: string; until: string };
}

/** What every rule sees: the loaded project, the resolved policy, and the live state if asked. */
export interface RuleContext {
  project: Project;
  services: ComposeService[];
  policy: PolicyConfig;
  locate: Locator;
  reservations: Reservation[];
  /** Listening sockets on this host; undefined unless --live. */
  listeners?: Listener[];
  /** Today, UTC, YYYY-MM-DD (suppressions expire after their `until` day). */
  today: string;
}

export interface Rule {
  id: RuleId;
  /** Used unless portico.yaml sets `policy.rules.<id>`. */
  defaultSeverity: Severity;
  /** One line for docs, SARIF rule metadata and `--list-rules`. */
  summary: string;
  check(ctx: RuleContext): Violation[];
}

export interface PortRef {
  service: ComposeService;
  port: PublishedPort;
}
