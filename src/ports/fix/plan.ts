import { readFileSync } from 'node:fs';
import type { ComposeProject, PublishedPort } from '../../compose/model.js';
import { PorticoError } from '../../core/errors.js';
import { claimsOf } from '../conflicts/find.js';
import type { Conflict } from '../conflicts/model.js';
import { reserve } from '../reservations/allocator.js';
import type { LeaseTable } from '../reservations/store.js';
import { editComposeHostPort, replaceComposeHostPort } from './edit-compose.js';
import { editEnvValue } from './edit-env.js';
import { findVariableUses, mappingKey, type VariableUse } from './references.js';

/**
 * How a proposal changes the port:
 * - `mapping`: the literal host port in the `ports:` entry;
 * - `mapping-default`: the default of `${VAR:-5432}` in the entry (VAR is unset and used nowhere else);
 * - `env-value`: VAR's value in `.env` (VAR is used by this entry's host port and nowhere else);
 * - `new-variable`: the entry's host-port part becomes `${NEW:-port}`, because VAR is also used
 *   elsewhere (another mapping, `DATABASE_URL`, a healthcheck…) and must keep its value.
 */
export type FixMethod = 'mapping' | 'mapping-default' | 'env-value' | 'new-variable';

/**
 * - `planned`: an edit exists and is waiting for the re-check (`converge()` settles it);
 * - `converges`: the re-check of the edited project finds this mapping clean on its new port;
 * - `manual`: no safe automatic edit exists (see `manual`);
 * - `not-converging`: an edit exists, but the re-check shows it would not fix the conflict or
 *   would change something else (see `manual`); it is not written.
 */
export type FixStatus = 'planned' | 'converges' | 'manual' | 'not-converging';

export interface FixProposal {
  service: string;
  containerPort: number;
  protocol: PublishedPort['protocol'];
  oldPort: number;
  /** Where the entry is written: `compose.yaml:12`. */
  mapping: string;
  /** Undefined when no port could be chosen (see `manual`). */
  newPort?: number;
  reservation?: string;
  /** The file that changes: the compose file, or the .env that sets the port's variable. */
  file?: string;
  method?: FixMethod;
  /** The variable the host port came from. */
  variable?: string;
  /** For `new-variable`: the variable introduced (its default is the new port). */
  newVariable?: string;
  /** Why `variable` was left alone: its other uses, `file:line where`. */
  variableUsedBy?: string[];
  /** Equal copies of the entry in other compose files (merged with it), changed the same way. */
  alsoChanged?: string[];
  status: FixStatus;
  /** What is wrong and what to do by hand, when status is not `converges`. */
  manual?: string;
  conflicts: Conflict['kind'][];
}

/** One proposal's edit, re-applicable to any version of the file (for the re-check loop). */
export interface PlannedEdit {
  proposal: FixProposal;
  /** The `ports:` entry it fixes (mappingKey) and the exact port within it. */
  key: string;
  port: PublishedPort;
  file: string;
  apply(text: string): string | undefined;
  /**
   * The same change made to another entry (an equal copy of this one in another compose file,
   * which compose merges with it). Absent for edits that are not in the entry (`.env`).
   */
  applyAt?: (origin: PublishedPort['origin']) => (text: string) => string | undefined;
  /** Set on an edit made to such a copy: it has no published port of its own to check. */
  copyOf?: PlannedEdit;
}

export interface FixPlan {
  proposals: FixProposal[];
  edits: PlannedEdit[];
}

