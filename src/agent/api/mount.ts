import type { AgentContext } from '../context.js';
import type { Router } from '../http/router.js';
import { consulRoutes } from './consul.js';
import { nativeApi } from './native.js';
import { metricsRoute } from './prometheus.js';
import { mountRoutes } from './route-table.js';

/**
 * Everything the agent serves, in one place: the native table (/api/v1/, documented by
 * /api/v1/openapi.json), the Consul subset (/v1/) and /metrics.
 */
export function mountApi(router: Router, agent: AgentContext): void {
  mountRoutes(router, nativeApi, agent);
  consulRoutes(router, agent);
  metricsRoute(router, agent);
}
