import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { CommandContext } from '../core/command-context.js';
import { describeError, isPorticoError, PorticoError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import { CapturingOutput } from './capture-output.js';
import type { RememberedTool } from './results.js';
import type { ProjectArgs } from './schemas.js';
import type { McpServerState } from './server-options.js';

export interface RunOptions<Doc> {
  /** One line for people and models: what the document says, without reading all of it. */
  summarize: (doc: Doc, exitCode: number) => string;
  /** Keep the answer for the `portico://last/<tool>` resource. */
  remember?: RememberedTool;
  /** The tool's arguments, recorded with a remembered answer (URL passwords removed). */
  args?: Record<string, unknown>;
}

/**
 * Run one CLI command implementation for a tool call: the same function `portico <command>`
 * runs, with a context whose Output captures the JSON document instead of printing it. A
 * PorticoError (bad input the command itself caught, a missing project, an unreachable engine)
 * becomes an MCP tool error with its code, message and hint; anything else is E_INTERNAL — the
 * server never crashes on a tool call.
 */
export async function runCommand<Doc = unknown>(
  state: McpServerState,
  project: ProjectArgs,
  requestSignal: AbortSignal | undefined,
  impl: (ctx: CommandContext) => Promise<number | undefined> | number | undefined,
  options: RunOptions<Doc>,
): Promise<CallToolResult> {
  let ran: { exitCode: number; document: unknown };
  try {
    ran = await captureCommand(state, project, requestSignal, impl);
  } catch (error) {
    return toolError(error, state.log);
  }
  const { exitCode } = ran;
  const doc = ran.document as Doc;
  if (options.remember) state.results.remember(options.remember, redact(options.args ?? {}), exitCode, doc);
  let summary: string;
  try {
    summary = options.summarize(doc, exitCode);
  } catch {
    summary = 'done';
  }
  const verdict =
    exitCode === ExitCode.Ok
      ? ''
      : exitCode === ExitCode.Problems
        ? ' [exit 1: problems found]'
        : ' [exit 2: could not check]';
  return {
    // An object, as MCP requires of structured content; the CLI's documents are objects already.
    structuredContent: isRecord(doc) ? doc : { result: doc },
    content: [
      { type: 'text', text: `${summary}${verdict}` },
      // Clients that ignore structuredContent still get the whole document (MCP's advice).
      { type: 'text', text: JSON.stringify(doc, null, 2) },
    ],
    ...(exitCode === ExitCode.Error ? { isError: true } : {}),
    _meta: { 'portico/exitCode': exitCode },
  };
}

/**
 * Run a command implementation with a capturing Output; resolves to its exit code and JSON
 * document, rejects with what it threw (a PorticoError, or a bug).
 */
export async function captureCommand(
  state: McpServerState,
  project: ProjectArgs,
  requestSignal: AbortSignal | undefined,
  impl: (ctx: CommandContext) => Promise<number | undefined> | number | undefined,
): Promise<{ exitCode: number; document: unknown }> {
  const out = new CapturingOutput({ verbose: state.verbose, logTo: state.log });
  const ctx = contextFor(state, project, out, requestSignal);
  const exitCode = (await impl(ctx)) ?? ExitCode.Ok;
  const captured = out.capture();
  return { exitCode, document: captured.document ?? parseStdout(captured.stdout) };
}

/** A coded error as a tool result: the client and the model see code, message and hint. */
export function toolError(error: unknown, log: NodeJS.WritableStream): CallToolResult {
  const e = isPorticoError(error)
    ? error
    : new PorticoError('E_INTERNAL', describeError(error), {
        hint: 'This is a bug in Portico; the server log (stderr) has the stack.',
        cause: error,
      });
  if (e.code === 'E_INTERNAL') log.write(`portico mcp: ${(error as Error)?.stack ?? describeError(error)}\n`);
  const lines = [`error[${e.code}]: ${e.message}`, ...(e.hint ? [`hint: ${e.hint}`] : [])];
  return {
    isError: true,
    structuredContent: { ok: false, error: e.toJSON() },
    content: [{ type: 'text', text: lines.join('\n') }],
  };
}

/** The CommandContext the CLI builds from -C/--project/--profile, built from tool arguments. */
function contextFor(
  state: McpServerState,
  project: ProjectArgs,
  out: CapturingOutput,
  requestSignal: AbortSignal | undefined,
): CommandContext {
  const cwd = resolve(state.cwd, project.directory ?? '.');
  if (!isDirectory(cwd)) {
    throw new PorticoError('E_USAGE', `directory ${project.directory}: no such directory (${cwd})`, {
      hint: `Pass a project folder, absolute or relative to ${state.cwd}.`,
    });
  }
  return {
    out,
    env: state.env,
    signal: requestSignal ? AbortSignal.any([state.signal, requestSignal]) : state.signal,
    cwd,
    // A tool's own project/profiles win over the ones `portico mcp` was started with.
    project: {
      ...state.project,
      ...(project.project !== undefined ? { name: project.project } : {}),
      ...(project.profiles?.length ? { profiles: project.profiles } : {}),
    },
  };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** A command that printed instead of calling `result` (none should in --json mode). */
function parseStdout(text: string): unknown {
  if (!text.trim()) return null;
  try {
    return JSON.parse(text);
  } catch {
    return { output: text };
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Arguments kept with a remembered result never carry a password from a connection URL. */
function redact(args: Record<string, unknown>): Record<string, unknown> {
  const clean = (v: unknown): unknown => {
    if (typeof v !== 'string' || !v.includes('@')) return v;
    try {
      const url = new URL(v);
      if (url.password) url.password = '***';
      return url.href;
    } catch {
      return v;
    }
  };
  return Object.fromEntries(
    Object.entries(args).map(([k, v]) => [k, Array.isArray(v) ? v.map(clean) : clean(v)]),
  );
}
