/**
 * A compose project after loading: files merged in order, variables interpolated, both port
 * syntaxes and ranges normalized. Shared by `ports check/fix` and the compose discovery source.
 */
export interface ComposeProject {
  /** COMPOSE_PROJECT_NAME, else the top-level `name:`, else the first file's directory name (normalized). */
  name: string;
  /** Absolute paths in merge order. */
  files: string[];
  /** Directory of the first file: relative paths and `.env` resolve from here. */
  workingDir: string;
  /** Active services only: no `profiles:`, or one of them enabled. */
  services: ComposeService[];
  /** Names of services left out because none of their profiles is enabled. */
  inactiveServices: string[];
  /** Enabled profiles (--profile, else COMPOSE_PROFILES); `*` enables all. */
  profiles: string[];
  networks: Record<string, ComposeNetwork>;
  /** The `.env` file that was read, if any. */
  envFile?: string;
  /** Non-fatal problems (unset variables substituted with ""), as compose would warn. */
  warnings: string[];
}

export interface ComposeService {
  name: string;
  image?: string;
  containerName?: string;
  ports: PublishedPort[];
  /** `expose:` container ports (not published on the host). */
  expose: number[];
  /** Network names this service joins (`default` when none are given and network_mode is unset). */
  networks: string[];
  networkMode?: string;
  healthcheck?: ComposeHealthcheck;
  labels: Record<string, string>;
  environment: Record<string, string>;
  dependsOn: string[];
  profiles: string[];
}

export interface PublishedPort {
  /** '' or undefined means all interfaces; otherwise the literal host IP ('127.0.0.1', '::1'). */
  hostIp?: string;
  /** Undefined when Docker picks an ephemeral host port (`"5432"` short syntax) or from `hostPortRange`. */
  hostPort?: number;
  /** A host range mapped to one container port ("9000-9005:80"): Docker picks a free port in it. */
  hostPortRange?: { start: number; end: number };
  containerPort: number;
  protocol: 'tcp' | 'udp' | 'sctp';
  origin: PortOrigin;
}

/** Where a published port was written, so `ports fix` can edit exactly that spot. */
export interface PortOrigin {
  file: string;
  /** 1-based line of the port entry in `file`. */
  line: number;
  service: string;
  /** Index of the entry in the service's `ports:` list (in `file`). */
  index: number;
  syntax: 'short' | 'long';
  /** The text as written, before interpolation ("${DB_PORT:-5432}:5432"); JSON of the mapping for the long syntax. */
  raw: string;
  /**
   * When the host port came from a variable: its name and the .env file that set it, if any.
   * `portOffset` is set when the variable holds more than the port (`BIND=127.0.0.1:9000`): where
   * the host port starts inside the variable's value.
   */
  variable?: { name: string; envFile?: string; portOffset?: number };
  /** For ranges ("8000-8010:8000-8010"): this port's offset within the range. */
  rangeOffset?: number;
}

export interface ComposeHealthcheck {
  /** Normalized to argv form; CMD-SHELL becomes ['sh', '-c', cmd]. */
  test: string[];
  intervalMs?: number;
  timeoutMs?: number;
  retries?: number;
  startPeriodMs?: number;
  disabled: boolean;
}

export interface ComposeNetwork {
  name: string;
  external: boolean;
  internal: boolean;
  driver?: string;
  subnets: string[];
}
