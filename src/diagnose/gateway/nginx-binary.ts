import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Directive } from './nginx-parse.js';
import { nginxCompiledPaths, nginxWriteDirs, overlayScript } from './nginx-sandbox.js';
import { findBinary, runTool } from './tool.js';

export type NginxDump =
  | { ok: true; files: Map<string, string>; command: string }
  | { ok: false; syntaxOk: boolean; timedOut: boolean; message: string; command: string }
  /** nginx -T was not run, because it could not be kept from writing outside a temp folder. */
  | { ok: false; notRun: string; command: string };

/** `nginx -T` output → file path → text, in the order nginx read them. */
export function splitNginxDump(stdout: string): Map<string, string> {
  const files = new Map<string, string>();
  const header = /^# configuration file (.+):$/gm;
  const heads = [...stdout.matchAll(header)];
  for (const [n, h] of heads.entries()) {
    const start = h.index! + h[0].length + 1;
    const end = n + 1 < heads.length ? heads[n + 1]!.index! : stdout.length;
    // nginx adds one line feed after each file's text.
    // nginx prints paths as it built them (prefix + include, "conf/../x.conf"): normalise.
    files.set(resolve(h[1]!), stdout.slice(start, end).replace(/\n$/, ''));
  }
  return files;
}

/**
 * Let nginx read the configuration: `nginx -T` checks it and prints every file it read, includes
 * expanded by nginx itself. Its test also creates the pid file, log files and temp folders the
 * configuration names: the prefix, startup error log and (unless the file sets one) the pid go
 * to a temporary folder, and every other folder it may write to gets an overlay in a private
 * mount namespace (`unshare`), so nothing it creates outlives the run. `directives` is Portico's
 * own parse of the same files, used only to know those folders.
 */
export async function nginxDump(
  bin: string,
  file: string,
  env: NodeJS.ProcessEnv,
  directives: Directive[],
): Promise<NginxDump> {
  const tmp = mkdtempSync(join(tmpdir(), 'portico-nginx-'));
  const command = `nginx -T -c ${file}`;
  try {
    mkdirSync(join(tmp, 'logs'));
    mkdirSync(join(tmp, 'overlay'));
    const args = ['-T', '-c', file, '-p', `${tmp}/`, '-e', join(tmp, 'logs', 'error.log')];
    if (!directives.some((d) => d.name === 'pid')) args.push('-g', `pid ${join(tmp, 'nginx.pid')};`);
    const dirs = nginxWriteDirs(directives, await nginxCompiledPaths(bin, env), tmp);
    let run = { bin, args };
    if (dirs.length > 0) {
      const unshare = findBinary('unshare', env);
      if (!unshare)
        return {
          ok: false,
          command,
          notRun: `unshare is not installed, so nginx could not be kept from writing to ${dirs.join(', ')}`,
        };
      // Without root, a user namespace gives the right to mount (where the kernel allows it).
      const userns = process.getuid?.() === 0 ? [] : ['--user', '--map-root-user'];
      run = {
        bin: unshare,
        args: [
          ...userns,
          '--mount',
          '--propagation',
          'private',
          'sh',
          '-c',
          overlayScript,
          'sh',
          tmp,
          ...dirs,
          '--',
          bin,
          ...args,
        ],
      };
    }
    const r = await runTool(run.bin, run.args, { cwd: tmp, env, timeoutMs: 10_000 });
    if (r.code === 0 && !r.timedOut) return { ok: true, files: splitNginxDump(r.stdout), command };
    if (!r.timedOut && !/^nginx: /m.test(r.stderr) && run.bin !== bin)
      return {
        ok: false,
        command,
        notRun: `its writes could not be isolated (${r.stderr.trim().split('\n')[0] ?? `exit ${r.code}`})`,
      };
    const lines = r.stderr
      .split('\n')
      .map((l) => l.replace(/^nginx: /, '').trim())
      .filter((l) => l && !/test failed$/.test(l));
    return {
      ok: false,
      // A host name that resolves only where the gateway runs (a compose service name) stops
      // nginx here just as a missing log folder does: the machine, not the configuration.
      syntaxOk: /syntax is ok|host not found in upstream/.test(r.stderr),
      timedOut: r.timedOut,
      message: r.timedOut
        ? 'nginx -T did not finish within 10 s'
        : lines.filter((l) => !/syntax is ok/.test(l)).join('\n') ||
          (r.signal ? `nginx was killed by ${r.signal}` : `nginx exited with ${r.code}`),
      command,
    };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
