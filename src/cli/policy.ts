import { action } from './action.js';
import { type Command, Option } from './commander.js';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** `portico policy`: network standards over the project (compose + portico.yaml) as a CI gate. */
export function registerPolicy(program: Command): void {
  program
    .command('policy')
    .description(
      'check the project against its network policy (portico.yaml policy:, or the built-in baseline)',
    )
    .option('-f, --file <file>', 'compose file (repeatable, merge order)', collect)
    .option('--manifest <file>', 'portico.yaml to read the policy from')
    .addOption(
      new Option(
        '--format <format>',
        'table (default), json, sarif (SARIF 2.1.0) or github (annotations)',
      ).choices(['table', 'json', 'sarif', 'github']),
    )
    .addOption(
      new Option(
        '--fail-on <severity>',
        'exit 1 on findings at or above this severity (default error)',
      ).choices(['error', 'warning', 'note']),
    )
    .option(
      '--live',
      'also check the sockets listening on this host (databases, admin ports beyond loopback)',
    )
    .addHelpText(
      'after',
      `
Examples:
  portico policy                          findings as a table; exit 1 on errors
  portico policy --fail-on warning        also fail on warnings
  portico policy --format sarif > policy.sarif   for code-scanning dashboards
  portico policy --format github          annotations in a GitHub Actions job
  portico policy --live                   also what is listening right now

Rules and the policy: keys are in docs/policy.md.`,
    )
    .action(
      action(async (ctx, opts) => (await import('../policy/commands/policy.js')).policyCommand(ctx, opts)),
    );
}
