import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../core/atomic-file.js';
import { stateDir } from '../core/paths.js';

/** What a running agent leaves in Portico's state directory so `portico status` can find it. */
export interface AgentState {
  pid: number;
  /** host:port it listens on. */
  listen: string;
  url: string;
  project: string;
  /** The project's folder and files, as loaded. */
  dir: string;
  files: string[];
  store: string;
  startedAt: number;
}

function folder(env: NodeJS.ProcessEnv): string {
  return join(stateDir(env), 'agents');
}

/** One file per agent process, named by pid: two agents never overwrite each other's. */
export function agentStatePath(env: NodeJS.ProcessEnv, pid: number): string {
  return join(folder(env), `${pid}.json`);
}

export function writeAgentState(env: NodeJS.ProcessEnv, state: AgentState): void {
  mkdirSync(folder(env), { recursive: true });
  writeFileAtomic(agentStatePath(env, state.pid), `${JSON.stringify(state, null, 2)}\n`, { backup: false });
}

export function removeAgentState(env: NodeJS.ProcessEnv, pid: number): void {
  rmSync(agentStatePath(env, pid), { force: true });
}

export interface FoundAgent extends AgentState {
  /** The pid is gone: the agent was killed without cleaning up. */
  stale: boolean;
}

/** Every agent state file, each marked stale when its process no longer runs. */
export function readAgentStates(env: NodeJS.ProcessEnv): FoundAgent[] {
  let names: string[];
  try {
    names = readdirSync(folder(env)).filter((n) => /^\d+\.json$/.test(n));
  } catch {
    return [];
  }
  const found: FoundAgent[] = [];
  for (const name of names) {
    try {
      const state = JSON.parse(readFileSync(join(folder(env), name), 'utf8')) as AgentState;
      found.push({ ...state, stale: !alive(state.pid) });
    } catch {
      // A file half-written by a crashing agent is not worth an error; it is not an agent.
    }
  }
  return found.sort((a, b) => a.startedAt - b.startedAt);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
