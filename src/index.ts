/**
 * Portico as a library. The CLI is a thin layer over these modules; everything it does can be
 * done from code.
 */
// Readable validation messages for every schema, for library users as for the CLI.
import './core/zod-messages.js';

export { addressScope, formatHostPort, parseHostPort, parsePort, parsePortRange } from './core/address.js';
export { formatDuration, parseDuration } from './core/duration.js';
export { type ErrorCode, errorCodes } from './core/error-codes.js';
export { PorticoError } from './core/errors.js';
export { ExitCode } from './core/exit-codes.js';
