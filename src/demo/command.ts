import type { CommandContext } from '../core/command-context.js';
import { ExitCode } from '../core/exit-codes.js';
import { demoProject, plantedFaults, startDemoStack } from './stack.js';

export interface DemoOptions {
  once?: boolean;
}

/**
 * `portico demo`: Portico's main job on a fresh machine. Starts the sample stack on loopback,
 * registers it in the catalog (project portico-demo) and either prints the health report and
 * tears everything down (`--once`: exit 1, because of the planted faults), or keeps it running
 * with commands to try until Ctrl-C.
 */
export async function demoCommand(ctx: CommandContext, opts: DemoOptions): Promise<number> {
  const progress = (await import('../core/progress.js')).startProgress(ctx.out, 'starting the demo stack…');
  let stack: Awaited<ReturnType<typeof startDemoStack>>;
  try {
    stack = await startDemoStack(ctx.env);
  } finally {
    progress.done();
  }
  const here = { ...ctx, cwd: stack.dir, project: { name: demoProject } };
  try {
    await register(here);
    if (opts.once) {
      ctx.out.note(`demo stack up in ${stack.dir}; planted: ${plantedFaults.join('; ')}`);
      const { healthCommand } = await import('../diagnose/health.js');
      // Warnings count: the planted faults are warnings (a slow instance, an expiring certificate).
      return await healthCommand(here, { failOn: 'warning' });
    }
    const agent = await startAgent(here, stack.ports);
    try {
      printTryThis(ctx, stack.dir, stack.ports);
      await new Promise<void>((resolve) => {
        if (ctx.signal.aborted) resolve();
        else ctx.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      ctx.out.note('stopping the demo stack…');
    } finally {
      await agent.stop();
    }
    return ExitCode.Ok;
  } finally {
    await unregister(here).catch(() => undefined);
    await stack.stop();
  }
}

/** The agent for the demo project, in this process: live catalog, API, `portico status` finds it. */
async function startAgent(
  ctx: CommandContext,
  ports: Record<string, number>,
): Promise<{ stop(): Promise<void> }> {
  const { Agent } = await import('../agent/agent.js');
  const { accessPolicy } = await import('../agent/access.js');
  const { removeAgentState, writeAgentState } = await import('../agent/state-file.js');
  const { selectorFor } = await import('../project/index.js');
  const agent = await Agent.start({
    listen: { host: '127.0.0.1', port: ports.agent! },
    // The dashboard's balancer view shows the demo gateway (Portico's balancer).
    balancers: [`127.0.0.1:${ports['gateway-admin']}`],
    access: accessPolicy({ host: '127.0.0.1', env: ctx.env, cwd: ctx.cwd }),
    selector: selectorFor(ctx),
    sources: ['manifest'],
    discover: true,
    env: ctx.env,
    warn: (m) => ctx.out.warn(m),
  });
  writeAgentState(ctx.env, {
    pid: process.pid,
    listen: agent.address,
    url: `http://${agent.address}`,
    project: agent.project,
    dir: ctx.cwd,
    files: agent.loaded?.files ?? [],
    store: ctx.env.PORTICO_STORE ?? 'catalog.db in the state directory',
    startedAt: agent.startedAt,
  });
  return {
    stop: async () => {
      await agent.stop();
      removeAgentState(ctx.env, process.pid);
    },
  };
}

/** Put the demo's services in the catalog, as `discovery discover --register` would. */
async function register(ctx: CommandContext): Promise<void> {
  const { openProjectStore } = await import('../discovery/commands/project-store.js');
  const { discoverAll } = await import('../discovery/commands/discover.js');
  const { store, project } = await openProjectStore(ctx, {});
  try {
    const { bySource } = await discoverAll(ctx, { source: ['manifest'] }, project);
    await store.syncSource('manifest', bySource.get('manifest') ?? []);
  } finally {
    await store.close();
  }
}

async function unregister(ctx: CommandContext): Promise<void> {
  const { openProjectStore } = await import('../discovery/commands/project-store.js');
  const { store } = await openProjectStore(ctx, {});
  try {
    await store.syncSource('manifest', []);
  } finally {
    await store.close();
  }
}

function printTryThis(ctx: CommandContext, dir: string, ports: Record<string, number>): void {
  const { c } = ctx.out;
  const doc = {
    project: demoProject,
    dir,
    ports,
    dashboard: `http://127.0.0.1:${ports.agent}/`,
    plantedFaults,
  };
  ctx.out.result(doc, () => {
    ctx.out.line(c.bold(`Portico demo — project ${demoProject} on loopback (Ctrl-C stops and removes it)`));
    ctx.out.line(`  gateway       http://127.0.0.1:${ports.gateway}/orders/  /auth/   (Portico's balancer)`);
    ctx.out.line(`  auth-service  http://127.0.0.1:${ports['auth-service']}/health`);
    ctx.out.line(
      `  orders        127.0.0.1:${ports['orders-1']}, 127.0.0.1:${ports['orders-2']} (the slow one)`,
    );
    ctx.out.line(`  payments      https://127.0.0.1:${ports.payments}/ (certificate expires in 5 days)`);
    ctx.out.line(
      `  agent         http://127.0.0.1:${ports.agent}/api/v1/services  (Consul API /v1/, Prometheus /metrics)`,
    );
    ctx.out.line('');
    ctx.out.line(
      `Dashboard: ${c.bold(`http://127.0.0.1:${ports.agent}/`)}  (live; keys 1-5 switch views, t the theme)`,
    );
    ctx.out.line('');
    ctx.out.line('Try, in another terminal:');
    for (const cmd of [
      'portico status',
      `portico health -C ${dir}`,
      `portico discovery list --project ${demoProject}`,
      `portico troubleshoot connectivity orders -C ${dir}`,
      `portico lb status --admin 127.0.0.1:${ports['gateway-admin']}`,
      `curl -s http://127.0.0.1:${ports.agent}/v1/health/service/orders`,
    ])
      ctx.out.line(`  ${c.cyan(cmd)}`);
  });
}
