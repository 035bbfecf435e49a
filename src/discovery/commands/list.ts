import type { CommandContext } from '../../core/command-context.js';
import { ExitCode } from '../../core/exit-codes.js';
import type { CheckState, Instance } from '../../core/model.js';
import { type ManifestStore, manifestStoreOf, openStore, type Store } from '../../store/index.js';
import { instanceStatus } from '../status.js';
import { printInstances } from './print.js';
import { loadProjectOf } from './project-store.js';

export interface ListOptions {
  service?: string;
  source?: string;
  store?: string;
  allProjects?: boolean;
  /** false with --no-agent: never ask a running agent. */
  agent?: boolean;
}

interface Listed {
  project: string;
  instances: Instance[];
  states: CheckState[];
}

/**
 * `portico discovery list [--service] [--source] [--all-projects]`: the catalog of this project
 * (or of every project) with each instance's status. When this project's agent runs, it
 * answers (fresh data, same document); `--no-agent` reads the store here.
 */
export async function listCommand(ctx: CommandContext, opts: ListOptions): Promise<number> {
  const { namespace, project } = await loadProjectOf(ctx, {});
  const filter = {
    ...(opts.service ? { service: opts.service } : {}),
    ...(opts.source ? { source: opts.source } : {}),
  };
  const { catalogFromAgent } = await import('../../agent/client.js');
  const remote = opts.allProjects ? undefined : await catalogFromAgent(ctx, opts, namespace, filter);
  const { index, listed } = remote
    ? {
        index: remote.index,
        listed: [{ project: namespace, instances: remote.instances, states: remote.states }],
      }
    : await readLocally(ctx, opts, namespace, manifestStoreOf(project));
  const rows = listed.flatMap((l) =>
    l.instances.map((i) => ({
      ...(opts.allProjects ? { project: l.project } : {}),
      ...i,
      status: instanceStatus(i, l.states),
      checkStates: l.states.filter((s) => s.instanceId === i.id),
    })),
  );
  ctx.out.result({ index, project: opts.allProjects ? null : namespace, instances: rows }, () => {
    if (rows.length === 0) {
      ctx.out.line(
        opts.allProjects
          ? 'The catalog is empty in every project. Fill it with: portico discovery discover --register.'
          : `The catalog of project ${namespace} is empty. Fill it with: portico discovery discover --register (or register <name> --port N); --all-projects shows every project.`,
      );
      return;
    }
    for (const l of listed) {
      if (l.instances.length === 0) continue;
      if (opts.allProjects) ctx.out.line(ctx.out.c.bold(`project ${l.project}`));
      printInstances(ctx, l.instances, l.states);
    }
  });
  return ExitCode.Ok;
}

/** The catalog read from the store here (every project with --all-projects). */
async function readLocally(
  ctx: CommandContext,
  opts: ListOptions,
  namespace: string,
  fromManifest: ManifestStore | undefined,
): Promise<{ index: number; listed: Listed[] }> {
  const store = await openStore(opts.store, ctx.env, namespace, fromManifest);
  try {
    const projects = opts.allProjects ? await store.listProjects() : [namespace];
    const listed: Listed[] = [];
    for (const project of projects) listed.push(await listOne(store.inProject(project), project, opts));
    return { index: await store.index(), listed };
  } finally {
    await store.close();
  }
}

async function listOne(store: Store, project: string, opts: ListOptions): Promise<Listed> {
  const instances = await store.listInstances({
    ...(opts.service ? { service: opts.service } : {}),
    ...(opts.source ? { source: opts.source } : {}),
  });
  return { project, instances, states: await store.checkStates() };
}
