import type { ComposeService, PublishedPort } from '../compose/model.js';
import { addressScope } from '../core/address.js';

/**
 * Heuristics that say what a service is from its image and ports. Deliberately simple and
 * documented in docs/policy.md: a rule that guesses wrong is silenced per service with
 * `policy.allowExposed` or a suppression, never by editing this table.
 */

/** Image names (last path segment, without tag) of databases, caches and brokers. */
const datastoreImages = [
  'postgres',
  'postgis',
  'timescaledb',
  'mysql',
  'mariadb',
  'percona',
  'redis',
  'redis-stack',
  'valkey',
  'keydb',
  'mongo',
  'mongodb',
  'rabbitmq',
  'kafka',
  'cp-kafka',
  'zookeeper',
  'elasticsearch',
  'opensearch',
  'memcached',
  'cassandra',
  'couchdb',
  'nats',
  'etcd',
  'clickhouse-server',
  'influxdb',
];

/** Well-known container ports of the same. */
export const datastorePorts = new Map<number, string>([
  [5432, 'PostgreSQL'],
  [3306, 'MySQL/MariaDB'],
  [6379, 'Redis'],
  [27017, 'MongoDB'],
  [5672, 'RabbitMQ (AMQP)'],
  [9092, 'Kafka'],
  [2181, 'ZooKeeper'],
  [9200, 'Elasticsearch'],
  [9300, 'Elasticsearch (transport)'],
  [11211, 'memcached'],
  [9042, 'Cassandra'],
  [2379, 'etcd'],
  [4222, 'NATS'],
]);

/** Admin and debug ports: management UIs, debuggers, control APIs. */
export const adminPorts = new Map<number, string>([
  [15672, 'RabbitMQ management'],
  [9229, 'Node.js inspector'],
  [5005, 'JVM debugger (JDWP)'],
  [2375, 'Docker API (plain)'],
  [2376, 'Docker API'],
  [9901, 'Envoy/Portico admin'],
  [8001, 'Kong admin'],
  [8444, 'Kong admin (TLS)'],
  [4040, 'Spark UI'],
  [6060, 'Go pprof'],
]);

/** Images that are admin tools whatever port they publish. */
const adminImages = ['adminer', 'pgadmin4', 'phpmyadmin', 'mongo-express', 'redis-commander', 'kafka-ui'];

/** "docker.io/library/postgres:16-alpine@sha256:…" → "postgres". */
export function imageName(image: string | undefined): string | undefined {
  if (!image) return undefined;
  const withoutDigest = image.split('@')[0]!;
  const last = withoutDigest.split('/').pop()!;
  return last.split(':')[0]!.toLowerCase();
}

export function isDatastore(service: ComposeService): boolean {
  const name = imageName(service.image);
  if (name && datastoreImages.includes(name)) return true;
  return (
    service.ports.some((p) => datastorePorts.has(p.containerPort)) ||
    service.expose.some((p) => datastorePorts.has(p))
  );
}

/** Why this published port is a datastore port, or undefined. */
export function datastoreReason(service: ComposeService, port: PublishedPort): string | undefined {
  const known = datastorePorts.get(port.containerPort);
  if (known) return known;
  const name = imageName(service.image);
  return name && datastoreImages.includes(name) ? `image ${name}` : undefined;
}

export function adminReason(service: ComposeService, port: PublishedPort): string | undefined {
  const known = adminPorts.get(port.containerPort);
  if (known) return known;
  const name = imageName(service.image);
  return name && adminImages.includes(name) ? `admin tool ${name}` : undefined;
}

/** Published on every interface or on a non-loopback address. */
export function beyondLoopback(port: PublishedPort): boolean {
  return addressScope(port.hostIp ?? '') !== 'loopback';
}

export function bindText(port: PublishedPort): string {
  const ip = port.hostIp || '0.0.0.0';
  const host =
    port.hostPort ?? (port.hostPortRange ? `${port.hostPortRange.start}-${port.hostPortRange.end}` : '*');
  return `${ip.includes(':') ? `[${ip}]` : ip}:${host}->${port.containerPort}/${port.protocol}`;
}

/** A service that publishes something beyond loopback. */
export function isPublic(service: ComposeService): boolean {
  return service.ports.some(beyondLoopback);
}
