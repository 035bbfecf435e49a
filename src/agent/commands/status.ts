import type { CommandContext } from '../../core/command-context.js';
import { ExitCode } from '../../core/exit-codes.js';
import { type FoundAgent, readAgentStates } from '../state-file.js';

interface AgentStatus extends FoundAgent {
  /** The agent answered GET /api/v1/agent with its own pid (a live pid alone could be reused). */
  answering: boolean;
  reloads?: number;
}

/**
 * `portico status`: whether an agent runs, where, and what it watches. Exit 0 when at least one
 * agent answers, 1 when none does (a state file left by a killed agent is shown as stale).
 */
export async function statusCommand(ctx: CommandContext): Promise<number> {
  const agents: AgentStatus[] = await Promise.all(readAgentStates(ctx.env).map(probe));
  const running = agents.filter((a) => a.answering);
  ctx.out.result({ running: running.length > 0, agents }, () => {
    if (agents.length === 0) {
      ctx.out.line('No agent is running. Start one with: portico agent');
      return;
    }
    for (const a of agents) {
      const since = new Date(a.startedAt).toISOString();
      if (a.stale) {
        ctx.out.line(
          `agent pid ${a.pid} (project ${a.project}) is not running any more (stale state, started ${since})`,
        );
        continue;
      }
      ctx.out.line(
        a.answering
          ? `agent pid ${a.pid} running since ${since}${a.reloads ? `, reloaded ${a.reloads} time(s)` : ''}`
          : `agent pid ${a.pid} is alive but does not answer on ${a.url}`,
      );
      ctx.out.line(`  listening  ${a.url}`);
      ctx.out.line(`  project    ${a.project} (${a.dir})`);
      ctx.out.line(`  watching   ${a.files.length ? a.files.join(', ') : 'no project files'}`);
      ctx.out.line(`  catalog    ${a.store}`);
    }
  });
  return running.length > 0 ? ExitCode.Ok : ExitCode.Problems;
}

async function probe(agent: FoundAgent): Promise<AgentStatus> {
  if (agent.stale) return { ...agent, answering: false };
  try {
    const res = await fetch(`${agent.url}/api/v1/agent`, { signal: AbortSignal.timeout(2000) });
    const body = (await res.json()) as { pid?: number; reloads?: number };
    return body.pid === agent.pid
      ? { ...agent, answering: true, ...(body.reloads !== undefined ? { reloads: body.reloads } : {}) }
      : { ...agent, answering: false };
  } catch {
    return { ...agent, answering: false };
  }
}
