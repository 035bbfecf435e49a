import type { ComposeProject } from '../compose/model.js';
import type { CheckState, Instance } from '../core/model.js';
import type { ListResult } from '../ports/listeners.js';
import type { Project, ProjectRequest } from '../project/index.js';
import type { TtlRecord } from '../store/store.js';

/** Where the facts come from: the request (cwd, env, --project, --profile) and the command's files. */
export interface FactsInput extends ProjectRequest {
  file?: string[] | undefined;
  manifest?: string | undefined;
  /** Already loaded by the command (null: there is no project here). */
  loaded?: Project | null;
  /**
   * Read the project's catalog from elsewhere (a running agent's API) instead of opening the
   * store; undefined from it means "not available", and the store is read as usual.
   */
  readCatalog?: (namespace: string) => Promise<CatalogView | undefined>;
}

/** What the catalog holds for the project: instances with their settled check states and TTL reports. */
export interface CatalogView {
  namespace: string;
  instances: Instance[];
  states: CheckState[];
  ttl: TtlRecord[];
}

/**
 * Facts several checks need, gathered once per run and only when first asked for: the project
 * (loaded once by the one project loader), the socket table, the catalog. Checks share the
 * promise, not a copy. A broken project file is an error for every check that asks — never
 * an empty answer.
 */
export class Facts {
  private cache = new Map<string, Promise<unknown>>();
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;

  constructor(readonly input: FactsInput) {
    this.cwd = input.cwd;
    this.env = input.env;
  }

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

  /** The project here (compose and/or portico.yaml), or undefined when there is none. */
  project(): Promise<Project | undefined> {
    return this.once('project', async () => {
      if (this.input.loaded !== undefined) return this.input.loaded ?? undefined;
      const { loadProject, selectorFor } = await import('../project/index.js');
      return await loadProject(selectorFor(this.input, this.input));
    });
  }

  /** The compose part of the project, or undefined when there is none. */
  async compose(): Promise<ComposeProject | undefined> {
    return (await this.project())?.compose;
  }

  /** The project's namespace in the catalog, and what it holds there. */
  catalog(): Promise<CatalogView> {
    return this.once('catalog', async () => {
      const { namespaceOf, selectorFor } = await import('../project/index.js');
      const namespace = namespaceOf(selectorFor(this.input), await this.project());
      const remote = await this.input.readCatalog?.(namespace);
      if (remote) return remote;
      const { openStore, manifestStoreOf } = await import('../store/index.js');
      const store = await openStore(undefined, this.env, namespace, manifestStoreOf(await this.project()));
      try {
        const [instances, states, ttl] = await Promise.all([
          store.listInstances(),
          store.checkStates(),
          store.ttlReports(),
        ]);
        return { namespace, instances, states, ttl };
      } finally {
        await store.close();
      }
    });
  }

  /**
   * Instances of this project: the catalog's when it has any, else what the project's own files
   * declare (compose services and portico.yaml endpoints). A source that fails is an error.
   */
  instances(): Promise<Instance[]> {
    return this.once('instances', async () => {
      const catalog = await this.catalog();
      if (catalog.instances.length > 0) return catalog.instances;
      return await this.declaredInstances();
    });
  }

  /** What the project's files declare, whatever the catalog says. */
  declaredInstances(): Promise<Instance[]> {
    return this.once('declared', async () => {
      const project = await this.project();
      if (!project) return [];
      const { createSources } = await import('../discovery/sources/index.js');
      const { secretPolicy } = await import('../discovery/secret-policy.js');
      const sources = await createSources(
        [...(project.compose ? ['compose'] : []), ...(project.manifest ? ['manifest'] : [])],
        {
          cwd: project.dir,
          env: this.env,
          project,
          secrets: secretPolicy(project),
          ...(this.input.project?.profiles?.length ? { composeProfiles: this.input.project.profiles } : {}),
          ...(project.compose ? { composeFiles: project.compose.files } : {}),
          ...(project.manifest ? { manifest: project.manifest.path } : {}),
        },
      );
      const lists = await Promise.all(sources.map((s) => s.snapshot(new AbortController().signal)));
      return lists.flat();
    });
  }

  /** A Docker client when an engine answers, else undefined. */
  docker(): Promise<import('dockerode') | undefined> {
    return this.once('docker', async () => {
      const { createDockerClient, dockerAvailable } = await import('../docker/client.js');
      const { dockerEndpointPresent, resolveDockerEndpoint } = await import('../docker/endpoint.js');
      if (!dockerEndpointPresent(resolveDockerEndpoint(this.env))) return undefined;
      const client = createDockerClient({ env: this.env, timeoutMs: 5000 });
      return (await dockerAvailable(client)) ? client : undefined;
    });
  }
}
