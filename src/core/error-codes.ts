/**
 * The one table of coded errors. Every `PorticoError` carries one of these codes; each has an
 * anchored row in docs/errors.md (a unit test keeps the two in step). Codes are never reused:
 * retire a code by leaving it here with `retired: true` rather than deleting it.
 */
export interface ErrorCodeInfo {
  /** One line: what went wrong, in the user's terms. */
  readonly summary: string;
  /** Process exit code when this error ends a command (2 = usage or runtime error). */
  readonly exit: 2;
  readonly retired?: true;
}

export const errorCodes = {
  E_USAGE: { summary: 'The command line is not valid.', exit: 2 },
  E_INTERNAL: { summary: 'Portico hit an unexpected internal error.', exit: 2 },
  E_PORT_INVALID: { summary: 'A port number is not an integer in 1–65535.', exit: 2 },
  E_PORT_RANGE_INVALID: {
    summary: 'A port range is not of the form A-B with 1 <= A <= B <= 65535.',
    exit: 2,
  },
  E_ADDRESS_INVALID: { summary: 'A host, address or host:port value cannot be parsed.', exit: 2 },
  E_DURATION_INVALID: { summary: 'A duration is not a number with a unit such as 500ms, 5s or 1m.', exit: 2 },
  E_FILE_NOT_FOUND: {
    summary: 'A file named on the command line or in configuration does not exist.',
    exit: 2,
  },
  E_FILE_WRITE: { summary: 'A file could not be written safely; the original is unchanged.', exit: 2 },
  E_STATE_DIR: { summary: "Portico's state directory cannot be created or written.", exit: 2 },
  E_STORE_BUSY: { summary: 'The embedded store stayed locked by another process past the timeout.', exit: 2 },
  E_STORE_CORRUPT: { summary: 'The embedded store file is not a Portico database or is damaged.', exit: 2 },
  E_STORE_UNAVAILABLE: {
    summary: 'The networked store (etcd) could not be reached or refused the request.',
    exit: 2,
  },
  E_DOCKER_UNAVAILABLE: { summary: 'The Docker engine could not be reached.', exit: 2 },
  // projects
  E_PROJECT_NOT_FOUND: {
    summary: 'No compose file or portico.yaml in the folder (or -C DIR) or its parents.',
    exit: 2,
  },
  // compose files
  E_COMPOSE_NOT_FOUND: {
    summary: 'No compose file was given and none was found in the folder or its parents.',
    exit: 2,
  },
  E_COMPOSE_PARSE: { summary: 'A compose file is not valid YAML.', exit: 2 },
  E_COMPOSE_INVALID: {
    summary:
      'A compose file breaks the compose specification (schema, include/extends, interpolation syntax).',
    exit: 2,
  },
  E_COMPOSE_PORT_INVALID: { summary: 'A `ports:` entry in a compose file cannot be parsed.', exit: 2 },
  E_COMPOSE_VARIABLE: {
    summary: 'A required variable (${VAR:?message}) in a compose file is not set.',
    exit: 2,
  },
  E_COMPOSE_SERVICE_UNKNOWN: {
    summary: 'A service named on the command line is not in the compose project.',
    exit: 2,
  },
  // ports
  E_PORTS_RESERVED: { summary: 'The requested port is reserved for another name.', exit: 2 },
  E_PORTS_ALREADY_RESERVED: { summary: 'The name already holds a different reserved port.', exit: 2 },
  E_PORTS_IN_USE: { summary: 'The requested port is in use on this host.', exit: 2 },
  E_PORTS_RANGE_EXHAUSTED: { summary: 'No free, unreserved port is left in the range.', exit: 2 },
  E_PORTS_NOT_RESERVED: { summary: 'There is no reservation with that name in the project.', exit: 2 },
  E_PORTS_KILL_REFUSED: {
    summary: 'Portico refused to stop the holder of a port (unconfirmed, protected, or not visible).',
    exit: 2,
  },
  E_PORTS_KILL_FAILED: { summary: 'The holder of the port could not be stopped.', exit: 2 },
  // discovery and checks
  E_CHECK_INVALID: { summary: 'A health check definition is not valid.', exit: 2 },
  // agent
  E_AGENT_LISTEN: {
    summary: 'The agent cannot listen on the address given (port in use, no such address).',
    exit: 2,
  },
  E_AGENT_TOKEN_REQUIRED: {
    summary: 'The agent needs a usable write token (beyond loopback, or with --require-token).',
    exit: 2,
  },
  E_ALERT_RECEIVER: {
    summary: 'An alert receiver in portico.yaml cannot be used (a variable it names is unset, a bad URL).',
    exit: 2,
  },
  E_API_BAD_REQUEST: { summary: "A request to the agent's API is not valid (body, parameters).", exit: 2 },
  E_API_NOT_FOUND: { summary: "The agent's API has no such endpoint or object.", exit: 2 },
  E_API_METHOD: { summary: "The agent's API does not allow this method on the path.", exit: 2 },
  E_API_UNAUTHORIZED: { summary: "A write to the agent's API came without the agent's token.", exit: 2 },
  E_CHECK_UNTRUSTED: {
    summary:
      'A check from a label, the engine or the network asks for what only portico.yaml or the CLI may define.',
    exit: 2,
  },
  E_MANIFEST_INVALID: { summary: 'portico.yaml is not valid (the message names file:line:column).', exit: 2 },
  E_REGISTER_INVALID: {
    summary: 'A service registration is not valid (name, address, port, tags, meta).',
    exit: 2,
  },
  E_INSTANCE_UNKNOWN: { summary: 'No instance with that id is in the catalog.', exit: 2 },
  E_INSTANCE_AMBIGUOUS: {
    summary: 'A service name matches several instances where the command needs one.',
    exit: 2,
  },
  E_SOURCE_UNKNOWN: { summary: 'A discovery source name is not one Portico knows.', exit: 2 },
  E_SOURCE_FAILED: { summary: 'A discovery source could not produce its services.', exit: 2 },
  E_STORE_URL: { summary: 'The store location (--store / PORTICO_STORE) is not understood.', exit: 2 },
  E_STORE_CONFIG: {
    summary: 'The store: section of portico.yaml cannot be used (password variable unset, TLS file missing).',
    exit: 2,
  },
  // load balancer
  E_LB_CONFIG: {
    summary: 'The load balancer configuration is not valid (the message names file:line:column).',
    exit: 2,
  },
  E_LB_LISTEN: { summary: 'The load balancer could not listen on an address.', exit: 2 },
  E_LB_ADMIN_UNREACHABLE: { summary: "The load balancer's admin endpoint did not answer.", exit: 2 },
  E_LB_TLS: { summary: 'A TLS certificate or the development CA could not be loaded or created.', exit: 2 },
  E_LB_EXPORT_UNSUPPORTED: {
    summary: 'The target gateway cannot express part of the balancer configuration.',
    exit: 2,
  },
  E_LB_DEPLOY_INVALID: {
    summary: "The gateway's own check rejects the new configuration; nothing was written.",
    exit: 2,
  },
  E_LB_GATEWAY_NOT_FOUND: {
    summary: "The gateway's program (nginx, haproxy, caddy) is not on PATH; nothing was written.",
    exit: 2,
  },
  E_LB_RUNTIME_API: {
    summary: "HAProxy's runtime API (stats socket) could not be reached or refused a change.",
    exit: 2,
  },
  E_NOT_IMPLEMENTED: { summary: 'This command is planned but not built yet.', exit: 2 },
  E_PLATFORM_UNSUPPORTED: { summary: 'This operation is not supported on this operating system.', exit: 2 },
} as const satisfies Record<string, ErrorCodeInfo>;

export type ErrorCode = keyof typeof errorCodes;
