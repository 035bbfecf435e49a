import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { stateDir } from '../core/paths.js';
import { listListenersDetailed } from '../ports/listeners.js';
import { listReservations } from '../ports/reservations/allocator.js';
import type { Reservation } from '../ports/reservations/model.js';
import { LeaseTable } from '../ports/reservations/store.js';
import type { Project } from '../project/model.js';
import { Locator } from './locate.js';
import type { RuleContext } from './model.js';
import { policySchema } from './schema.js';

/**
 * What the rules see for one loaded project: its declared policy (else the baseline), the
 * reservations, and with `live` the sockets listening now. Shared by `portico policy` and
 * `portico report`, so both judge a project the same way.
 */
export async function policyContext(
  project: Project,
  env: NodeJS.ProcessEnv,
  options: { live?: boolean } = {},
): Promise<RuleContext> {
  return {
    project,
    services: project.compose?.services ?? [],
    policy: project.manifest?.data.policy ?? policySchema.parse({}),
    locate: new Locator(),
    reservations: readReservations(env),
    today: new Date().toISOString().slice(0, 10),
    ...(options.live ? { listeners: (await listListenersDetailed({ env })).listeners } : {}),
  };
}

/** Leases from `portico ports reserve`, read only if the table exists (policy never creates state). */
function readReservations(env: NodeJS.ProcessEnv): Reservation[] {
  if (!existsSync(join(stateDir(env), 'ports.db'))) return [];
  const table = LeaseTable.open(env);
  try {
    return listReservations(table);
  } finally {
    table.db.close();
  }
}
