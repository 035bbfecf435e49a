import { isDatastore, isPublic } from '../classify.js';
import type { Rule, Violation } from '../model.js';
import { serviceLocation } from './service-location.js';

export const publicNetworkSharedWithDatastore: Rule = {
  id: 'public-network-shared-with-datastore',
  defaultSeverity: 'warning',
  summary:
    'A network joins a public service (published beyond loopback) and a database: one compromised edge reaches the data directly.',
  check(ctx) {
    const out: Violation[] = [];
    const networks = [...new Set(ctx.services.flatMap((s) => s.networks))].sort();
    for (const network of networks) {
      const members = ctx.services.filter((s) => s.networks.includes(network));
      const datastores = members.filter(isDatastore);
      const publics = members.filter((s) => !isDatastore(s) && isPublic(s));
      if (datastores.length === 0 || publics.length === 0) continue;
      const edge = publics.map((s) => s.name).join(', ');
      for (const db of datastores) {
        const location = serviceLocation(ctx, db, 'networks');
        out.push({
          message: `network ${network} joins public ${edge} and database ${db.name}: put the database on an internal network that only its clients join`,
          service: db.name,
          ...(location ? { location } : {}),
        });
      }
    }
    return out;
  },
};
