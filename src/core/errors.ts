import { type ErrorCode, errorCodes } from './error-codes.js';

export interface PorticoErrorOptions {
  /** What the user can do about it, one sentence. */
  hint?: string;
  /** Structured context for --json output (never secrets). */
  details?: Record<string, unknown>;
  cause?: unknown;
}

/**
 * The only error type Portico shows to users. Anything else that reaches the CLI boundary is an
 * internal error (a bug) and is reported as E_INTERNAL.
 */
export class PorticoError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: PorticoErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PorticoError';
    this.code = code;
    this.hint = options.hint;
    this.details = options.details;
  }

  get exitCode(): number {
    return errorCodes[this.code].exit;
  }

  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      ...(this.hint ? { hint: this.hint } : {}),
      ...(this.details ? { details: this.details } : {}),
    };
  }
}

export function isPorticoError(value: unknown): value is PorticoError {
  return value instanceof PorticoError;
}

/** A short, human message for any thrown value (no stack). */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code && !error.message.includes(code) ? `${error.message} (${code})` : error.message;
  }
  return String(error);
}
