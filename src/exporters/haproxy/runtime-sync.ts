import { isIP } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BalancerSpec, RouteSpec, TcpRouteSpec } from '../../balancer/model.js';
import { formatHostPort } from '../../core/address.js';
import { PorticoError } from '../../core/errors.js';
import { backendName, scaledWeights, serverKeywords } from './render.js';
import type { RuntimeApi, RuntimeServer } from './runtime-api.js';

export interface RuntimeChange {
  backend: string;
  server: string;
  /** add: new server, enabled; remove: taken out (maintenance) and deleted; weight; ready: back from maintenance. */
  action: 'add' | 'remove' | 'weight' | 'ready';
  address: string;
  /** A removed server that still had connections stays in maintenance (no new traffic). */
  pending?: string;
}

/** Forced maintenance bit of srv_admin_state. */
const forcedMaint = 0x01;

/** A file whose only differences are server lines can be applied through the runtime API. */
export function sameStructure(before: string, after: string): boolean {
  const skeleton = (text: string): string =>
    text
      .split('\n')
      .filter((l) => !/^\s+server\s/.test(l))
      .join('\n');
  return skeleton(before) === skeleton(after);
}

/** Runtime servers are matched by address, and HAProxy lists resolved addresses only. */
export function runtimeExpressible(spec: BalancerSpec): boolean {
  return [...spec.routes, ...spec.tcp].every((r) => r.upstreams.every((u) => isIP(u.address) !== 0));
}

/**
 * Bring the running HAProxy's servers to the spec without a reload: per backend, servers are
 * matched by address:port; a new one is added with the route's server keywords (checks
 * included), then enabled; a gone one is put in maintenance (in-flight requests finish, no new
 * ones) and deleted once its connections are closed (bounded wait; otherwise it stays in
 * maintenance and the next sync deletes it); weights are set. The caller rewrites the file.
 */
export async function applyRuntime(
  api: RuntimeApi,
  spec: BalancerSpec,
  options: { deleteWaitMs?: number } = {},
): Promise<RuntimeChange[]> {
  const changes: RuntimeChange[] = [];
  for (const r of [...spec.routes, ...spec.tcp]) changes.push(...(await syncBackend(api, r, spec, options)));
  return changes;
}

async function syncBackend(
  api: RuntimeApi,
  r: RouteSpec | TcpRouteSpec,
  spec: BalancerSpec,
  options: { deleteWaitMs?: number },
): Promise<RuntimeChange[]> {
  const backend = backendName(r);
  const current = await api.servers(backend);
  const key = (address: string, port: number): string => formatHostPort(address, port);
  const byAddress = new Map(current.map((s) => [key(s.address, s.port), s]));
  const weights = scaledWeights(r.upstreams);
  const wanted = new Set<string>();
  const changes: RuntimeChange[] = [];
  const run = async (line: string, ok: RegExp): Promise<void> => {
    const answer = await api.command(line);
    if (!ok.test(answer))
      throw new PorticoError('E_LB_RUNTIME_API', `HAProxy refused "${line}": ${answer || '(no answer)'}`);
  };
  // Additions and weights before removals: the backend never runs short while it changes.
  for (const [i, u] of r.upstreams.entries()) {
    const address = key(u.address, u.port);
    wanted.add(address);
    const weight = weights[i]!;
    const have = byAddress.get(address);
    if (!have) {
      const name = runtimeName(u.address, u.port);
      const check = r.health ? ' check' : '';
      await run(
        `add server ${backend}/${name} ${address} weight ${weight}${check} ${serverKeywords(r, spec)}`,
        /New server registered/,
      );
      if (r.health) await run(`enable health ${backend}/${name}`, /^$/);
      await run(`enable server ${backend}/${name}`, /^$/);
      changes.push({ backend, server: name, action: 'add', address });
      continue;
    }
    if (have.adminState & forcedMaint) {
      await run(`set server ${backend}/${have.name} state ready`, /^$/);
      changes.push({ backend, server: have.name, action: 'ready', address });
    }
    if (have.weight !== weight) {
      await run(`set weight ${backend}/${have.name} ${weight}`, /^$/);
      changes.push({ backend, server: have.name, action: 'weight', address });
    }
  }
  for (const s of current) {
    const address = key(s.address, s.port);
    if (wanted.has(address)) continue;
    changes.push(await remove(api, backend, s, address, options.deleteWaitMs ?? 3000));
  }
  return changes;
}

async function remove(
  api: RuntimeApi,
  backend: string,
  s: RuntimeServer,
  address: string,
  waitMs: number,
): Promise<RuntimeChange> {
  const id = `${backend}/${s.name}`;
  if (!(s.adminState & forcedMaint)) {
    const answer = await api.command(`set server ${id} state maint`);
    if (answer) throw new PorticoError('E_LB_RUNTIME_API', `HAProxy refused to take ${id} out: ${answer}`);
  }
  // Deleting needs the server's connections gone (idle ones are purged after a few seconds).
  const deadline = Date.now() + waitMs;
  let answer = '';
  for (;;) {
    answer = await api.command(`del server ${id}`);
    if (/Server deleted/.test(answer)) return { backend, server: s.name, action: 'remove', address };
    if (Date.now() >= deadline) break;
    await sleep(100);
  }
  return { backend, server: s.name, action: 'remove', address, pending: answer };
}

/** Stable per address: the same instance gets the same name in every sync. */
export function runtimeName(address: string, port: number): string {
  return `p_${address.replace(/[^A-Za-z0-9.]/g, '_')}_${port}`;
}
