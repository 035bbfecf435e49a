import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BalancerSpec } from '../balancer/model.js';
import { writeFileAtomic } from '../core/atomic-file.js';
import { type DeployResult, deploy, type Listeners } from './deploy.js';
import { unifiedDiff } from './diff.js';
import type { Exporter } from './exporter.js';
import { RuntimeApi } from './haproxy/runtime-api.js';
import {
  applyRuntime,
  type RuntimeChange,
  runtimeExpressible,
  sameStructure,
} from './haproxy/runtime-sync.js';

export interface SyncRequest {
  exporter: Exporter;
  spec: BalancerSpec;
  text: string;
  to: string;
  runtimeDir: string;
  listeners: Listeners;
  /** HAProxy: the runtime API socket given with --runtime-api (must answer). */
  runtimeApi?: string;
  /** How long a removed HAProxy server may keep connections before it is left in maintenance. */
  deleteWaitMs?: number;
}

export interface SyncResult {
  status: DeployResult['status'] | 'synced';
  /** runtime-api: applied live, file rewritten; reload/start: through lb deploy; file: written. */
  via: 'runtime-api' | 'deploy';
  path: string;
  diff: string;
  changes: RuntimeChange[];
  backup?: string;
  action?: DeployResult['action'];
  reason?: string;
}

/**
 * One sync pass: make the running gateway and its file match the rendered configuration.
 * HAProxy with a runtime API applies server changes live (no reload, no new process) when only
 * server lines differ, then rewrites the file atomically with a backup so a later reload keeps
 * the same servers; anything else — a new route, another target, HAProxy not running — goes
 * through `deploy` (validate, write, graceful reload or Caddy's /load, answer check, rollback).
 */
export async function syncOnce(req: SyncRequest): Promise<SyncResult> {
  const socket = runtimeSocket(req);
  const before = existsSync(req.to) ? readFileSync(req.to, 'utf8') : undefined;
  if (socket && before !== undefined && sameStructure(before, req.text) && runtimeExpressible(req.spec)) {
    const changes = await applyRuntime(new RuntimeApi(socket), req.spec, {
      ...(req.deleteWaitMs !== undefined ? { deleteWaitMs: req.deleteWaitMs } : {}),
    });
    const diff = unifiedDiff(before, req.text, req.to, req.to);
    const written = before === req.text ? undefined : writeFileAtomic(req.to, req.text);
    return {
      status: changes.length > 0 || written ? 'synced' : 'unchanged',
      via: 'runtime-api',
      path: req.to,
      diff,
      changes,
      ...(written?.backup ? { backup: written.backup } : {}),
    };
  }
  const r = await deploy({
    exporter: req.exporter,
    text: req.text,
    to: req.to,
    runtimeDir: req.runtimeDir,
    listeners: req.listeners,
  });
  return { ...r, via: 'deploy', changes: [] };
}

/**
 * The runtime API to use: the one given (it must answer: a wrong path is an error, not a
 * silent reload), else the generated config's own socket when HAProxy runs from this folder.
 */
function runtimeSocket(req: SyncRequest): string | undefined {
  if (req.exporter.target !== 'haproxy') return undefined;
  if (req.runtimeApi) return req.runtimeApi;
  const own = join(req.runtimeDir, 'haproxy.sock');
  return existsSync(own) && req.exporter.running(req.runtimeDir).length > 0 ? own : undefined;
}
