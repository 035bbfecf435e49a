import { readFileSync } from 'node:fs';
import '../core/zod-messages.js';
import { PorticoError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import { Output } from '../core/output.js';
import { reportError } from './action.js';
import { Command, CommanderError, Option } from './commander.js';
import { commandGroups } from './groups.js';

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

export function buildProgram(): Command {
  const program = new Command('portico')
    .description(
      'The network engineer for your microservice project: ports, discovery, load balancing, troubleshooting.',
    )
    .version(version(), '-V, --version')
    .addOption(new Option('--json', 'print one JSON document on stdout (logs go to stderr)'))
    .addOption(new Option('--no-color', 'disable colors (also: NO_COLOR=1)'))
    .addOption(new Option('-v, --verbose', 'debug logging on stderr'))
    .addOption(new Option('-q, --quiet', 'only errors on stderr'))
    .addOption(new Option('-C, --directory <dir>', 'run as if started in DIR (a project folder)'))
    .addOption(
      new Option('--project <name>', "the project: its catalog namespace (default: compose's project name)"),
    )
    .addOption(
      new Option(
        '--profile <name>',
        'enable a compose profile (repeatable; also COMPOSE_PROFILES)',
      ).argParser((value: string, previous: string[] = []) => [...previous, value]),
    )
    .showSuggestionAfterError(true)
    .configureHelp({ sortSubcommands: false, showGlobalOptions: true })
    .addHelpText(
      'after',
      `
Exit codes: 0 healthy · 1 problems found · 2 usage or runtime error

Examples:
  portico demo --once                a sample stack with planted faults, and what Portico finds
  portico ports                      who listens on which port
  portico ports check                conflicts in ./compose.yaml vs this machine
  portico discovery discover         find services (compose, Docker, portico.yaml)
  portico lb serve --upstream 127.0.0.1:9001 --upstream 127.0.0.1:9002
  portico troubleshoot connectivity auth-service
  portico health                     one report on the whole project
  portico policy --format sarif      the network policy as code-scanning results
  portico agent                      keep the catalog live, with an HTTP API`,
    );
  for (const register of commandGroups) register(program);
  applyToAll(program, (cmd) => cmd.exitOverride());
  return program;
}

function applyToAll(cmd: Command, fn: (cmd: Command) => void): void {
  fn(cmd);
  for (const sub of cmd.commands) applyToAll(sub, fn);
}

/** Parse and run; resolves to the exit code. */
export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.Ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return ExitCode.Ok;
      if (error.code === 'commander.help' || error.exitCode === 0) return ExitCode.Ok;
      // Commander already printed its message on stderr; in --json mode add the document.
      if (argv.includes('--json')) {
        new Output({ json: true }).result(
          { ok: false, error: { code: 'E_USAGE', message: error.message.replace(/^error: /, '') } },
          () => {},
        );
      }
      return ExitCode.Error;
    }
    return reportError(new Output({ json: argv.includes('--json') }), error);
  }
}

export function usageError(message: string, hint?: string): PorticoError {
  return new PorticoError('E_USAGE', message, hint ? { hint } : {});
}
