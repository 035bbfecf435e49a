import { formatHostPort, parseHostPort } from '../../core/address.js';
import type { CommandContext } from '../../core/command-context.js';
import { ExitCode } from '../../core/exit-codes.js';
import { selectorFor } from '../../project/index.js';
import { accessPolicy } from '../access.js';
import { Agent } from '../agent.js';
import { removeAgentState, writeAgentState } from '../state-file.js';

export interface AgentCommandOptions {
  listen?: string;
  store?: string;
  source?: string[];
  discover?: boolean;
  file?: string[];
  manifest?: string;
  tokenEnv?: string;
  tokenFile?: string;
  requireToken?: boolean;
  lbAdmin?: string[];
  node?: string;
  onLeader?: string;
}

export const defaultListen = '127.0.0.1:7780';

/**
 * `portico agent`: run in the foreground until SIGINT/SIGTERM (exit 0); SIGHUP reloads the
 * project's files. Everything that can be refused (listen address, token) is refused before
 * anything starts.
 */
export async function agentCommand(ctx: CommandContext, opts: AgentCommandOptions): Promise<number> {
  const listen = parseHostPort(opts.listen ?? defaultListen, '127.0.0.1', true);
  const access = accessPolicy({
    host: listen.host,
    tokenEnv: opts.tokenEnv,
    tokenFile: opts.tokenFile,
    requireToken: opts.requireToken,
    env: ctx.env,
    cwd: ctx.cwd,
  });
  const agent = await Agent.start({
    listen,
    access,
    selector: selectorFor(ctx, opts),
    store: opts.store,
    sources: opts.source,
    balancers: (opts.lbAdmin ?? []).map((a) => {
      const { host, port } = parseHostPort(a, '127.0.0.1');
      return formatHostPort(host, port);
    }),
    node: opts.node,
    ...(opts.onLeader !== undefined
      ? { onLeader: (await import('../../cluster/leader-command.js')).splitArgs(opts.onLeader) }
      : {}),
    discover: opts.discover !== false,
    env: ctx.env,
    warn: (m) => ctx.out.warn(m),
    note: (m) => ctx.out.note(m),
    ...(ctx.out.json ? { onTransition: (e) => ctx.out.writeStdout(`${JSON.stringify(e)}\n`) } : {}),
  });
  const url = `http://${agent.address}`;
  const recordState = (): void =>
    writeAgentState(ctx.env, {
      pid: process.pid,
      listen: agent.address,
      url,
      project: agent.project,
      dir: agent.loaded?.dir ?? ctx.cwd,
      files: agent.loaded?.files ?? [],
      store: opts.store ?? ctx.env.PORTICO_STORE ?? 'catalog.db in the state directory',
      startedAt: agent.startedAt,
    });
  recordState();
  if (access.exposed)
    ctx.out.warn(`listening on ${agent.address}, beyond loopback: every write needs the token`);
  const onHup = (): void => {
    agent
      .reload()
      .then(() => {
        recordState();
        ctx.out.note(`reloaded project ${agent.project} (${agent.loaded?.files.length ?? 0} file(s))`);
      })
      .catch((e) =>
        ctx.out.warn(`reload failed, still running the previous project: ${(e as Error).message}`),
      );
  };
  process.on('SIGHUP', onHup);
  const line = `portico agent: project ${agent.project} on ${url} (dashboard ${url}/, API ${url}/api/v1/, Consul ${url}/v1/, metrics ${url}/metrics); Ctrl-C to stop`;
  if (ctx.out.json) ctx.out.writeStderr(`${line}\n`);
  else ctx.out.line(line);
  for (const b of agent.balancers.list()) {
    const where = [b.http ? `http://${b.http}` : '', b.admin ? `admin http://${b.admin}` : '']
      .filter(Boolean)
      .join(', ');
    const text = `  balancer ${b.name}: ${where || 'no HTTP listener'} (${b.config})`;
    if (ctx.out.json) ctx.out.writeStderr(`${text}\n`);
    else ctx.out.line(text);
  }
  try {
    await new Promise<void>((resolve) => {
      if (ctx.signal.aborted) resolve();
      ctx.signal.addEventListener('abort', () => resolve(), { once: true });
    });
  } finally {
    process.off('SIGHUP', onHup);
    await agent.stop();
    removeAgentState(ctx.env, process.pid);
  }
  const bye = `portico agent stopped (project ${agent.project})`;
  if (ctx.out.json) ctx.out.writeStderr(`${bye}\n`);
  else ctx.out.line(bye);
  return ExitCode.Ok;
}
