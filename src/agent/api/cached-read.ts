import type { IncomingMessage, ServerResponse } from 'node:http';
import { type InstanceStatus, instanceStatus, worstOf } from '../../discovery/status.js';
import type { CachedBody, CatalogSnapshot } from '../catalog-snapshot.js';
import { type AgentContext, readSnapshot } from '../context.js';

/** What a cached body may depend on beyond the catalog version: these go into its key. */
export interface ReadState {
  snapshot: CatalogSnapshot;
  /** The change feed's index when the body is made (native bodies and Consul entries carry it). */
  feedIndex: number;
  /** Serving last-known state (etcd unreachable). */
  stale: boolean;
}

/**
 * A GET answered from the shared catalog version: `key` lists the route and every query
 * parameter that shapes the body (normalized: parameters that do not change it stay out, so
 * clients that differ only in them share the body); the body is made and serialized once per
 * version, feed index and stale flag. The response carries an ETag; a matching If-None-Match gets
 * 304 without a body.
 */
export async function sendCachedRead(
  agent: AgentContext,
  req: IncomingMessage,
  res: ServerResponse,
  key: readonly unknown[],
  make: (state: ReadState) => unknown,
  headers: Record<string, string> = {},
): Promise<void> {
  const { body } = await cachedBody(agent, key, make);
  sendBody(req, res, body, headers);
}

/** The body for `key` (route and shaping parameters, as a list) in the current version. */
export async function cachedBody(
  agent: AgentContext,
  key: readonly unknown[],
  make: (state: ReadState) => unknown,
): Promise<{ body: CachedBody; snapshot: CatalogSnapshot }> {
  const snapshot = await readSnapshot(agent.store());
  const state = { snapshot, feedIndex: agent.feed.index, stale: agent.cluster?.().stale ?? false };
  // JSON of a list: parameters cannot run into each other ("a|b" + "c" vs "a" + "b|c").
  const body = snapshot.body(JSON.stringify([...key, state.feedIndex, state.stale]), () => make(state));
  return { body, snapshot };
}

export function sendBody(
  req: IncomingMessage,
  res: ServerResponse,
  body: CachedBody,
  headers: Record<string, string> = {},
): void {
  if (res.destroyed) return;
  if (matches(req.headers['if-none-match'], body.etag)) {
    res.writeHead(304, { etag: body.etag, ...headers });
    res.end();
    return;
  }
  res.writeHead(200, {
    'content-type': 'application/json',
    'content-length': body.bytes.length,
    etag: body.etag,
    ...headers,
  });
  res.end(body.bytes);
}

function matches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((t) => {
    const tag = t.trim();
    return tag === '*' || tag === etag || tag === `W/${etag}`;
  });
}

export interface ServiceSummary {
  name: string;
  tags: string[];
  instances: number;
  status: InstanceStatus;
}

/**
 * Every service with its tags, instance count and worst status, once per version: the native
 * /api/v1/services and Consul's /v1/catalog/services are both made from it.
 */
export function serviceSummaries(snapshot: CatalogSnapshot): readonly ServiceSummary[] {
  return snapshot.memo('service-summaries', () =>
    [...snapshot.byService].map(([name, list]) => ({
      name,
      tags: [...new Set(list.flatMap((v) => v.instance.tags))].sort(),
      instances: list.length,
      status: worstOf(list.map((v) => instanceStatus(v.instance, v.states))),
    })),
  );
}
