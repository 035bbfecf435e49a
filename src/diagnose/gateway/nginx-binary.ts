import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileSystemSource } from './conf-source.js';
import { parseNginxConf } from './nginx-parse.js';
import { runTool } from './tool.js';

export type NginxDump =
  | { ok: true; files: Map<string, string>; command: string }
  | { ok: false; syntaxOk: boolean; timedOut: boolean; message: string; command: string };

/** `nginx -T` output → file path → text, in the order nginx read them. */
export function splitNginxDump(stdout: string): Map<string, string> {
  const files = new Map<string, string>();
  const header = /^# configuration file (.+):$/gm;
  const heads = [...stdout.matchAll(header)];
  for (const [n, h] of heads.entries()) {
    const start = h.index! + h[0].length + 1;
    const end = n + 1 < heads.length ? heads[n + 1]!.index! : stdout.length;
    // nginx adds one line feed after each file's text.
    files.set(h[1]!, stdout.slice(start, end).replace(/\n$/, ''));
  }
  return files;
}

/** Whether the main context of a configuration sets `pid` itself (then `-g pid` would clash). */
function setsPid(file: string): boolean {
  try {
    return parseNginxConf(file, fileSystemSource).directives.some((d) => d.name === 'pid');
  } catch {
    return false;
  }
}

/**
 * Let nginx read the configuration: `nginx -T` checks it and prints every file it read, includes
 * expanded by nginx itself. The prefix, the startup error log and (unless the file sets one) the
 * pid file point into a temporary folder, so no root is needed for them and the defaults are
 * not created in system folders; the temp folder is removed afterwards.
 */
export async function nginxDump(bin: string, file: string, env: NodeJS.ProcessEnv): Promise<NginxDump> {
  const tmp = mkdtempSync(join(tmpdir(), 'portico-nginx-'));
  try {
    mkdirSync(join(tmp, 'logs'));
    const args = ['-T', '-c', file, '-p', `${tmp}/`, '-e', join(tmp, 'logs', 'error.log')];
    if (!setsPid(file)) args.push('-g', `pid ${join(tmp, 'nginx.pid')};`);
    // What a user would type; the temporary prefix, error log and pid are only ours.
    const command = `nginx -T -c ${file}`;
    const r = await runTool(bin, args, { cwd: tmp, env, timeoutMs: 10_000 });
    if (r.code === 0 && !r.timedOut) return { ok: true, files: splitNginxDump(r.stdout), command };
    const lines = r.stderr
      .split('\n')
      .map((l) => l.replace(/^nginx: /, '').trim())
      .filter((l) => l && !/test failed$/.test(l));
    return {
      ok: false,
      syntaxOk: /syntax is ok/.test(r.stderr),
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
