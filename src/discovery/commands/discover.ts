import type { CommandContext } from '../../core/command-context.js';
import { ExitCode } from '../../core/exit-codes.js';
import type { Instance } from '../../core/model.js';
import type { Project } from '../../project/index.js';
import { secretPolicy } from '../secret-policy.js';
import type { SourceOptions } from '../source.js';
import { createSources } from '../sources/index.js';
import { printInstances } from './print.js';
import { openProjectStore } from './project-store.js';

export interface DiscoverOptions {
  source?: string[];
  register?: boolean;
  file?: string[];
  manifest?: string;
  store?: string;
}

/** Source options for the project the command is about (its folder, its files, its profiles). */
export function sourceOptions(
  ctx: CommandContext,
  opts: { file?: string[]; manifest?: string },
  project?: Project,
): SourceOptions {
  const composeFiles = opts.file ?? project?.compose?.files;
  const manifest = opts.manifest ?? project?.manifest?.path;
  return {
    cwd: project?.dir ?? ctx.cwd,
    env: ctx.env,
    ...(project ? { project } : {}),
    ...(composeFiles ? { composeFiles } : {}),
    ...(manifest ? { manifest } : {}),
    secrets: secretPolicy(project),
    ...(ctx.project.profiles?.length ? { composeProfiles: ctx.project.profiles } : {}),
    onError: (source, error) => ctx.out.warn(`${source}: ${(error as Error).message}`),
  };
}

/** Run each source once; a failing source is reported and the others still count. */
export async function discoverAll(
  ctx: CommandContext,
  opts: DiscoverOptions,
  project?: Project,
): Promise<{ bySource: Map<string, Instance[]>; failed: string[] }> {
  const sources = await createSources(opts.source, sourceOptions(ctx, opts, project));
  const bySource = new Map<string, Instance[]>();
  const failed: string[] = [];
  await Promise.all(
    sources.map(async (s) => {
      try {
        bySource.set(s.name, await s.snapshot(ctx.signal));
      } catch (error) {
        if (opts.source?.length) throw error; // asked for explicitly: failing is an error
        failed.push(s.name);
        ctx.out.warn(`${s.name}: ${(error as Error).message}`);
      }
    }),
  );
  return { bySource, failed };
}

/** `portico discovery discover` */
export async function discoverCommand(ctx: CommandContext, opts: DiscoverOptions): Promise<number> {
  const { store, project, namespace } = await openProjectStore(ctx, opts);
  let found: Awaited<ReturnType<typeof discoverAll>>;
  try {
    found = await discoverAll(ctx, opts, project);
  } catch (error) {
    await store.close();
    throw error;
  }
  const { bySource, failed } = found;
  const instances = [...bySource.values()].flat();
  const synced: Record<string, { added: number; removed: number; changed: number }> = {};
  if (opts.register) {
    try {
      for (const [source, list] of bySource) {
        const r = await store.syncSource(source, list);
        synced[source] = { added: r.added.length, removed: r.removed.length, changed: r.changed.length };
      }
    } finally {
      await store.close();
    }
  } else {
    await store.close();
  }
  ctx.out.result(
    {
      project: namespace,
      sources: [...bySource.keys()],
      failed,
      instances,
      ...(opts.register ? { registered: synced } : {}),
    },
    () => {
      if (bySource.size === 0) {
        ctx.out.line(
          'No sources apply here: no compose file, no portico.yaml, no Docker engine. Try --source processes.',
        );
        return;
      }
      printInstances(ctx, instances);
      ctx.out.line(
        ctx.out.c.dim(`\n${instances.length} instance(s) from ${[...bySource.keys()].join(', ')}`),
      );
      for (const [source, s] of Object.entries(synced)) {
        ctx.out.line(`registered ${source} in project ${namespace}: +${s.added} -${s.removed} ~${s.changed}`);
      }
    },
  );
  return failed.length > 0 ? ExitCode.Problems : ExitCode.Ok;
}
