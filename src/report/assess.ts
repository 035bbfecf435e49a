import { relative } from 'node:path';
import { Writable } from 'node:stream';
import type { CommandContext } from '../core/command-context.js';
import { Output } from '../core/output.js';
import { readGateway } from '../diagnose/gateway/read.js';
import { healthCommand } from '../diagnose/health.js';
import type { Report } from '../diagnose/report.js';
import { policyContext } from '../policy/context.js';
import { evaluatePolicy } from '../policy/evaluate.js';
import { readLbRoutes } from '../policy/lb-routes.js';
import { loadProject, selectorFor } from '../project/index.js';
import type { Assessment } from './model.js';
import { recommendations } from './recommendations.js';
import { buildTopology } from './topology.js';

export interface AssessOptions {
  file?: string[];
  manifest?: string;
  /** Policy also checks the sockets listening now. */
  live?: boolean;
}

/**
 * Everything the assessment shows, gathered by the commands that own it: the project loaded
 * once (a broken file is exit 2 before anything runs), `portico policy`'s rules, and
 * `portico health` run as it runs on its own (its JSON report, captured), so the document's
 * KPIs are the ones `portico health` would print.
 */
export async function assess(ctx: CommandContext, opts: AssessOptions): Promise<Assessment> {
  const project = (await loadProject(selectorFor(ctx, opts), { required: true }))!;
  const rules = await policyContext(project, ctx.env, { live: Boolean(opts.live) });
  const policy = evaluatePolicy(rules);
  const health = await runHealth(ctx, opts);
  const unsuppressed = policy.findings.filter((f) => !f.suppressed);
  const count = (s: string) => unsuppressed.filter((f) => f.severity === s).length;
  return {
    project: project.name,
    projectDir: project.dir,
    files: project.files.map((f) => relative(project.dir, f) || f),
    generatedAt: new Date().toISOString(),
    topology: buildTopology(project, rules.policy, await gatewayOf(project.dir, ctx.env)),
    health,
    policy: {
      declared: Boolean(project.manifest?.data.policy),
      rules: policy.ran,
      findings: policy.findings,
    },
    recommendations: recommendations(policy.findings, health, project.dir),
    summary: {
      errors: count('error') + health.summary.errors,
      warnings: count('warning') + health.summary.warnings,
      notes: count('note') + health.summary.infos,
      suppressed: policy.findings.length - unsuppressed.length,
    },
  };
}

async function runHealth(ctx: CommandContext, opts: AssessOptions): Promise<Report> {
  let text = '';
  const stdout = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  const out = new Output({ json: true, stdout, verbose: ctx.out.verbose, env: ctx.env });
  await healthCommand(
    { ...ctx, out },
    {
      format: 'json',
      ...(opts.file ? { file: opts.file } : {}),
      ...(opts.manifest ? { manifest: opts.manifest } : {}),
    },
  );
  return JSON.parse(text) as Report;
}

/**
 * Without a portico-lb.yaml, the routes drawn are those of the folder's nginx, HAProxy or Caddy
 * configuration. A configuration that cannot be read draws no routes: `portico health` (in the
 * same report) is where its problems are findings.
 */
async function gatewayOf(dir: string, env: NodeJS.ProcessEnv) {
  if (readLbRoutes(dir)) return undefined;
  try {
    return await readGateway(dir, undefined, { env });
  } catch {
    return undefined;
  }
}
