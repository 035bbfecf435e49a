import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { writeFileAtomic } from '../core/atomic-file.js';
import type { CommandContext } from '../core/command-context.js';
import { PorticoError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import { type AssessOptions, assess } from './assess.js';
import { renderAssessmentHtml } from './render-html.js';
import { renderAssessmentMarkdown } from './render-md.js';

export interface ReportOptions extends AssessOptions {
  format?: string;
  output?: string;
}

const formats = ['html', 'md'] as const;
type Format = (typeof formats)[number];

/** --format, else what -o's extension says, else Markdown (readable on a terminal). */
function formatOf(opts: ReportOptions): Format {
  if (opts.format !== undefined) {
    if (!(formats as readonly string[]).includes(opts.format))
      throw usage(`--format "${opts.format}" is not html or md`);
    return opts.format as Format;
  }
  return /\.html?$/i.test(opts.output ?? '') ? 'html' : 'md';
}

/**
 * `portico report`: the network architecture assessment as one document — topology diagram,
 * health KPIs, findings, policy results and prioritised recommendations. Exit 0 when written
 * and no error was found, 1 when written and it contains error findings (like `health` and
 * `policy`), 2 on bad input (options, project files, an unwritable -o).
 */
export async function reportCommand(ctx: CommandContext, opts: ReportOptions): Promise<number> {
  if (ctx.out.json && opts.format !== undefined && !opts.output) {
    throw usage('--json prints the assessment as JSON; --format needs -o FILE to write the document as well');
  }
  const format = formatOf(opts);
  const path = opts.output === undefined ? undefined : resolve(ctx.cwd, opts.output);
  // Before the probes run: a destination that cannot exist is known now, not a minute later.
  if (path !== undefined && !isDirectory(dirname(path))) {
    throw new PorticoError(
      'E_FILE_WRITE',
      `could not write ${path}: the folder ${dirname(path)} does not exist`,
      {
        hint: 'Create the folder first, or pass -o with a path in an existing folder.',
      },
    );
  }
  const assessment = await assess(ctx, opts);
  const code = assessment.summary.errors > 0 ? ExitCode.Problems : ExitCode.Ok;
  if (ctx.out.json && path === undefined) {
    ctx.out.result(assessment, () => {});
    return code;
  }
  const text = format === 'html' ? renderAssessmentHtml(assessment) : renderAssessmentMarkdown(assessment);
  if (path !== undefined) {
    writeFileAtomic(path, text, { backup: false });
    ctx.out.note(`report written to ${path}`);
    ctx.out.result(
      {
        written: path,
        format,
        summary: assessment.summary,
        recommendations: assessment.recommendations.length,
      },
      () =>
        ctx.out.line(
          `${path}: ${assessment.summary.errors} error(s), ${assessment.summary.warnings} warning(s), ${assessment.recommendations.length} recommendation(s)`,
        ),
    );
  } else {
    ctx.out.writeStdout(text);
  }
  return code;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function usage(message: string): PorticoError {
  return new PorticoError('E_USAGE', message, { hint: 'See portico report --help.' });
}
