/**
 * The catalog model: service → instances → checks → status. Sources produce instances, the
 * store keeps them, the checker updates their status, the balancer and exporters read them.
 */

export type HealthStatus = 'passing' | 'warning' | 'critical';

export interface Service {
  name: string;
  tags: string[];
  meta: Record<string, string>;
}

export type InstanceProtocol = 'tcp' | 'udp' | 'http' | 'https' | 'grpc' | 'postgres' | 'redis' | 'mysql';

export interface Instance {
  /** Stable across re-discovery: sources derive it from what identifies the endpoint. */
  id: string;
  service: string;
  address: string;
  port: number;
  protocol: InstanceProtocol;
  tags: string[];
  meta: Record<string, string>;
  /** Which source registered it: 'compose', 'docker', 'manifest', 'process', 'cli', 'api'. */
  source: string;
  checks: CheckDefinition[];
}

/**
 * Where a check definition came from: the trust boundary. `manifest` (portico.yaml) and `cli`
 * are the user's own words and may define anything. `compose` is a compose file's own
 * `healthcheck:` (a command may run only inside that service's container, as Docker runs it).
 * `label`, `docker` and `api` come from images, the engine or the network: untrusted, never a
 * command, and `passwordEnv` only from the user's allow-list (see src/checks/trust.ts).
 */
export type CheckOrigin = 'manifest' | 'cli' | 'compose' | 'label' | 'docker' | 'api';

interface CheckCommon {
  /** Unique within the instance. */
  id: string;
  /** Who defined it (absent in catalogs written before origins existed: treated as untrusted). */
  origin?: CheckOrigin;
  intervalMs: number;
  timeoutMs: number;
  /** Consecutive passing results before the status becomes passing. */
  rise: number;
  /** Consecutive failing results before the status becomes critical. */
  fall: number;
  /** Remove the instance after it has been critical this long (unset: never). */
  deregisterAfterMs?: number;
}

export interface HttpCheck extends CheckCommon {
  kind: 'http';
  scheme: 'http' | 'https';
  method: string;
  path: string;
  headers: Record<string, string>;
  /** Accepted status codes, e.g. [[200, 399]]. */
  expectStatus: Array<[number, number]>;
  /** Substring the body must contain, if set. */
  expectBody?: string;
  tlsVerify: boolean;
  /** Overrides the instance address/port (e.g. an admin port). */
  port?: number;
}

export interface TcpCheck extends CheckCommon {
  kind: 'tcp';
  port?: number;
}

export interface TlsCheck extends CheckCommon {
  kind: 'tls';
  serverName?: string;
  tlsVerify: boolean;
  /** Warn when the certificate expires within this many days. */
  expiryWarningDays: number;
  port?: number;
}

/** Credentials are referenced, not stored: `passwordEnv` names an environment variable. */
export interface PostgresCheck extends CheckCommon {
  kind: 'postgres';
  user: string;
  database?: string;
  passwordEnv?: string;
  port?: number;
}

export interface RedisCheck extends CheckCommon {
  kind: 'redis';
  username?: string;
  passwordEnv?: string;
  port?: number;
}

export interface MysqlCheck extends CheckCommon {
  kind: 'mysql';
  user: string;
  database?: string;
  passwordEnv?: string;
  port?: number;
}

/** Only from trusted origins (portico.yaml, the CLI) or a compose healthcheck inside its container. */
export interface CommandCheck extends CheckCommon {
  kind: 'command';
  argv: string[];
  /** Run inside this container (docker exec) instead of on the host: compose/docker healthchecks. */
  container?: string;
}

/** The service reports in (`portico discovery pass <check>`); critical when silent for ttlMs. */
export interface TtlCheck extends CheckCommon {
  kind: 'ttl';
  ttlMs: number;
}

/** Mirrors a container's own Docker HEALTHCHECK status (docker source). */
export interface DockerHealthCheck extends CheckCommon {
  kind: 'docker-health';
  container: string;
}

export type CheckDefinition =
  | DockerHealthCheck
  | HttpCheck
  | TcpCheck
  | TlsCheck
  | PostgresCheck
  | RedisCheck
  | MysqlCheck
  | CommandCheck
  | TtlCheck;

export type CheckKind = CheckDefinition['kind'];

/** One probe run. */
export interface CheckResult {
  status: HealthStatus;
  /** Human-readable, truncated; never contains secrets. */
  output: string;
  /** A stable classification for failures ('refused', 'timeout', 'auth_failed', 'pg_hba', …). */
  reason?: string;
  durationMs: number;
  /** Epoch milliseconds. */
  at: number;
  /** The certificate a TLS check saw (alert rules judge its expiry against their own horizon). */
  certificate?: CertificateSeen;
}

export interface CertificateSeen {
  subject: string;
  /** ISO 8601. */
  validTo: string;
}

/** The settled state of a check after rise/fall: what the catalog shows. */
export interface CheckState {
  instanceId: string;
  checkId: string;
  status: HealthStatus;
  output: string;
  reason?: string;
  /** Epoch ms of the last status change. */
  since: number;
  lastResult?: CheckResult;
}
