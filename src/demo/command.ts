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
    printTryThis(ctx, stack.dir, stack.ports);
    await new Promise<void>((resolve) => {
      if (ctx.signal.aborted) resolve();
      else ctx.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    ctx.out.note('stopping the demo stack…');
    return ExitCode.Ok;
  } finally {
    await unregister(here).catch(() => undefined);
    await stack.stop();
  }
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
  const doc = { project: demoProject, dir, ports, plantedFaults };
  ctx.out.result(doc, () => {
    ctx.out.line(c.bold(`Portico demo — project ${demoProject} on loopback (Ctrl-C stops and removes it)`));
    ctx.out.line(`  gateway       http://127.0.0.1:${ports.gateway}/orders/  /auth/   (Portico's balancer)`);
    ctx.out.line(`  auth-service  http://127.0.0.1:${ports['auth-service']}/health`);
    ctx.out.line(
      `  orders        127.0.0.1:${ports['orders-1']}, 127.0.0.1:${ports['orders-2']} (the slow one)`,
    );
    ctx.out.line(`  payments      https://127.0.0.1:${ports.payments}/ (certificate expires in 5 days)`);
    ctx.out.line('');
    ctx.out.line('Try, in another terminal:');
    for (const cmd of [
      `portico health -C ${dir}`,
      `portico discovery list --project ${demoProject}`,
      `portico troubleshoot connectivity orders -C ${dir}`,
      `portico lb status --admin 127.0.0.1:${ports['gateway-admin']}`,
      `portico lb test orders --admin 127.0.0.1:${ports['gateway-admin']} -n 200`,
    ])
      ctx.out.line(`  ${c.cyan(cmd)}`);
  });
}
