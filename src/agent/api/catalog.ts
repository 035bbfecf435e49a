import type { AgentContext } from '../context.js';
import type { Router } from '../http/router.js';

/**
 * GET /api/v1/catalog: the project's catalog as the store holds it (instances, check states,
 * TTL reports, change index), for the CLI's own commands (`discovery list`, `health`) to answer
 * from a running agent with exactly the data they would read locally. `pid` lets the client
 * check it reached the agent its state file names.
 */
export function catalogRoutes(router: Router, agent: AgentContext): void {
  router.add('GET', '/api/v1/catalog', async ({ url }) => {
    const store = agent.store();
    const service = url.searchParams.get('service') ?? undefined;
    const source = url.searchParams.get('source') ?? undefined;
    const index = await store.index();
    const [instances, states, ttl] = await Promise.all([
      store.listInstances({ ...(service ? { service } : {}), ...(source ? { source } : {}) }),
      store.checkStates(),
      store.ttlReports(),
    ]);
    return { pid: process.pid, project: agent.project(), index, instances, states, ttl };
  });
}
