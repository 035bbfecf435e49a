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
  E_DOCKER_UNAVAILABLE: { summary: 'The Docker engine could not be reached.', exit: 2 },
  E_PLATFORM_UNSUPPORTED: { summary: 'This operation is not supported on this operating system.', exit: 2 },
} as const satisfies Record<string, ErrorCodeInfo>;

export type ErrorCode = keyof typeof errorCodes;
