import { spawn } from 'node:child_process';
import type { CommandCheck } from '../../core/model.js';
import { critical, type Probe, type ProbeContext, type ProbeOutcome, passing, warning } from '../probe.js';
import { mayRunCommand } from '../trust.js';

const maxOutput = 4096;

/**
 * Run a local command (argv, no shell) or `docker exec` it in a container. Exit 0 → passing,
 * 1 → warning, anything else → critical, as Consul and Nagios do. Only portico.yaml and the
 * CLI may define one (and a compose healthcheck, inside its container). Parsing already rejects
 * commands from labels; this guard refuses any that reach a catalog by another path.
 */
export const commandProbe: Probe<CommandCheck> = {
  kind: 'command',
  async run(check, _target, ctx) {
    if (!mayRunCommand(check))
      return critical(
        `refused to run a command check from ${check.origin ?? 'an unknown origin'}: only portico.yaml and the command line define commands`,
        'untrusted',
      );
    if (check.argv.length === 0) return critical('empty command', 'config');
    const r = check.container ? await dockerExec(check, ctx) : await runLocal(check.argv, ctx);
    const outcome = judge(r.exitCode, r.output, r.timedOut, ctx.timeoutMs);
    return r.reason ? { ...outcome, reason: r.reason } : outcome;
  },
};

interface CommandRun {
  exitCode: number | null;
  output: string;
  timedOut: boolean;
  /** Set when the command never reached its container: the Docker engine did not answer. */
  reason?: 'engine_unreachable';
}

function judge(exitCode: number | null, output: string, timedOut: boolean, timeoutMs: number): ProbeOutcome {
  const text = output.trim() || '(no output)';
  if (timedOut) return critical(`timed out after ${timeoutMs}ms and was killed: ${text}`, 'timeout');
  if (exitCode === 0) return passing(text);
  if (exitCode === 1) return warning(text, 'exit_1');
  return critical(`exit ${exitCode ?? 'signal'}: ${text}`, 'exit_failure');
}

async function runLocal(argv: string[], ctx: ProbeContext): Promise<CommandRun> {
  return await new Promise((resolve) => {
    // detached: the command gets its own process group, so a timeout kills its children too.
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    let timedOut = false;
    const collect = (chunk: Buffer): void => {
      if (output.length < maxOutput) output += chunk.toString('utf8');
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const kill = (): void => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {}
    };
    ctx.signal.addEventListener('abort', kill, { once: true });
    child.once('error', (error) => {
      ctx.signal.removeEventListener('abort', kill);
      resolve({ exitCode: 127, output: `cannot run ${argv[0]}: ${error.message}`, timedOut: false });
    });
    child.once('close', (code) => {
      ctx.signal.removeEventListener('abort', kill);
      resolve({ exitCode: code, output, timedOut });
    });
  });
}

async function dockerExec(check: CommandCheck, ctx: ProbeContext): Promise<CommandRun> {
  const { createDockerClient } = await import('../../docker/client.js');
  const docker = createDockerClient({ env: ctx.env, timeoutMs: ctx.timeoutMs });
  try {
    const exec = await docker
      .getContainer(check.container!)
      .exec({ Cmd: check.argv, AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({ hijack: true, stdin: false });
    let output = '';
    const sink = {
      write: (chunk: Buffer): boolean => {
        if (output.length < maxOutput) output += chunk.toString('utf8');
        return true;
      },
    };
    docker.modem.demuxStream(stream, sink as never, sink as never);
    const finished = new Promise<void>((resolve) => {
      stream.once('end', resolve);
      stream.once('close', resolve);
    });
    const aborted = new Promise<'timeout'>((resolve) =>
      ctx.signal.addEventListener('abort', () => resolve('timeout'), { once: true }),
    );
    if ((await Promise.race([finished, aborted])) === 'timeout') {
      stream.destroy();
      return { exitCode: null, output, timedOut: true };
    }
    const info = await exec.inspect();
    return { exitCode: info.ExitCode ?? null, output, timedOut: false };
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    const unreachable =
      ['ENOENT', 'ECONNREFUSED', 'EACCES'].includes(code) || code === 'E_DOCKER_UNAVAILABLE';
    return {
      exitCode: 127,
      output: `docker exec in ${check.container} failed: ${(error as Error).message}`,
      timedOut: false,
      ...(unreachable ? { reason: 'engine_unreachable' as const } : {}),
    };
  }
}
