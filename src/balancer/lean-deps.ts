/**
 * The parts of undici and prom-client the balancer uses, loaded without the rest of those
 * packages. Their index files load everything (undici: fetch, WebSocket, caches, mocks;
 * prom-client: the push gateway, summaries…): ~14 MB of resident memory in every balancer
 * process, which `lb serve --workers N` pays N + 1 times (measured: bench/lb-scale). Neither
 * package has an `exports` map, so these files are reachable; the classes are the very ones the
 * index exports (test/balancer/workers-lean-deps.test.ts checks it, so an upgrade that moves them fails
 * there, not in production).
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export const Pool: typeof import('undici').Pool = require('undici/lib/dispatcher/pool.js');
export type Pool = import('undici').Pool;

export const Registry: typeof import('prom-client').Registry = require('prom-client/lib/registry.js');
export type Registry = import('prom-client').Registry;

export const collectDefaultMetrics: typeof import('prom-client').collectDefaultMetrics = require('prom-client/lib/defaultMetrics.js');

export const AggregatorRegistry: typeof import('prom-client').AggregatorRegistry = require('prom-client/lib/cluster.js');
export type AggregatorRegistry = import('prom-client').AggregatorRegistry<
  import('prom-client').PrometheusContentType
>;
