import { dirname, resolve } from 'node:path';
import type { Balancer, BalancerAddresses } from '../balancer/balancer.js';
import { balancerConfigSchema } from '../balancer/config/schema.js';
import { configToSpec } from '../balancer/config/to-spec.js';
import type { BalancerSpec } from '../balancer/model.js';
import { formatHostPort } from '../core/address.js';
import { PorticoError } from '../core/errors.js';
import { loadYamlConfig } from '../core/yaml-config.js';
import type { Project } from '../project/index.js';
import type { Store } from '../store/index.js';

/** One `balancers:` entry of portico.yaml, its config path made absolute. */
export interface BalancerDeclaration {
  name: string;
  config: string;
}

/** A declaration with its config read and validated: what `start` needs. */
export interface PreparedBalancer {
  declaration: BalancerDeclaration;
  spec: BalancerSpec;
}

interface Running {
  declaration: BalancerDeclaration;
  balancer: Balancer;
  addresses: BalancerAddresses;
  stopFollowing: AbortController;
  following: Promise<void>;
}

const hint = 'The file has the `portico lb serve --config` format (see portico-lb.yaml in the README).';

/** portico.yaml's `balancers:`, paths resolved against portico.yaml's folder. */
export function declaredBalancers(project: Project | undefined): BalancerDeclaration[] {
  const manifest = project?.manifest;
  if (!manifest) return [];
  const dir = dirname(manifest.path);
  return (manifest.data.balancers ?? []).map((b) => ({ name: b.name, config: resolve(dir, b.config) }));
}

/**
 * Read each config with `lb serve --config`'s own loader (errors name file:line:column). No
 * admin endpoint unless the file asks for one: several balancers would fight over lb serve's
 * default 127.0.0.1:9901. Listen addresses default to loopback in the schema, as for lb serve.
 */
export function prepareBalancers(
  declared: BalancerDeclaration[],
  env: NodeJS.ProcessEnv,
): PreparedBalancer[] {
  return declared.map((declaration) => ({ declaration, spec: readSpec(declaration, env) }));
}

function readSpec(d: BalancerDeclaration, env: NodeJS.ProcessEnv): BalancerSpec {
  try {
    const config = loadYamlConfig(d.config, balancerConfigSchema, 'E_LB_CONFIG', hint);
    return configToSpec(config, { tokens: { env, baseDir: dirname(d.config) } });
  } catch (error) {
    throw named(d, error);
  }
}

/** Say which declared balancer an error belongs to, keeping its code (so its exit status). */
function named(d: BalancerDeclaration, error: unknown): unknown {
  if (!(error instanceof PorticoError)) return error;
  return new PorticoError(error.code, `balancer ${d.name}: ${error.message}`, {
    ...(error.hint ? { hint: error.hint } : {}),
    cause: error,
  });
}

/**
 * The embedded balancers `portico agent` runs for portico.yaml's `balancers:`, each following
 * the agent's catalog for its `service:` routes. Started all or none; reloaded one by one, so a
 * broken file keeps that balancer's running configuration and the others still apply.
 */
