import { dirname, resolve } from 'node:path';
import { renderSpec } from '../balancer/commands/export-inputs.js';
import { specFromOptions } from '../balancer/commands/spec-from-options.js';
import { defaultDebounceMs } from '../balancer/commands/sync.js';
import type { BalancerSpec } from '../balancer/model.js';
import { PorticoError } from '../core/errors.js';
import { listenersOf } from '../exporters/exporter.js';
import { type Exporter, exporterFor } from '../exporters/index.js';
import { type SyncResult, syncOnce } from '../exporters/sync.js';
import type { Project } from '../project/index.js';
import type { Store } from '../store/index.js';
import { followChanges } from './follow-changes.js';
import type { GatewayConfig } from './gateways-schema.js';
import type { LeaderJob } from './member.js';

/** One `gateways:` entry with its paths made absolute (against portico.yaml's folder). */
export interface GatewayDeclaration {
  name: string;
  target: GatewayConfig['target'];
  to: string;
  config?: string;
  fromCatalog: boolean;
  listen?: string;
  runtimeApi?: string;
  runtimeDir: string;
  admin?: string;
  debounceMs: number;
}

/** A declaration with its routes read and validated: what the job renders on every pass. */
export interface PreparedGateway {
  declaration: GatewayDeclaration;
  exporter: Exporter;
  spec: BalancerSpec;
}

/** portico.yaml's `gateways:`, paths resolved against portico.yaml's folder. */
export function declaredGateways(project: Project | undefined): GatewayDeclaration[] {
  const manifest = project?.manifest;
  if (!manifest) return [];
  const dir = dirname(manifest.path);
  return (manifest.data.gateways ?? []).map((g) => {
    const to = resolve(dir, g.to);
    return {
      name: g.name,
      target: g.target,
      to,
      ...(g.config ? { config: resolve(dir, g.config) } : {}),
      fromCatalog: g.fromCatalog ?? g.config === undefined,
      ...(g.listen ? { listen: g.listen } : {}),
      ...(g.runtimeApi ? { runtimeApi: resolve(dir, g.runtimeApi) } : {}),
      runtimeDir: g.runtimeDir ? resolve(dir, g.runtimeDir) : resolve(dirname(to), `${g.target}-run`),
      ...(g.admin ? { admin: g.admin } : {}),
      debounceMs: g.debounce ?? defaultDebounceMs[g.target],
    };
  });
}

/**
 * Read each gateway's routes the way `lb sync` does (same loader, same schema), before the agent
 * starts anything: a broken `config:` file is a coded error naming the gateway, at start.
 */
export function prepareGateways(declared: GatewayDeclaration[], env: NodeJS.ProcessEnv): PreparedGateway[] {
  return declared.map((declaration) => {
    try {
      const spec = specFromOptions(
        {
          ...(declaration.config ? { config: declaration.config } : {}),
          ...(declaration.listen ? { listen: declaration.listen } : {}),
          ...(declaration.admin ? { admin: declaration.admin } : {}),
          catalog: declaration.fromCatalog,
        },
        env,
        dirname(declaration.to),
      );
      return { declaration, exporter: exporterFor(declaration.target), spec };
    } catch (error) {
      if (!(error instanceof PorticoError)) throw error;
      throw new PorticoError(error.code, `gateway ${declaration.name}: ${error.message}`, {
        ...(error.hint ? { hint: error.hint } : {}),
        cause: error,
      });
    }
  });
}

export interface GatewayJobOptions {
  gateway: PreparedGateway;
  /** The catalog the gateway follows (the agent's view of its project). */
  catalog: () => Store;
  /** Calls back on every catalog change of the project; returns an unsubscribe. */
  onChange: (listener: () => void) => () => void;
  env: NodeJS.ProcessEnv;
  warn: (message: string) => void;
  note: (message: string) => void;
  /** Told the outcome of every pass (the agent shows the last one). */
  onPass?: (result: SyncResult | { status: 'error'; reason: string }) => void;
}

/**
 * The singleton job for one gateway: while this agent is the elected one, a `lb sync` pass when
 * elected and after every burst of catalog changes — HAProxy's runtime API when only servers
 * changed, else validate + write + graceful reload with rollback (src/exporters/sync.ts). When
 * leadership ends the job stops after the pass under way; the next leader's first pass finds
 * the gateway as this one left it.
 */
export function gatewayJob(options: GatewayJobOptions): LeaderJob {
  const { gateway, env } = options;
  const d = gateway.declaration;
  const pass = async (): Promise<void> => {
    try {
      const rendered = await renderSpec({
        exporter: gateway.exporter,
        spec: gateway.spec,
        runtimeDir: d.runtimeDir,
        env,
        catalog: options.catalog(),
        adminGiven: d.admin !== undefined,
      });
      const result = await syncOnce({
        exporter: gateway.exporter,
        spec: rendered.spec,
        text: rendered.text,
        to: d.to,
        runtimeDir: d.runtimeDir,
        listeners: listenersOf(rendered.spec),
        ...(d.runtimeApi ? { runtimeApi: d.runtimeApi } : {}),
      });
      options.onPass?.(result);
      if (result.status === 'rolled-back' || result.status === 'failed')
        options.warn(`gateway ${d.name}: ${result.status}: ${result.reason ?? ''}`);
      else if (result.status !== 'unchanged') options.note(`gateway ${d.name}: ${describe(result)}`);
    } catch (error) {
      const reason = (error as Error).message;
      options.onPass?.({ status: 'error', reason });
      options.warn(`gateway ${d.name}: sync pass failed: ${reason}`);
    }
  };
  return async (signal) => {
    options.note(`gateway ${d.name}: this agent is elected; ${d.target} at ${d.to} follows the catalog`);
    await followChanges({ signal, onChange: options.onChange, debounceMs: d.debounceMs, pass });
  };
}

function describe(r: SyncResult): string {
  if (r.via === 'runtime-api') {
    const changes = r.changes.map((x) => `${x.action} ${x.address} (${x.backend})`).join(', ');
    return `synced through the runtime API: ${changes || 'file only'}`;
  }
  return `${r.status}${r.action ? ` (${r.action})` : ''} with ${r.path}`;
}