export interface PlanOptions {
  /** The environment compose sees (a variable set there wins over .env). */
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/**
 * Decide, per conflicting `ports:` entry, a new host port and the smallest edit that moves only
 * that entry. New ports come from reservations named `<service>:<containerPort>`, so the same
 * service gets the same replacement every time; nothing is recorded here (the command reserves
 * the ports of the edits it writes).
 */
export async function planFixes(
  project: ComposeProject,
  conflicts: Conflict[],
  table: LeaseTable,
  options: PlanOptions,
): Promise<FixPlan> {
  const targets = new Map<string, { port: PublishedPort; service: string; kinds: Conflict['kind'][] }>();
  for (const conflict of conflicts) {
    if (conflict.severity !== 'error') continue;
    // For a duplicate, move the later entry (the earlier one when only it can move); otherwise
    // the (only) compose claim.
    const [first, second] = conflict.claims;
    const claim =
      conflict.kind === 'compose-duplicate'
        ? second && !fixedInPlace(project, second)
          ? second
          : first && !fixedInPlace(project, first)
            ? first
            : second
        : conflict.claims.find((c) => c.published);
    if (!claim?.published || !claim.service) continue;
    const p = claim.published;
    const key = `${mappingKey(p.origin)}|${p.containerPort}|${p.protocol}`;
    const entry = targets.get(key) ?? { port: p, service: claim.service, kinds: [] };
    if (!entry.kinds.includes(conflict.kind)) entry.kinds.push(conflict.kind);
    targets.set(key, entry);
  }

  const uses = targets.size > 0 ? findVariableUses(project) : [];
  const taken = new Set<string>([
    ...uses.map((u) => u.name),
    ...Object.keys(options.env),
    ...envKeys(project),
  ]);
  const avoid = new Set(claimsOf({ project, listeners: [], reservations: [] }).map((c) => c.port));
  const names = new Set<string>();
  // Paths inside the working directory are shown relative to it, others in full.
  const show = (file: string, line?: number): string =>
    `${file.startsWith(`${options.cwd}/`) ? file.slice(options.cwd.length + 1) : file}${line !== undefined ? `:${line}` : ''}`;

  const proposals: FixProposal[] = [];
  const edits: PlannedEdit[] = [];
  for (const { port, service, kinds } of targets.values()) {
    const origin = port.origin;
    const key = mappingKey(origin);
    const base: FixProposal = {
      service,
      containerPort: port.containerPort,
      protocol: port.protocol,
      oldPort: port.hostPort!,
      mapping: show(origin.file, origin.line),
      status: 'manual',
      conflicts: kinds,
    };
    const variable = origin.variable;
    if (variable) base.variable = variable.name;
    const manual = (why: string, extra: Partial<FixProposal> = {}): void => {
      proposals.push({ ...base, ...extra, status: 'manual', manual: why });
    };
    if (project.services.find((s) => s.name === service)?.networkMode === 'host') {
      manual(
        `${service} uses network_mode: host: Docker discards its ports: entries (docker-compose v1 refuses them) and the program binds its port on the host itself, so editing the mapping would change nothing. Change the port in the program's own configuration, or free port ${base.oldPort}.`,
      );
      continue;
    }
    if (origin.rangeOffset !== undefined) {
      manual(
        `"${origin.raw}" is a range: move the whole range by hand (portico ports free -n N lists a free block).`,
      );
      continue;
    }
    if (variable && !variable.envFile && options.env[variable.name] !== undefined) {
      manual(
        `the port comes from $${variable.name}, set in your environment: set ${variable.name} to a free port.`,
      );
      continue;
    }

    let newPort: number;
    const name = reservationName(service, port, names);
    try {
      const { reservation } = await reserve(
        table,
        { name, project: project.name, avoid, mustBeFree: true },
        { dryRun: true },
      );
      newPort = reservation.port;
    } catch (error) {
      if (error instanceof PorticoError && error.code === 'E_PORTS_RANGE_EXHAUSTED') {
        manual(
          `no free port to move it to: ${error.message}. Release reservations or free a port, then run fix again.`,
        );
        continue;
      }
      throw error;
    }
    avoid.add(newPort);
    names.add(name);
    const chosen = { ...base, newPort, reservation: name };

    const others = variable ? uses.filter((u) => u.name === variable.name && u.hostPortOf !== key) : [];
    const current = new Map<string, string | undefined>();
    const textOf = (file: string): string | undefined => {
      if (!current.has(file)) current.set(file, readText(file));
      return current.get(file);
    };
    // The smallest edit first; a variable used anywhere else is never rewritten.
    type Edit = (text: string) => string | undefined;
    const ways: Array<{
      method: FixMethod;
      file: string;
      apply: Edit;
      applyAt?: (o: PublishedPort['origin']) => Edit;
    }> = [];
    const moveAt =
      (o: PublishedPort['origin']): Edit =>
      (text) =>
        orUndefined(editComposeHostPort(text, o, chosen.oldPort, newPort));
    if (!variable) {
      ways.push({ method: 'mapping', file: origin.file, apply: moveAt(origin), applyAt: moveAt });
    } else if (others.length === 0) {
      if (variable.envFile) {
        ways.push({
          method: 'env-value',
          file: variable.envFile,
          apply: (text) => editEnvValue(text, variable.name, String(newPort), String(chosen.oldPort)),
        });
      }
      ways.push({ method: 'mapping-default', file: origin.file, apply: moveAt(origin), applyAt: moveAt });
    }
    let fresh: string | undefined;
    if (variable) {
      const serviceMappings = project.services.find((s) => s.name === service)?.ports.length ?? 1;
      fresh = freshVariableName(variable.name, service, port, others, serviceMappings, taken);
      const replacement = `\${${fresh}:-${newPort}}`;
      const replaceAt =
        (o: PublishedPort['origin']): Edit =>
        (text) =>
          orUndefined(replaceComposeHostPort(text, o, replacement));
      ways.push({ method: 'new-variable', file: origin.file, apply: replaceAt(origin), applyAt: replaceAt });
    }
    // Try each edit on the files as they are, so an entry we cannot rewrite is reported now.
    const way = ways.find((w) => {
      const text = textOf(w.file);
      return text !== undefined && w.apply(text) !== undefined;
    });
    const extra: Partial<FixProposal> =
      way?.method === 'new-variable'
        ? {
            newVariable: fresh!,
            ...(others.length > 0 ? { variableUsedBy: others.map((u) => describeUse(u, show)) } : {}),
          }
        : {};
    if (!way) {
      const last = ways[ways.length - 1]!;
      const text = textOf(last.file);
      const why =
        text === undefined
          ? `cannot read ${show(last.file)}`
          : (refusalOf(replaceOrEdit(text, origin, last.method, chosen.oldPort, newPort)) ??
            `could not rewrite "${origin.raw}" safely`);
      manual(`${why}: change its host port to ${newPort} by hand.`, { newPort, reservation: name });
      continue;
    }
    if (way.method === 'new-variable') taken.add(fresh!);
    const proposal: FixProposal = {
      ...chosen,
      file: way.file,
      method: way.method,
      status: 'planned',
      ...extra,
    };
    proposals.push(proposal);
    edits.push({
      proposal,
      key,
      port,
      file: way.file,
      apply: way.apply,
      ...(way.applyAt ? { applyAt: way.applyAt } : {}),
    });
  }
  return { proposals, edits };
}

/**
 * Whether editing the entry cannot move it at all: a `network_mode: host` service (Docker ignores
 * its `ports:`; the program binds the port itself) or a range. A port from a variable set in the
 * shell is not: the user can move it, so the usual entry stays the target and they are told how.
 */
function fixedInPlace(project: ComposeProject, claim: Conflict['claims'][number]): boolean {
  const p = claim.published;
  if (!p) return true;
  if (project.services.find((s) => s.name === claim.service)?.networkMode === 'host') return true;
  return p.origin.rangeOffset !== undefined;
}

/** `<service>:<containerPort>`, with `/udp` for non-TCP, unique within one plan. */
function reservationName(service: string, port: PublishedPort, used: ReadonlySet<string>): string {
  const base = `${service}:${port.containerPort}${port.protocol === 'tcp' ? '' : `/${port.protocol}`}`;
  let name = base;
  for (let n = 2; used.has(name); n++) name = `${base}#${n}`;
  return name;
}

/**
 * A variable name nobody uses yet: `DB_PORT_PUBLISHED` when DB_PORT is used outside `ports:`,
 * `<SERVICE>_PORT` when DB_PORT is shared with another published mapping (whose port it keeps).
 */
function freshVariableName(
  variable: string,
  service: string,
  port: PublishedPort,
  others: VariableUse[],
  serviceMappings: number,
  taken: ReadonlySet<string>,
): string {
  const sharedWithMapping = others.some((u) => u.hostPortOf !== undefined);
  const svc = service.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
  const base = sharedWithMapping
    ? `${/^[A-Z_]/.test(svc) ? svc : `S_${svc}`}_PORT${serviceMappings > 1 ? `_${port.containerPort}` : ''}`
    : `${variable}_PUBLISHED`;
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}_${n}`;
  return name;
}

function describeUse(u: VariableUse, show: (file: string, line?: number) => string): string {
  return `${show(u.file, u.line)} ${u.where}`;
}

function envKeys(project: ComposeProject): string[] {
  const text = project.envFile ? readText(project.envFile) : undefined;
  if (!text) return [];
  return text.split('\n').flatMap((l) => {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=/.exec(l);
    return m ? [m[1]!] : [];
  });
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** The refusal of the compose edit a method makes, to explain why nothing applies. */
function replaceOrEdit(
  text: string,
  origin: PublishedPort['origin'],
  method: FixMethod,
  oldPort: number,
  newPort: number,
): string | { refused: string } {
  return method === 'new-variable'
    ? replaceComposeHostPort(text, origin, '')
    : editComposeHostPort(text, origin, oldPort, newPort);
}

function orUndefined(result: string | { refused: string }): string | undefined {
  return typeof result === 'string' ? result : undefined;
}

function refusalOf(result: string | { refused: string }): string | undefined {
  return typeof result === 'string' ? undefined : result.refused;
}
