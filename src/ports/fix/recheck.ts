import { tmpdir } from 'node:os';
import { isAbsolute } from 'node:path';
import type { ComposeProject } from '../../compose/model.js';
import { PorticoError } from '../../core/errors.js';
import type { Conflict } from '../conflicts/model.js';
import type { Recheck, RecheckResult } from './converge.js';
import { createOverlay, type Overlay } from './overlay.js';

export type CheckRun = (
  where: { env: NodeJS.ProcessEnv; cwd: string },
  files: string[] | undefined,
) => Promise<{
  project: ComposeProject | undefined;
  conflicts: Conflict[];
}>;

/**
 * A Recheck that runs the real `ports check` (loader, listeners, reservations, bind tests,
 * conflict finder) on the edited texts through an overlay directory, and maps every path back.
 */
export function overlayRecheck(
  base: { env: NodeJS.ProcessEnv; cwd: string; files: string[] | undefined },
  check: CheckRun,
): Recheck {
  return async (texts) => {
    let overlay: Overlay;
    try {
      overlay = createOverlay(texts);
    } catch (error) {
      throw new PorticoError(
        'E_FILE_WRITE',
        `could not prepare the re-check in ${tmpdir()}: ${(error as Error).message}`,
        { cause: error },
      );
    }
    try {
      const env = { ...base.env };
      if (env.COMPOSE_FILE) {
        const sep = env.COMPOSE_PATH_SEPARATOR || ':';
        env.COMPOSE_FILE = env.COMPOSE_FILE.split(sep)
          .map((f) => (isAbsolute(f) ? overlay.map(f) : f))
          .join(sep);
      }
      const files = base.files?.map((f) => (isAbsolute(f) ? overlay.map(f) : f));
      let report: Awaited<ReturnType<CheckRun>>;
      try {
        report = await check({ env, cwd: overlay.map(base.cwd) }, files);
      } catch (error) {
        if (error instanceof PorticoError)
          throw new PorticoError(error.code, unmapText(error.message, overlay), { cause: error });
        throw error;
      }
      if (!report.project)
        throw new PorticoError('E_COMPOSE_NOT_FOUND', 'the re-check found no compose project');
      return unmapDeep({ project: report.project, conflicts: report.conflicts }, overlay) as RecheckResult;
    } finally {
      overlay.dispose();
    }
  };
}

function unmapText(text: string, overlay: Overlay): string {
  if (text.startsWith(`${overlay.root}/`)) return overlay.unmap(text);
  return text.replaceAll(`${overlay.root}${process.cwd()}/`, '').replaceAll(overlay.root, '');
}

/** A copy with every overlay path turned back into the real one (shared objects stay shared). */
function unmapDeep(value: unknown, overlay: Overlay, seen = new Map<object, unknown>()): unknown {
  if (typeof value === 'string') return unmapText(value, overlay);
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return seen.get(value);
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    seen.set(value, out);
    for (const v of value) out.push(unmapDeep(v, overlay, seen));
    return out;
  }
  if (value instanceof Map || value instanceof Set || value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  seen.set(value, out);
  for (const [k, v] of Object.entries(value)) out[k] = unmapDeep(v, overlay, seen);
  return out;
}
