import { writeFileAtomic } from '../core/atomic-file.js';
import type { CommandContext } from '../core/command-context.js';
import { PorticoError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import { renderHtml } from './render/html.js';
import { renderMarkdown } from './render/markdown.js';
import { renderTerminal } from './render/terminal.js';
import { failsAt, type Report } from './report.js';

export interface EmitOptions {
  format?: string;
  output?: string;
  failOn?: string;
}

/**
 * Print or write a report and choose the exit code: --json prints the document; --format
 * markdown|html prints that, or writes it to --output; the terminal view otherwise. Exit 1 when
 * findings reach --fail-on (error by default) or some checks could not run, 2 when none could.
 */
export function emitReport(ctx: CommandContext, report: Report, opts: EmitOptions, verbose = false): number {
  const format = opts.format ?? (ctx.out.json ? 'json' : 'terminal');
  if (!['terminal', 'json', 'markdown', 'html'].includes(format))
    throw new PorticoError('E_USAGE', `--format "${format}" is not terminal, json, markdown or html`);
  const failOn = opts.failOn ?? 'error';
  if (failOn !== 'error' && failOn !== 'warning')
    throw new PorticoError('E_USAGE', `--fail-on "${failOn}" is not error or warning`);
  const text =
    format === 'markdown'
      ? renderMarkdown(report)
      : format === 'html'
        ? renderHtml(report)
        : format === 'json'
          ? `${JSON.stringify(report, null, 2)}\n`
          : undefined;
  if (opts.output) {
    if (!text) throw new PorticoError('E_USAGE', '--output needs --format json, markdown or html');
    writeFileAtomic(opts.output, text, { backup: false });
    ctx.out.note(`report written to ${opts.output}`);
    ctx.out.result({ written: opts.output, summary: report.summary }, () =>
      renderTerminal(ctx.out, report, verbose),
    );
  } else if (format === 'json') {
    ctx.out.result(report, () => ctx.out.writeStdout(text!));
  } else if (text) {
    ctx.out.writeStdout(text);
  } else {
    ctx.out.result(report, () => renderTerminal(ctx.out, report, verbose));
  }
  if (failsAt(report, failOn)) return ExitCode.Problems;
  const { checkErrors, checks } = report.summary;
  // A check that could not run verified nothing: never a healthy exit. Only when none could.
  if (checkErrors > 0) return checkErrors === checks ? ExitCode.Error : ExitCode.Problems;
  return ExitCode.Ok;
}
