/**
 * Portico as a library: everything below, in one import. Each area is also its own subpath
 * (`portico/balancer`, `portico/store`, `portico/checks`, `portico/discovery`,
 * `portico/diagnose`, `portico/ports`, `portico/project`), which loads only that area. The CLI
 * is a thin layer over the same modules. Usage: docs/LIBRARY.md.
 */
// Readable validation messages for every schema, for library users as for the CLI.
import './core/zod-messages.js';

export { addressScope, formatHostPort, parseHostPort, parsePort, parsePortRange } from './core/address.js';
export { formatDuration, parseDuration } from './core/duration.js';
export { type ErrorCode, errorCodes } from './core/error-codes.js';
export { PorticoError } from './core/errors.js';
export { ExitCode } from './core/exit-codes.js';
export * from './lib/balancer.js';
export * from './lib/checks.js';
export * from './lib/diagnose.js';
export * from './lib/discovery.js';
export * from './lib/ports.js';
export * from './lib/project.js';
export * from './lib/store.js';
