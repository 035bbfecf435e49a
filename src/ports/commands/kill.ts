import { constants } from 'node:os';
import { createInterface } from 'node:readline/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { parsePort } from '../../core/address.js';
import type { CommandContext } from '../../core/command-context.js';
import { PorticoError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import type { Listener } from '../listener.js';
import { listListeners } from '../listeners.js';

export interface KillOptions {
  yes?: boolean;
  signal?: string;
  dryRun?: boolean;
}

interface Action {
  kind: 'process' | 'container';
  target: string;
  description: string;
  run: () => Promise<void>;
}

/**
 * `portico ports kill <port>`: stop whatever holds the port. A published port is freed by
 * stopping its container (killing docker-proxy would only break the forwarding).
 */
export async function killCommand(ctx: CommandContext, opts: KillOptions, portArg: string): Promise<number> {
  const port = parsePort(portArg);
  const signal = parseSignal(opts.signal ?? 'SIGTERM');
  const holders = (await listListeners({ env: ctx.env })).filter((l) => l.port === port);
  if (holders.length === 0) {
    ctx.out.result({ port, actions: [], freed: true }, () => ctx.out.line(`Nothing holds port ${port}.`));
    return ExitCode.Ok;
  }
  const actions = planActions(ctx, holders, signal);
  const plan = actions.map((a) => ({ kind: a.kind, target: a.target, description: a.description }));
  if (opts.dryRun) {
    ctx.out.result({ port, dryRun: true, actions: plan }, () => {
      for (const a of actions) ctx.out.line(`would ${a.description}`);
    });
    return ExitCode.Ok;
  }
  if (!opts.yes) await confirm(ctx, port, actions);
  for (const a of actions) {
    try {
      await a.run();
    } catch (error) {
      throw new PorticoError(
        'E_PORTS_KILL_FAILED',
        `could not ${a.description}: ${(error as Error).message}`,
        {
          hint:
            (error as NodeJS.ErrnoException).code === 'EPERM'
              ? 'Run as the owning user or root.'
              : 'Try --signal SIGKILL.',
          cause: error,
        },
      );
    }
  }
  const freed = await waitUntilFree(ctx.env, port, 5000);
  ctx.out.result({ port, actions: plan, freed }, () => {
    for (const a of actions) ctx.out.line(`${ctx.out.c.green('✓')} ${a.description}`);
    ctx.out.line(freed ? `port ${port} is free` : `port ${port} is still held after 5s`);
  });
  if (!freed) {
    throw new PorticoError('E_PORTS_KILL_FAILED', `port ${port} is still held after the ${signal}`, {
      hint: 'Try --signal SIGKILL.',
    });
  }
  return ExitCode.Ok;
}

function planActions(ctx: CommandContext, holders: Listener[], signal: NodeJS.Signals): Action[] {
  const actions: Action[] = [];
  const seen = new Set<string>();
  for (const l of holders) {
    if (l.container) {
      const c = l.container;
      if (seen.has(c.id)) continue;
      seen.add(c.id);
      actions.push({
        kind: 'container',
        target: c.id,
        description: `stop container ${c.name} (${c.image})`,
        run: async () => {
          const { createDockerClient } = await import('../../docker/client.js');
          await createDockerClient({ env: ctx.env, timeoutMs: 30_000 }).getContainer(c.id).stop();
        },
      });
      continue;
    }
    if (l.processes.length === 0) {
      throw new PorticoError(
        'E_PORTS_KILL_REFUSED',
        `the owner of port ${l.port} is not visible to this user`,
        {
          hint: 'Run as root (sudo portico ports kill …).',
        },
      );
    }
    for (const p of l.processes) {
      if (seen.has(`pid:${p.pid}`)) continue;
      seen.add(`pid:${p.pid}`);
      if (p.pid === 1 || p.pid === process.pid || p.pid === process.ppid) {
        throw new PorticoError(
          'E_PORTS_KILL_REFUSED',
          `refusing to signal pid ${p.pid} (${p.name}): it is protected`,
          {
            hint: 'pid 1, Portico itself and its parent shell are never signalled.',
          },
        );
      }
      actions.push({
        kind: 'process',
        target: String(p.pid),
        description: `send ${signal} to pid ${p.pid} (${p.commandLine || p.name})`,
        run: async () => {
          process.kill(p.pid, signal);
        },
      });
    }
  }
  return actions;
}

async function confirm(ctx: CommandContext, port: number, actions: Action[]): Promise<void> {
  const interactive = Boolean(process.stdin.isTTY) && ctx.out.interactive;
  if (!interactive) {
    throw new PorticoError(
      'E_PORTS_KILL_REFUSED',
      `not confirmed: ${actions.map((a) => a.description).join('; ')}`,
      {
        hint: 'Pass --yes to confirm without a terminal, or --dry-run to only show what would happen.',
      },
    );
  }
  for (const a of actions) ctx.out.line(`will ${a.description}`);
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const answer = await rl.question(`Free port ${port}? [y/N] `);
  rl.close();
  if (!/^y(es)?$/i.test(answer.trim())) {
    throw new PorticoError('E_PORTS_KILL_REFUSED', 'not confirmed', { hint: 'Nothing was signalled.' });
  }
}

export function parseSignal(value: string): NodeJS.Signals {
  const name = (
    value.toUpperCase().startsWith('SIG') ? value.toUpperCase() : `SIG${value.toUpperCase()}`
  ) as NodeJS.Signals;
  if (!(name in constants.signals)) {
    throw new PorticoError('E_USAGE', `unknown signal "${value}"`, {
      hint: 'Examples: SIGTERM, SIGINT, SIGKILL, HUP.',
    });
  }
  return name;
}

async function waitUntilFree(env: NodeJS.ProcessEnv, port: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const held = (await listListeners({ env })).some((l) => l.port === port);
    if (!held) return true;
    await sleep(100);
  }
  return false;
}