export class EmbeddedBalancers {
  private readonly running = new Map<string, Running>();

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly warn: (message: string) => void,
    private readonly note: (message: string) => void,
  ) {}

  /** Listen on every declared balancer's addresses, or on none (the first failure is thrown). */
  async start(prepared: PreparedBalancer[], store: Store): Promise<void> {
    try {
      for (const p of prepared) await this.launch(p, store);
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  /**
   * SIGHUP: apply the declarations again. A removed balancer is drained and stopped, a new one
   * started, a kept one reloaded in place (connections kept); a file that does not load, or a
   * new balancer that cannot listen, is reported and changes nothing else.
   */
  async reload(declared: BalancerDeclaration[], store: Store): Promise<void> {
    const wanted = new Set(declared.map((d) => d.name));
    const removed = [...this.running.values()].filter((r) => !wanted.has(r.declaration.name));
    await Promise.all(
      removed.map(async (r) => {
        await this.halt(r);
        this.note(`balancer ${r.declaration.name}: removed from portico.yaml, drained and stopped`);
      }),
    );
    for (const declaration of declared) {
      const current = this.running.get(declaration.name);
      let spec: BalancerSpec;
      try {
        spec = readSpec(declaration, this.env);
      } catch (error) {
        this.warn(
          current
            ? `balancer ${declaration.name}: reload failed, still serving the previous configuration: ${describeError(error)}`
            : `balancer ${declaration.name}: not started: ${describeError(error)}`,
        );
        continue;
      }
      if (!current) {
        try {
          await this.launch({ declaration, spec }, store);
          this.note(`balancer ${declaration.name}: started`);
        } catch (error) {
          this.warn(`balancer ${declaration.name}: not started: ${describeError(error)}`);
        }
        continue;
      }
      let report: ReturnType<Balancer['reload']>;
      try {
        report = current.balancer.reload(spec);
      } catch (error) {
        this.warn(
          `balancer ${declaration.name}: reload failed, still serving the previous configuration: ${describeError(error)}`,
        );
        continue;
      }
      current.declaration = declaration;
      this.note(
        `balancer ${declaration.name}: reloaded ${declaration.config}: ${report.added.length} route(s) added, ${report.changed.length} changed, ${report.removed.length} removed`,
      );
      if (report.needsRestart.length > 0)
        this.warn(
          `balancer ${declaration.name}: ${report.needsRestart.join(', ')} changed in ${declaration.config}: restart the agent to apply`,
        );
    }
  }

  /** Admin endpoints (host:port) of the running balancers that have one: the watched list. */
  admins(): string[] {
    return [...this.running.values()].flatMap((r) =>
      r.addresses.admin ? [formatHostPort(r.addresses.admin.address, r.addresses.admin.port)] : [],
    );
  }

  /** What each runs on, for the agent's start line. */
  list(): Array<{ name: string; config: string; http?: string; admin?: string }> {
    return [...this.running.values()].map(({ declaration, addresses: a }) => ({
      name: declaration.name,
      config: declaration.config,
      ...(a.http ? { http: formatHostPort(a.http.address, a.http.port) } : {}),
      ...(a.admin ? { admin: formatHostPort(a.admin.address, a.admin.port) } : {}),
    }));
  }

  /** Drain every balancer (requests in flight finish, up to its drain timeout), then stop. */
  async stop(): Promise<void> {
    await Promise.all([...this.running.values()].map((r) => this.halt(r)));
  }

  private async launch({ declaration, spec }: PreparedBalancer, store: Store): Promise<void> {
    // Loaded only by an agent that runs a balancer: the others start without it.
    const [{ Balancer }, { followCatalog }] = await Promise.all([
      import('../balancer/balancer.js'),
      import('../balancer/catalog.js'),
    ]);
    const balancer = new Balancer(spec, this.env);
    let addresses: BalancerAddresses;
    try {
      addresses = await balancer.start();
    } catch (error) {
      throw named(declaration, error);
    }
    // Always follow: a reload may add a `service:` route to a balancer that had none.
    const stopFollowing = new AbortController();
    const following = followCatalog(balancer, store, stopFollowing.signal, (e) =>
      this.warn(`balancer ${declaration.name}: catalog: ${(e as Error).message}`),
    ).catch((e) => this.warn(`balancer ${declaration.name}: catalog: ${(e as Error).message}`));
    this.running.set(declaration.name, { declaration, balancer, addresses, stopFollowing, following });
  }

  private async halt(r: Running): Promise<void> {
    this.running.delete(r.declaration.name);
    await r.balancer.drain();
    r.stopFollowing.abort();
    await r.following;
  }
}

/** "[E_LB_CONFIG] file:line:col: …" — the error as thrown, before `named` prefixed it. */
function describeError(error: unknown): string {
  const cause = (error as Error).cause;
  const e = (cause instanceof PorticoError ? cause : error) as Error & { code?: string };
  return `${e.code ? `[${e.code}] ` : ''}${e.message}`;
}
