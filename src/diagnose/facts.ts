import type { ComposeProject } from '../compose/model.js';
import type { Instance } from '../core/model.js';
import type { ListResult } from '../ports/listeners.js';

/**
 * Facts several checks need, gathered once per run and only when first asked for: the socket
 * table, the compose project, the catalog. Checks share the promise, not a copy.
 */
export class Facts {
  private cache = new Map<string, Promise<unknown>>();

  constructor(
    readonly cwd: string,
    readonly env: NodeJS.ProcessEnv,
    readonly composeFiles?: string[],
  ) {}

  private once<T>(key: string, make: () => Promise<T>): Promise<T> {
    let p = this.cache.get(key) as Promise<T> | undefined;
    if (!p) {
      p = make();
      this.cache.set(key, p);
    }
    return p;
  }

  listeners(): Promise<ListResult> {
    return this.once('listeners', async () =>
      (await import('../ports/listeners.js')).listListenersDetailed({ env: this.env }),
    );
  }

  /** The compose project here (or from -f), or undefined when there is none. */
  compose(): Promise<ComposeProject | undefined> {
    return this.once('compose', async () => {
      const { loadProjectIfAny } = await import('../ports/project.js');
      return await loadProjectIfAny(this.composeFiles, this.cwd, this.env, false);
    });
  }

  /** Instances known here: the catalog if it has any, else what compose/manifest discovery finds. */
  instances(): Promise<Instance[]> {
    return this.once('instances', async () => {
      const { openStore } = await import('../store/index.js');
      const store = await openStore(undefined, this.env);
      try {
        const catalog = await store.listInstances();
        if (catalog.length > 0) return catalog;
      } finally {
        await store.close();
      }
      const { createSources } = await import('../discovery/sources/index.js');
      const sources = (
        await createSources(undefined, {
          cwd: this.cwd,
          env: this.env,
          ...(this.composeFiles ? { composeFiles: this.composeFiles } : {}),
        })
      ).filter((s) => s.name !== 'docker');
      const lists = await Promise.all(
        sources.map((s) => s.snapshot(new AbortController().signal).catch(() => [])),
      );
      return lists.flat();
    });
  }

  /** A Docker client when an engine answers, else undefined. */
  docker(): Promise<import('dockerode') | undefined> {
    return this.once('docker', async () => {
      const { createDockerClient, dockerAvailable } = await import('../docker/client.js');
      const host = this.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
      if (host.startsWith('unix://')) {
        const { existsSync } = await import('node:fs');
        if (!existsSync(host.slice(7))) return undefined;
      }
      const client = createDockerClient({ env: this.env, timeoutMs: 5000 });
      return (await dockerAvailable(client)) ? client : undefined;
    });
  }
}
