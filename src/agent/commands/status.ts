import type { CommandContext } from '../../cli/context.js';
import { ExitCode } from '../../core/exit-codes.js';
import { readAgentStates } from '../state-file.js';

/**
 * `portico status`: whether an agent runs, where, and what it watches. Exit 0 when at least one
 * agent runs, 1 when none does (a stale state file, left by a killed agent, is shown as such).
 */
export async function statusCommand(ctx: CommandContext): Promise<number> {
  const agents = readAgentStates(ctx.env);
  const running = agents.filter((a) => !a.stale);
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
      ctx.out.line(`agent pid ${a.pid} running since ${since}`);
      ctx.out.line(`  listening  ${a.url}`);
      ctx.out.line(`  project    ${a.project} (${a.dir})`);
      ctx.out.line(`  watching   ${a.files.length ? a.files.join(', ') : 'no project files'}`);
      ctx.out.line(`  catalog    ${a.store}`);
    }
  });
  return running.length > 0 ? ExitCode.Ok : ExitCode.Problems;
}
