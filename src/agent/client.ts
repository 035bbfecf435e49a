import type { CommandContext } from '../core/command-context.js';
import type { CheckState, Instance } from '../core/model.js';
import type { InstanceFilter, TtlRecord } from '../store/store.js';
import { type FoundAgent, readAgentStates } from './state-file.js';

/** What GET /api/v1/catalog answers: the project's catalog exactly as the agent's store holds it. */
export interface AgentCatalog {
  pid: number;
  project: string;
  index: number;
  /** The agent serves its last-known view: the store (etcd) does not answer it. */
  stale?: boolean;
  instances: Instance[];
  states: CheckState[];
  ttl: TtlRecord[];
}

/** A CLI command waits this long for an agent before it reads the catalog itself. */
export const agentTimeoutMs = 1000;

/**
 * The running agent for `project` (the newest one when several run), from the state files. A
 * command that names a store (--store, PORTICO_STORE) only uses an agent on that same store.
 */
export function findAgent(env: NodeJS.ProcessEnv, project: string, store?: string): FoundAgent | undefined {
  return readAgentStates(env)
    .filter((a) => !a.stale && a.project === project && (store === undefined || a.store === store))
    .at(-1);
}

/**
 * The agent's catalog, or undefined when it does not answer in time, answers an error, or is not
 * the process its state file names (a reused pid or port): the caller then reads locally.
 */
export async function fetchCatalog(
  agent: FoundAgent,
  filter: InstanceFilter = {},
  timeoutMs = agentTimeoutMs,
): Promise<AgentCatalog | undefined> {
  const url = new URL('/api/v1/catalog', agent.url);
  if (filter.service) url.searchParams.set('service', filter.service);
  if (filter.source) url.searchParams.set('source', filter.source);
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    if (res.status !== 200) {
      await res.body?.cancel();
      return undefined;
    }
    const body = (await res.json()) as Partial<AgentCatalog>;
    const complete =
      body.pid === agent.pid &&
      body.project === agent.project &&
      typeof body.index === 'number' &&
      Array.isArray(body.instances) &&
      Array.isArray(body.states) &&
      Array.isArray(body.ttl);
    return complete ? (body as AgentCatalog) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * For `discovery list` and `health`: the catalog from this project's running agent (saying so
 * on stderr), or undefined when `--no-agent` was given, none runs, or it does not answer
 * within a second — then the command reads the store as it always did.
 */
export async function catalogFromAgent(
  ctx: Pick<CommandContext, 'env' | 'out'>,
  opts: { agent?: boolean | undefined; store?: string | undefined },
  project: string,
  filter: InstanceFilter = {},
): Promise<AgentCatalog | undefined> {
  if (opts.agent === false) return undefined;
  const agent = findAgent(ctx.env, project, opts.store ?? ctx.env.PORTICO_STORE);
  if (!agent) return undefined;
  const catalog = await fetchCatalog(agent, filter);
  if (catalog?.stale) {
    // Last-known state is the agent's to show (marked stale in its API); a command that reports
    // on the catalog never passes it off as current: it reads the store itself, and fails
    // with E_STORE_UNAVAILABLE when that is down too.
    ctx.out.note(
      `agent at ${agent.listen} (pid ${agent.pid}) serves last-known state (its store does not answer); reading the catalog here`,
    );
    return undefined;
  }
  if (catalog) ctx.out.note(`from agent at ${agent.listen} (pid ${agent.pid})`);
  else
    ctx.out.note(
      `agent at ${agent.listen} (pid ${agent.pid}) did not answer within ${agentTimeoutMs / 1000} s; reading the catalog here`,
    );
  return catalog;
}

/**
 * For `lb status` without --admin: the balancers this project's running agent watches
 * (`--lb-admin`), or undefined when none runs or it does not answer within a second.
 */
export async function balancersFromAgent(
  ctx: Pick<CommandContext, 'env' | 'out'>,
  project: string,
): Promise<string[] | undefined> {
  const agent = findAgent(ctx.env, project);
  if (!agent) return undefined;
  try {
    const res = await fetch(new URL('/api/v1/agent', agent.url), {
      signal: AbortSignal.timeout(agentTimeoutMs),
    });
    const body = (await res.json()) as { pid?: number; balancers?: unknown };
    if (res.status !== 200 || body.pid !== agent.pid || !Array.isArray(body.balancers)) return undefined;
    const balancers = body.balancers.filter((b): b is string => typeof b === 'string');
    if (balancers.length > 0) ctx.out.note(`balancer from agent at ${agent.listen} (pid ${agent.pid})`);
    return balancers;
  } catch {
    return undefined;
  }
}
