import { catalogQuery } from './native-schemas.js';
import { route } from './route-table.js';

/**
 * GET /api/v1/catalog: the project's catalog as the store holds it (instances, check states,
 * TTL reports, change index), for the CLI's own commands (`discovery list`, `health`) to answer
 * from a running agent with exactly the data they would read locally. `pid` lets the client
 * check it reached the agent its state file names.
 */
export const catalogRoute = route({
  method: 'GET',
  path: '/api/v1/catalog',
  id: 'getCatalog',
  summary: 'The catalog as the store holds it (for the CLI answering from a running agent).',
  query: catalogQuery,
  response: { status: 200, description: '`{pid, project, index, stale, instances, states, ttl}`' },
  handler: async (agent, { query }) => {
    const store = agent.store();
    const { service, source } = query;
    const index = await store.index();
    const [instances, states, ttl] = await Promise.all([
      store.listInstances({ ...(service ? { service } : {}), ...(source ? { source } : {}) }),
      store.checkStates(),
      store.ttlReports(),
    ]);
    // stale: the store did not answer and this is the agent's last-known view of it.
    const stale = agent.cluster?.().stale ?? false;
    return { pid: process.pid, project: agent.project(), index, stale, instances, states, ttl };
  },
});
