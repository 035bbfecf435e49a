import { readFileSync } from 'node:fs';
import type { CommandContext } from '../../core/command-context.js';
import { PorticoError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import { loadProject, selectorFor } from '../../project/index.js';
import { policyContext } from '../context.js';
import { evaluatePolicy, failing } from '../evaluate.js';
import { toGithub } from '../format/github.js';
import { toSarif } from '../format/sarif.js';
import { printTable } from '../format/table.js';
import { type Severity, severities } from '../ids.js';

export interface PolicyOptions {
  file?: string[];
  manifest?: string;
  format?: string;
  failOn?: string;
  live?: boolean;
}

const formats = ['table', 'json', 'sarif', 'github'] as const;

/** `portico policy`: check the project against its network policy (or the baseline). */
export async function policyCommand(ctx: CommandContext, opts: PolicyOptions): Promise<number> {
  if (ctx.out.json && opts.format !== undefined && opts.format !== 'json') {
    throw usage(`--json and --format ${opts.format} ask for two different outputs: pick one`);
  }
  const format = ctx.out.json ? 'json' : (opts.format ?? 'table');
  if (!(formats as readonly string[]).includes(format)) {
    throw usage(`--format "${format}" is not one of ${formats.join(', ')}`);
  }
  const failOn = (opts.failOn ?? 'error') as Severity;
  if (!severities.includes(failOn))
    throw usage(`--fail-on "${failOn}" is not one of ${severities.join(', ')}`);

  const project = (await loadProject(selectorFor(ctx, opts), { required: true }))!;
  const declared = project.manifest?.data.policy;
  const ruleContext = await policyContext(project, ctx.env, { live: Boolean(opts.live) });
  const { findings, ran } = evaluatePolicy(ruleContext);
  const failed = failing(findings, failOn);
  // Paths in reports are relative to the repository in a GitHub job, else to where Portico was
  // started (not -C's folder): that is what annotations and code scanning resolve against.
  const base = ctx.env.GITHUB_WORKSPACE || process.cwd();

  if (format === 'sarif') {
    ctx.out.writeStdout(`${JSON.stringify(toSarif(findings, { base, version: version() }), null, 2)}\n`);
  } else if (format === 'github') {
    ctx.out.writeStdout(toGithub(findings, base));
  } else if (format === 'json') {
    const count = (s: Severity) => findings.filter((f) => !f.suppressed && f.severity === s).length;
    const document = {
      ok: failed.length === 0,
      project: project.name,
      policy: declared ? 'declared' : 'baseline',
      failOn,
      live: Boolean(opts.live),
      rules: ran,
      summary: {
        error: count('error'),
        warning: count('warning'),
        note: count('note'),
        suppressed: findings.filter((f) => f.suppressed).length,
        failing: failed.length,
      },
      findings,
    };
    if (ctx.out.json) ctx.out.result(document, () => {});
    else ctx.out.writeStdout(`${JSON.stringify(document, null, 2)}\n`);
  } else {
    if (!declared)
      ctx.out.note(ctx.out.c.dim('policy: no policy: in portico.yaml, using the built-in baseline'));
    printTable(ctx.out, findings, base, failed.length);
  }
  return failed.length > 0 ? ExitCode.Problems : ExitCode.Ok;
}

function usage(message: string): PorticoError {
  return new PorticoError('E_USAGE', message, { hint: 'See portico policy --help.' });
}

function version(): string {
  const url = new URL('../../../package.json', import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
}
