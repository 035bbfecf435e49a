import { action } from './action.js';
import { type Command, Option } from './commander.js';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** `portico report`: the network architecture assessment as one document. */
export function registerReport(program: Command): void {
  program
    .command('report')
    .description(
      'the network architecture assessment as one document: topology diagram, health KPIs, findings, policy, recommendations',
    )
    .addOption(
      new Option('--format <format>', "md or html (default: from -o's extension, else md)").choices([
        'html',
        'md',
      ]),
    )
    .option('-o, --output <file>', 'write the document to FILE (atomically) instead of stdout')
    .option('-f, --file <file>', 'compose file (repeatable, merge order)', collect)
    .option('--manifest <file>', 'portico.yaml to read')
    .option('--live', 'policy also checks the sockets listening on this host')
    .addHelpText(
      'after',
      `
Examples:
  portico report                          Markdown on stdout
  portico report -o assessment.html       self-contained HTML (inline SVG and CSS, no scripts)
  portico report --format md -o NETWORK.md
  portico report --json                   the assessment as one JSON document

Exit codes: 0 written, no error finding; 1 written, it contains error findings (policy or
health); 2 bad options, a broken project file, or -o not writable.`,
    )
    .action(action(async (ctx, opts) => (await import('../report/command.js')).reportCommand(ctx, opts)));
}
