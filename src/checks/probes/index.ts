import type { CheckDefinition, CheckKind } from '../../core/model.js';
import type { Probe } from '../probe.js';

type Loader = () => Promise<Probe<CheckDefinition>>;

/**
 * Every probe, by kind, loaded on first use: a TCP check must not pay for loading the
 * PostgreSQL, Redis and MySQL clients. Adding a kind: one file in this folder, one line here,
 * a case in the model and the schema.
 */
const loaders: Record<CheckKind, Loader> = {
  http: async () => (await import('./http.js')).httpCheckProbe as Probe<CheckDefinition>,
  tcp: async () => (await import('./tcp.js')).tcpProbe as Probe<CheckDefinition>,
  tls: async () => (await import('./tls.js')).tlsProbe as Probe<CheckDefinition>,
  postgres: async () => (await import('./postgres.js')).postgresProbe as Probe<CheckDefinition>,
  redis: async () => (await import('./redis.js')).redisProbe as Probe<CheckDefinition>,
  mysql: async () => (await import('./mysql.js')).mysqlProbe as Probe<CheckDefinition>,
  command: async () => (await import('./command.js')).commandProbe as Probe<CheckDefinition>,
  ttl: async () => (await import('./ttl.js')).ttlProbe as Probe<CheckDefinition>,
  'docker-health': async () =>
    (await import('./docker-health.js')).dockerHealthProbe as Probe<CheckDefinition>,
};

const loaded = new Map<CheckKind, Probe<CheckDefinition>>();

/** The probe for a kind; synchronous after the first load (the scheduler's hot path). */
export async function probeFor(kind: CheckKind): Promise<Probe<CheckDefinition>> {
  let probe = loaded.get(kind);
  if (!probe) {
    probe = await loaders[kind]();
    loaded.set(kind, probe);
  }
  return probe;
}

export function probeLoaded(kind: CheckKind): Probe<CheckDefinition> | undefined {
  return loaded.get(kind);
}

export const probeKinds = Object.keys(loaders) as CheckKind[];
