import { accessSync, constants, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { Directive } from './nginx-parse.js';
import { runTool } from './tool.js';

/** Directives whose argument is a file nginx creates (or opens for appending) during `-t`. */
const fileDirectives = new Set(['pid', 'lock_file', 'error_log', 'access_log']);

/** `nginx -V`: the compiled-in paths (pid, logs, temp folders) a configuration may not override. */
export async function nginxCompiledPaths(bin: string, env: NodeJS.ProcessEnv): Promise<string[]> {
  const r = await runTool(bin, ['-V'], { cwd: '/', env, timeoutMs: 5000 });
  return [...`${r.stdout}\n${r.stderr}`.matchAll(/--(?:[a-z-]+)-path=(\S+)/g)]
    .filter((m) => !/^--(conf|modules|sbin)-path/.test(m[0]))
    .map((m) => m[1]!);
}

/**
 * The existing folders `nginx -T` may create files or folders in: the parents of log, pid and
 * lock files and of temp/cache folders, from the configuration and the compiled defaults. Paths
 * relative to the prefix (our temporary folder) and paths built from variables are left out.
 */
export function nginxWriteDirs(directives: Directive[], compiled: string[], prefix: string): string[] {
  const paths: string[] = [...compiled];
  const walk = (list: Directive[]) => {
    for (const d of list) {
      const arg = d.args[0];
      if (arg && (fileDirectives.has(d.name) || /_(temp|cache)_path$/.test(d.name))) paths.push(arg);
      if (d.block) walk(d.block);
    }
  };
  walk(directives);
  const dirs = paths
    .filter((p) => p !== 'off' && p !== 'stderr' && !/^(syslog|memory):/.test(p) && !p.includes('$'))
    .map((p) => dirname(isAbsolute(p) ? p : resolve(prefix, p)))
    .filter((d) => !d.startsWith(prefix) && !/[,:\\]/.test(d));
  const root = process.getuid?.() === 0;
  return [...new Set(dirs)]
    .filter((d) => {
      try {
        // Without root, nginx can only write where this user may: only those need an overlay.
        if (!root) accessSync(d, constants.W_OK);
        return statSync(d).isDirectory();
      } catch {
        return false; // nginx fails on a missing (or, without root, closed) folder, as it would for real
      }
    })
    .sort();
}

/**
 * When Portico's parser cannot read the configuration (nginx will most likely reject it too,
 * before writing anything), the write directives are still picked out of the raw text, so a
 * file nginx parses after all cannot make it write outside the overlays.
 */
export function nginxWriteDirectivesFromText(text: string, file: string): Directive[] {
  const re =
    /(?:^|[\s;{}])(pid|lock_file|error_log|access_log|\w+_temp_path|\w+_cache_path)\s+("[^"]*"|'[^']*'|[^\s;{}]+)/g;
  return [...text.matchAll(re)].map((m) => ({
    name: m[1]!,
    args: [m[2]!.replace(/^["']|["']$/g, '')],
    file,
    line: text.slice(0, m.index).split('\n').length,
  }));
}

/**
 * A shell script for `unshare --mount`: a tmpfs in our temporary folder, then an overlay on each
 * folder nginx may write to, so whatever `nginx -T` creates lands in the tmpfs and disappears
 * with the namespace. Arguments: TMP DIR… -- COMMAND….
 */
export const overlayScript = `set -e
tmp=$1; shift
mount -t tmpfs -o size=16m,mode=700 portico "$tmp/overlay"
i=0
while [ "$1" != "--" ]; do
  i=$((i + 1))
  mkdir "$tmp/overlay/u$i" "$tmp/overlay/w$i"
  mount -t overlay overlay -o "lowerdir=$1,upperdir=$tmp/overlay/u$i,workdir=$tmp/overlay/w$i" "$1"
  shift
done
shift
exec "$@"
`;
