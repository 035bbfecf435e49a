import type { CheckDefinition, CheckKind } from '../../core/model.js';
import type { Probe } from '../probe.js';
import { commandProbe } from './command.js';
import { dockerHealthProbe } from './docker-health.js';
import { httpCheckProbe } from './http.js';
import { mysqlProbe } from './mysql.js';
import { postgresProbe } from './postgres.js';
import { redisProbe } from './redis.js';
import { tcpProbe } from './tcp.js';
import { tlsProbe } from './tls.js';
import { ttlProbe } from './ttl.js';

/** Every probe, by kind. Adding a kind: one file in this folder, one line here, a case in the model. */
export const probes: { [K in CheckKind]: Probe<Extract<CheckDefinition, { kind: K }>> } = {
  http: httpCheckProbe,
  tcp: tcpProbe,
  tls: tlsProbe,
  postgres: postgresProbe,
  redis: redisProbe,
  mysql: mysqlProbe,
  command: commandProbe,
  ttl: ttlProbe,
  'docker-health': dockerHealthProbe,
};
