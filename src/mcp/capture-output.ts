import { Writable } from 'node:stream';
import { Output } from '../core/output.js';

/** What a command printed when it ran behind the MCP server instead of a terminal. */
export interface Captured {
  /** The JSON document the command gave `out.result` (a JSON copy: plain data only). */
  document: unknown;
  /** Raw text the command wrote to stdout outside `result` (normally nothing in --json mode). */
  stdout: string;
  /** Warnings and notes it wrote to stderr (also passed on to the server's stderr). */
  stderr: string;
}

/**
 * An Output in --json mode whose stdout is a buffer, never the process's stdout: over stdio that
 * stream carries the MCP protocol, and one stray byte from a command would corrupt it. The
 * document is kept as data rather than parsed back from text; stderr is kept (for the tool's
 * answer) and copied to the server's stderr (for the client's log).
 */
export class CapturingOutput extends Output {
  private document: unknown;
  private hasDocument = false;
  private readonly stdoutChunks: string[];
  private readonly stderrChunks: string[];

  constructor(options: { verbose?: boolean; logTo?: NodeJS.WritableStream } = {}) {
    const stdoutChunks: string[] = [];
    const stderrChunks: string[] = [];
    const logTo = options.logTo ?? process.stderr;
    super({
      json: true,
      color: false,
      verbose: options.verbose ?? false,
      stdout: collect(stdoutChunks),
      stderr: collect(stderrChunks, logTo),
    });
    this.stdoutChunks = stdoutChunks;
    this.stderrChunks = stderrChunks;
  }

  override result(document: unknown, _human: () => void): void {
    if (this.hasDocument) throw new Error('Output.result called twice');
    this.hasDocument = true;
    // A JSON copy, as the CLI would print it: Dates become strings, undefined fields vanish.
    this.document = document === undefined ? null : JSON.parse(JSON.stringify(document));
  }

  capture(): Captured {
    return {
      document: this.hasDocument ? this.document : undefined,
      stdout: this.stdoutChunks.join(''),
      stderr: this.stderrChunks.join(''),
    };
  }
}

function collect(chunks: string[], copyTo?: NodeJS.WritableStream): Writable {
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      const text = chunk.toString();
      chunks.push(text);
      copyTo?.write(text);
      done();
    },
  });
}
