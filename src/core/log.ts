/**
 * Logging goes to stderr only, so stdout stays a clean channel for tables and --json documents.
 * Text on a terminal, JSON lines when asked (for the agent under a supervisor).
 */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
const rank: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

export interface Logger {
  error(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  debug(message: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export interface LoggerOptions {
  level?: LogLevel;
  format?: 'text' | 'json';
  stream?: NodeJS.WritableStream;
  fields?: Record<string, unknown>;
}

export function parseLogLevel(value: string | undefined): LogLevel | undefined {
  return value && value in rank ? (value as LogLevel) : undefined;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? parseLogLevel(process.env.PORTICO_LOG) ?? 'warn';
  const format = options.format ?? 'text';
  const stream = options.stream ?? process.stderr;
  const base = options.fields ?? {};

  const write = (at: LogLevel, message: string, fields?: Record<string, unknown>): void => {
    if (rank[at] > rank[level]) return;
    const all = { ...base, ...fields };
    if (format === 'json') {
      stream.write(
        `${JSON.stringify({ time: new Date().toISOString(), level: at, msg: message, ...all })}\n`,
      );
      return;
    }
    const extra = Object.entries(all)
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(' ');
    stream.write(`${at}: ${message}${extra ? ` ${extra}` : ''}\n`);
  };

  return {
    error: (m, f) => write('error', m, f),
    warn: (m, f) => write('warn', m, f),
    info: (m, f) => write('info', m, f),
    debug: (m, f) => write('debug', m, f),
    child: (fields) => createLogger({ level, format, stream, fields: { ...base, ...fields } }),
  };
}

/** A logger that drops everything: the default for library callers that pass none. */
export const silentLogger: Logger = {
  error: () => {},
  warn: () => {},
  info: () => {},
  debug: () => {},
  child: () => silentLogger,
};
