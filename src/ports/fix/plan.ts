import { readFileSync } from 'node:fs';
import type { ComposeProject, PublishedPort } from '../../compose/model.js';
import { claimsOf } from '../conflicts/find.js';
import type { Conflict } from '../conflicts/model.js';
import { reserve } from '../reservations/allocator.js';
import type { LeaseTable } from '../reservations/store.js';
import { editComposeHostPort } from './edit-compose.js';
import { editEnvValue } from './edit-env.js';

export interface FixProposal {
  service: string;
  containerPort: number;
  oldPort: number;
  /** Undefined when the entry must be changed by hand (see `manual`). */
  newPort?: number;
  reservation?: string;
  /** The file that changes: the compose file, or the .env that sets the port's variable. */
  file?: string;
  manual?: string;
  conflicts: Conflict['kind'][];
}

export interface FixPlan {
  proposals: FixProposal[];
  /** New content per file, for the diff and for --write. */
  files: Map<string, { before: string; after: string }>;
}

/**
 * Decide a new host port for every compose entry in a conflict and compute the edited files.
 * New ports come from reservations named `<service>:<containerPort>`, so the same service gets
 * the same replacement every time; `dryRun` computes them without recording.
 */
export async function planFixes(
  project: ComposeProject,
  conflicts: Conflict[],
  table: LeaseTable,
  dryRun: boolean,
  env: NodeJS.ProcessEnv,
): Promise<FixPlan> {
  const targets = new Map<string, { port: PublishedPort; service: string; kinds: Conflict['kind'][] }>();
  for (const conflict of conflicts) {
    if (conflict.severity !== 'error') continue;
    // For a duplicate, move the later entry; otherwise the (only) compose claim.
    const claim =
      conflict.kind === 'compose-duplicate' ? conflict.claims[1] : conflict.claims.find((c) => c.published);
    if (!claim?.published || !claim.service) continue;
    const o = claim.published.origin;
    const key = `${o.file}|${o.service}|${o.index}`;
    const entry = targets.get(key) ?? { port: claim.published, service: claim.service, kinds: [] };
    entry.kinds.push(conflict.kind);
    targets.set(key, entry);
  }

  const avoid = new Set(claimsOf({ project, listeners: [], reservations: [] }).map((c) => c.port));
  const files = new Map<string, { before: string; after: string }>();
  const read = (file: string): { before: string; after: string } => {
    let entry = files.get(file);
    if (!entry) {
      const text = readFileSync(file, 'utf8');
      entry = { before: text, after: text };
      files.set(file, entry);
    }
    return entry;
  };

  const proposals: FixProposal[] = [];
  for (const { port, service, kinds } of targets.values()) {
    const oldPort = port.hostPort!;
    const base: FixProposal = { service, containerPort: port.containerPort, oldPort, conflicts: kinds };
    if (port.origin.rangeOffset !== undefined) {
      proposals.push({
        ...base,
        manual: `"${port.origin.raw}" is a range: move the whole range by hand (portico ports free -n N lists a free block).`,
      });
      continue;
    }
    const variable = port.origin.variable;
    if (variable && !variable.envFile && env[variable.name] !== undefined) {
      proposals.push({
        ...base,
        manual: `the port comes from $${variable.name}, set in your environment: set ${variable.name} to a free port.`,
      });
      continue;
    }
    const name = `${service}:${port.containerPort}`;
    const { reservation } = await reserve(
      table,
      { name, project: project.name, avoid, mustBeFree: true },
      { dryRun },
    );
    avoid.add(reservation.port);
    const newPort = reservation.port;
    const target = variable?.envFile ?? port.origin.file;
    const entry = read(target);
    const edited = variable?.envFile
      ? editEnvValue(entry.after, variable.name, String(newPort))
      : editComposeHostPort(entry.after, port.origin, oldPort, newPort);
    if (edited === undefined) {
      proposals.push({
        ...base,
        newPort,
        reservation: name,
        manual: `could not rewrite "${port.origin.raw}" safely: change its host port to ${newPort} by hand.`,
      });
      continue;
    }
    entry.after = edited;
    proposals.push({ ...base, newPort, reservation: name, file: target });
  }
  for (const [file, entry] of files) if (entry.before === entry.after) files.delete(file);
  return { proposals, files };
}
