import { readFileSync } from 'node:fs';
import type { ComposeProject, PublishedPort } from '../../compose/model.js';
import { PorticoError } from '../../core/errors.js';
import type { Conflict } from '../conflicts/model.js';
import type { FixPlan, PlannedEdit } from './plan.js';
import { mappingKey } from './references.js';

/** The project re-loaded from edited texts and the conflicts found in it (real paths). */
export interface RecheckResult {
  project: ComposeProject;
  conflicts: Conflict[];
}

/** Re-load and re-check the project as if these files had these texts. */
export type Recheck = (texts: ReadonlyMap<string, string>) => Promise<RecheckResult>;

export interface Convergence {
  /** The converging edits, per file: what `--write` writes. */
  files: Map<string, { before: string; after: string }>;
  applied: PlannedEdit[];
  /** Error conflicts still found once the converging edits are applied (all of them when none is). */
  remaining: Conflict[];
}

/**
 * Apply the planned edits in memory, re-load and re-check, and keep only edits that do what they
 * claim: the entry resolves to its new port, no error conflict involves it any more, and no other
 * published port moved. Edits that fail are marked `not-converging` with the reason and dropped,
 * and the rest is checked again (each round drops at least one, so this ends).
 */
export async function converge(
  project: ComposeProject,
  conflicts: Conflict[],
  plan: FixPlan,
  recheck: Recheck,
): Promise<Convergence> {
  const originals = new Map<string, string>();
  const original = (file: string): string => {
    if (!originals.has(file)) originals.set(file, readFileSync(file, 'utf8'));
    return originals.get(file)!;
  };
  const before = indexPorts(project);
  let candidates = [...plan.edits];
  let texts = new Map<string, string>();
  let result: RecheckResult | undefined;

  const drop = (bad: Map<PlannedEdit, string>): void => {
    for (const [edit, why] of bad) {
      edit.proposal.status = 'not-converging';
      edit.proposal.manual = `not fixed: ${why}.${edit.proposal.newPort !== undefined ? ` Change its host port (for example to ${edit.proposal.newPort}) by hand.` : ''}`;
    }
    // An edit goes with the copies made for it.
    candidates = candidates.filter((e) => !bad.has(e) && !(e.copyOf && bad.has(e.copyOf)));
  };

  // Each round drops an edit or adds a copy of one (at most one per entry): bounded anyway.
  for (let round = 0; candidates.length > 0 && round < 4 * plan.edits.length + 4; round++) {
    texts = new Map();
    const bad = new Map<PlannedEdit, string>();
    for (const e of candidates) {
      const next = e.apply(texts.get(e.file) ?? original(e.file));
      if (next !== undefined) texts.set(e.file, next);
      else if (e.copyOf)
        bad.set(
          e.copyOf,
          `its copy at ${where(e.port)} (merged with it by compose) cannot be changed the same way`,
        );
      else bad.set(e, 'the edit does not apply together with the other edits');
    }
    if (bad.size > 0) {
      drop(bad);
      continue;
    }
    let checked: RecheckResult;
    try {
      checked = await recheck(texts);
    } catch (error) {
      if (!(error instanceof PorticoError)) throw error;
      const culprits = candidates.filter((e) => error.message.includes(e.file));
      for (const e of culprits.length > 0 ? culprits : candidates)
        bad.set(e, `the re-check of the edited project failed: ${error.message}`);
      drop(bad);
      continue;
    }
    const errors = checked.conflicts.filter((c) => c.severity === 'error');
    const after = indexPorts(checked.project);
    const targeted = new Set(candidates.map((e) => portKey(e.port)));
    const copies: PlannedEdit[] = [];
    for (const e of candidates) {
      if (e.copyOf) continue; // merged into its original: checked through it
      const now = after.get(portKey(e.port));
      const wanted = e.proposal.newPort;
      if (!now) bad.set(e, 'after the edit the entry no longer resolves to a published port');
      else if (now.hostPort !== wanted)
        bad.set(
          e,
          `after the edit the entry resolves to host port ${now.hostPort ?? '(none)'}, not ${wanted}`,
        );
      else if ((now.hostIp ?? '') !== (e.port.hostIp ?? ''))
        bad.set(
          e,
          `the edit would change the host IP from "${e.port.hostIp ?? ''}" to "${now.hostIp ?? ''}"`,
        );
      else {
        const still = errors.find((c) =>
          c.claims.some((cl) => cl.published && portKey(cl.published) === portKey(e.port)),
        );
        if (still) bad.set(e, `the re-check still finds a conflict on port ${still.port}: ${still.summary}`);
      }
    }
    // Touch nothing else: every other published port must resolve exactly as before.
    for (const key of new Set([...before.keys(), ...after.keys()])) {
      if (targeted.has(key)) continue;
      const was = before.get(key);
      const now = after.get(key);
      if (was && now && samePort(was, now)) continue;
      const moved = (now ?? was)!;
      // The entry an edit made differ from its copy in another file (compose merges equal
      // entries of the same service into one) belongs to that edit: change the copy the same way.
      const uncovered = (e: PlannedEdit): boolean =>
        !was &&
        !e.copyOf &&
        e.proposal.service === moved.origin.service &&
        now?.hostPort === e.proposal.oldPort &&
        now.containerPort === e.port.containerPort &&
        now.protocol === e.port.protocol &&
        (now.hostIp ?? '') === (e.port.hostIp ?? '');
      const owner = candidates.find((e) => uncovered(e) && e.applyAt && !bad.has(e));
      const known = candidates.some((c) => c.copyOf && now && c.key === mappingKey(now.origin));
      if (owner?.applyAt && now && !known) {
        copies.push({
          proposal: owner.proposal,
          key: mappingKey(now.origin),
          port: now,
          file: now.origin.file,
          apply: owner.applyAt(now.origin),
          copyOf: owner,
        });
        continue;
      }
      const culprits = candidates.filter(
        (e) =>
          uncovered(e) ||
          e.file === moved.origin.file ||
          e.file === moved.origin.variable?.envFile ||
          (e.proposal.variable !== undefined && e.proposal.variable === moved.origin.variable?.name),
      );
      const entry = `"${moved.origin.raw}" of ${moved.origin.service} at ${shortPath(moved.origin.file)}:${moved.origin.line}`;
      const what = !was
        ? `${entry} would publish host port ${now!.hostPort ?? '(ephemeral)'} as well${candidates.some(uncovered) ? ' (compose merges equal entries of two files into one; the edit makes them differ, so change both)' : ''}`
        : !now
          ? `${entry} would no longer be published`
          : `${entry} would move from host port ${was.hostPort ?? '(none)'} to ${now.hostPort ?? '(none)'}`;
      for (const e of culprits.length > 0 ? culprits : candidates)
        if (!bad.has(e)) bad.set(e, `the edit also changes another mapping: ${what}`);
    }
    if (bad.size === 0 && copies.length === 0) {
      result = checked;
      break;
    }
    drop(bad);
    candidates.push(...copies.filter((c) => candidates.includes(c.copyOf!)));
  }

  if (!result) {
    drop(new Map(candidates.filter((e) => !e.copyOf).map((e) => [e, 'the re-check did not settle'])));
    candidates = [];
  }
  for (const e of candidates) {
    e.proposal.status = 'converges';
    if (e.copyOf) e.proposal.alsoChanged = [...(e.proposal.alsoChanged ?? []), where(e.port)];
  }
  const files = new Map<string, { before: string; after: string }>();
  if (result) {
    for (const [file, after] of texts)
      if (after !== originals.get(file)) files.set(file, { before: originals.get(file)!, after });
  }
  return {
    files,
    applied: result ? candidates : [],
    remaining: (result?.conflicts ?? conflicts).filter((c) => c.severity === 'error'),
  };
}

function shortPath(file: string): string {
  const cwd = process.cwd();
  return file.startsWith(`${cwd}/`) ? file.slice(cwd.length + 1) : file;
}

function where(p: PublishedPort): string {
  return `${shortPath(p.origin.file)}:${p.origin.line}`;
}

function portKey(p: PublishedPort): string {
  return `${mappingKey(p.origin)}|${p.containerPort}|${p.protocol}|${p.origin.rangeOffset ?? ''}`;
}

function indexPorts(project: ComposeProject): Map<string, PublishedPort> {
  const out = new Map<string, PublishedPort>();
  for (const svc of project.services) for (const p of svc.ports) out.set(portKey(p), p);
  return out;
}

function samePort(a: PublishedPort, b: PublishedPort): boolean {
  return (
    a.hostPort === b.hostPort &&
    (a.hostIp ?? '') === (b.hostIp ?? '') &&
    a.hostPortRange?.start === b.hostPortRange?.start &&
    a.hostPortRange?.end === b.hostPortRange?.end
  );
}
