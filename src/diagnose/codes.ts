/**
 * The one table of diagnosis codes. Each has an anchored row in docs/findings.md (a unit test
 * keeps them in step). Codes are stable: never renamed or reused.
 */
export const findingCodes = {
  // every check (the runner's step rule)
  CHECK_STEP_FAILED: 'A step of a check failed and the check did not explain it with a finding of its own.',
  // ports
  PORT_DUPLICATE_PUBLISH: 'Two compose services publish the same host port.',
  PORT_IN_USE: 'A port a service needs is held by another process.',
  PORT_HELD_BY_CONTAINER: "A port a service needs is published by another project's container.",
  PORT_HELD_HIDDEN: 'A port a service needs is held by a socket whose owner is not visible.',
  PORT_RESERVED_ELSEWHERE: 'A published port is reserved for another project.',
  PORT_IPV4_IPV6_SPLIT: 'A port is free on one IP family and taken on the other.',
  PORT_PRIVILEGED: 'A port below the unprivileged range needs root.',
  // connectivity
  DNS_NOT_FOUND: 'The host name does not exist (NXDOMAIN).',
  DNS_TEMPORARY: 'The resolver failed or timed out.',
  DNS_COMPOSE_NAME_FROM_HOST:
    'A compose service name was used from the host, where only containers resolve it.',
  DNS_SERVFAIL: 'The DNS server answered SERVFAIL (or refused the query).',
  DNS_TIMEOUT: 'The DNS server did not answer in time.',
  DNS_HOSTS_FILE_ONLY: 'The name resolves only through /etc/hosts on this host.',
  DNS_LOOKUP_RESOLVE_DIFFER: 'getaddrinfo (lookup) and DNS (resolve) disagree about the name.',
  CONN_REFUSED: 'Nothing accepts connections at the address (or a firewall rejects them).',
  CONN_FILTERED: 'Connections time out: a firewall drops them, or the host is down.',
  CONN_UNREACHABLE: 'There is no route to the host.',
  CONN_RESET: 'The connection was accepted and then reset (RST) at once, before any request.',
  CONN_CLOSED: 'The connection was accepted and then closed at once, before any request.',
  LOCALHOST_IPV6_MISMATCH:
    '"localhost" resolves to ::1 first while the server listens on IPv4 only (or the reverse).',
  CONTAINER_APP_LOOPBACK:
    'The app inside a container listens on 127.0.0.1, so its published port cannot reach it.',
  TLS_EXPIRED: 'The server certificate has expired.',
  TLS_NOT_YET_VALID: 'The server certificate is not valid yet.',
  TLS_SELF_SIGNED: 'The server certificate is self-signed.',
  TLS_DEV_CA:
    "The server certificate is signed by Portico's development CA, which this client does not trust.",
  TLS_UNTRUSTED: 'The server certificate does not chain to a trusted CA.',
  TLS_NAME_MISMATCH: 'The server certificate is for another name.',
  TLS_EXPIRING: 'The server certificate expires soon.',
  TLS_HANDSHAKE_FAILED: 'The TLS handshake failed.',
  TLS_PLAIN_PORT: 'An https:// URL points at a port that speaks plain HTTP.',
  HTTP_TLS_PORT: 'An http:// URL points at a port that speaks TLS.',
  HTTP_RESET_AFTER_REQUEST: 'The server read the request and reset the connection without answering.',
  HTTP_CLOSED_NO_RESPONSE: 'The server read the request and closed the connection without answering.',
  HTTP_NO_RESPONSE: 'The server accepted the connection and the request, and stayed silent.',
  HTTP_NOT_HTTP: 'The server answered with bytes that are not HTTP.',
  HTTP_BODY_CUT: 'The response started and the connection was cut before the body ended.',
  HTTP_4XX: 'The server answered with a 4xx status.',
  HTTP_REDIRECT_LOOP: 'Redirects lead back to an address already visited (or go on too long).',
  HTTP_SLOW_BODY: 'The headers came in time but the body took long to arrive.',
  HTTP_5XX: 'The server answered with a 5xx status.',
  HTTP_SLOW: 'The server took long to send its response headers (slow first byte).',
  // api-gateway
  GW_CONFIG_UNREADABLE: 'The gateway configuration could not be read.',
  GW_UPSTREAM_DOWN: 'A gateway upstream refuses connections: the gateway answers 502.',
  GW_UPSTREAM_SLOW: "A gateway upstream is slower than the gateway's timeout: the gateway answers 504.",
  GW_NO_ROUTE: 'No gateway route matches the host name.',
  GW_SINGLE_UPSTREAM: 'A gateway route has a single upstream and no health checks.',
  GW_CONFIG_INVALID: 'The gateway rejects its configuration (its own message is the evidence).',
  GW_CONFIG_TEST_FAILED:
    "The gateway accepts the configuration's syntax, but its test fails on this machine (a path or host name it needs).",
  GW_PARSED_BY_PORTICO: "The configuration was read by Portico's parser, not by the gateway (binary absent).",
  GW_NO_ROUTES: 'The gateway configuration proxies nothing: no route to check.',
  GW_ROUTE_NO_UPSTREAMS: 'A gateway route has no upstream servers: every request to it fails.',
  GW_UPSTREAM_DYNAMIC: 'A gateway route picks its upstream at request time, so it was not probed.',
  GW_UPSTREAM_DOWN_ROUTED_AROUND:
    'A health-checked gateway upstream is down; the gateway routes around it to the live ones.',
  // database
  DB_AUTH_FAILED: 'The database rejected the credentials.',
  DB_PG_HBA: 'PostgreSQL has no pg_hba.conf entry for this client.',
  DB_MISSING: 'The database does not exist.',
  DB_NOT_READY: 'The database is not accepting connections yet (starting, shutting down, recovering).',
  DB_UNREACHABLE: 'The database cannot be reached.',
  DB_NO_PASSWORD: 'The database requires a password and none was given.',
  // docker
  DOCKER_UNAVAILABLE: 'The Docker engine could not be reached.',
  DOCKER_SUBNET_OVERLAP: 'A Docker network subnet overlaps a route of this host.',
  DOCKER_NETWORK_SUBNET_CONFLICT: 'Two Docker networks use overlapping subnets.',
  DOCKER_PUBLISHED_ALL_INTERFACES: 'A container port is published on all interfaces.',
  DOCKER_NOT_ON_SHARED_NETWORK: 'A container is not on any network of a service it calls.',
  PROJECT_NOT_RUNNING:
    'Nothing listens on any host port the compose project publishes and none of its containers runs.',
  // performance
  PERF_LATENCY_HIGH: 'Latency to a service is above the 50 ms target.',
  PERF_ERRORS: 'Requests failed during the throughput probe.',
  PERF_NO_SAMPLES: 'No latency sample succeeded: nothing could be measured.',
  // security
  SEC_DATABASE_EXPOSED: 'A database listens on all interfaces.',
  SEC_ADMIN_EXPOSED: 'An admin or debug port listens on all interfaces.',
  SEC_PLAINTEXT_HTTP: 'Plain HTTP is served on a non-loopback interface.',
  SEC_PORTICO_ADMIN_OPEN: "Portico's admin endpoint answers without authentication off loopback.",
  // health
  HEALTH_SERVICE_DOWN: 'A check the project declares for a service fails.',
  HEALTH_CHECK_WARNING: 'A check the project declares for a service reports a warning.',
  HEALTH_TTL_EXPIRED: 'A TTL-checked service has not reported in within its TTL.',
  HEALTH_CHECK_NOT_RUN: "A service's healthcheck runs in its container and no Docker engine answers.",
} as const;

export type FindingCode = keyof typeof findingCodes;
