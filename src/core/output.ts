import pc from 'picocolors';
import { createLogger, type Logger, type LogLevel } from './log.js';
import { type Column, renderTable } from './table.js';

export type Colors = ReturnType<typeof pc.createColors>;

export interface OutputOptions {
  json?: boolean;
  color?: boolean | undefined;
  verbose?: boolean;
  quiet?: boolean;
  stdout?: NodeJS.WriteStream | NodeJS.WritableStream;
  stderr?: NodeJS.WriteStream | NodeJS.WritableStream;
  env?: NodeJS.ProcessEnv;
}

/**
 * Where a command's results go. Two rules hold for every command:
 * - in --json mode stdout receives exactly one JSON document (via `result`), nothing else;
 * - everything that is not the result (logs, progress, warnings) goes to stderr.
 */
export class Output {
  readonly json: boolean;
  readonly isTTY: boolean;
  readonly color: boolean;
  readonly c: Colors;
  readonly log: Logger;
  readonly quiet: boolean;
  private readonly stdout: NodeJS.WritableStream;
  private readonly stderr: NodeJS.WritableStream;
  private resultWritten = false;
  /** -v: show details (per-step timings, percentiles) as well as debug logs. */
  readonly verbose: boolean;

  constructor(options: OutputOptions = {}) {
    const env = options.env ?? process.env;
    this.stdout = options.stdout ?? process.stdout;
    this.stderr = options.stderr ?? process.stderr;
    this.json = options.json ?? false;
    this.quiet = options.quiet ?? false;
    this.verbose = options.verbose ?? false;
    this.isTTY = Boolean((this.stdout as NodeJS.WriteStream).isTTY);
    this.color = decideColor(options.color, this.isTTY, env);
    this.c = pc.createColors(this.color);
    const level: LogLevel = options.verbose ? 'debug' : (parseLevel(env.PORTICO_LOG) ?? 'warn');
    this.log = createLogger({ level, stream: this.stderr });
  }

  /** Whether a live view (progress, redraws) is appropriate: a terminal and not --json. */
  get interactive(): boolean {
    return this.isTTY && !this.json;
  }

  /** Terminal width for tables, or undefined when output is piped. */
  get width(): number | undefined {
    return this.isTTY ? ((this.stdout as NodeJS.WriteStream).columns ?? 100) : undefined;
  }

  /**
   * Emit the command's result: the JSON document in --json mode, otherwise whatever the human
   * renderer prints. Call once per command.
   */
  result(document: unknown, human: () => void): void {
    if (this.json) {
      if (this.resultWritten) throw new Error('Output.result called twice in --json mode');
      this.resultWritten = true;
      this.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
      return;
    }
    human();
  }

  /** A human line on stdout; dropped in --json mode so the JSON stays pure. */
  line(text = ''): void {
    if (!this.json) this.stdout.write(`${text}\n`);
  }

  /** A human table on stdout. */
  table<Row>(columns: Column<Row>[], rows: Row[]): void {
    this.line(renderTable(columns, rows, { maxWidth: this.width, headerStyle: (t) => this.c.bold(t) }));
  }

  /** A message for the user that is not the result: stderr, shown even in --json mode. */
  note(text: string): void {
    if (!this.quiet) this.stderr.write(`${text}\n`);
  }

  warn(text: string): void {
    this.stderr.write(`${this.c.yellow('warning:')} ${text}\n`);
  }

  /** Raw write to stderr for live views (progress lines, redraws). */
  writeStderr(text: string): void {
    this.stderr.write(text);
  }

  /** Raw write to stdout for streaming commands (monitor): one line or JSON object per event. */
  writeStdout(text: string): void {
    this.stdout.write(text);
  }
}

function parseLevel(value: string | undefined): LogLevel | undefined {
  return value === 'error' || value === 'warn' || value === 'info' || value === 'debug' ? value : undefined;
}

/** --color/--no-color win; then NO_COLOR (any non-empty value) and FORCE_COLOR; then TTY. */
export function decideColor(flag: boolean | undefined, isTTY: boolean, env: NodeJS.ProcessEnv): boolean {
  if (flag !== undefined) return flag;
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR && env.FORCE_COLOR !== '0') return true;
  return isTTY && env.TERM !== 'dumb';
}

export type { Column };
