import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { caddyRoutesFromJson } from './caddy.js';
import { afterFailure, fallback } from './fallback.js';
import type { GatewayConfig } from './model.js';
import { parsedByPortico } from './problems.js';
import { findBinary, runTool } from './tool.js';

/** Caddy's log lines are JSON; its final error is "Error: …". Keep what a person should read. */
function caddyMessage(stderr: string): string {
  return stderr
    .split('\n')
    .flatMap((l) => {
      if (!l.trim()) return [];
      try {
        const j = JSON.parse(l) as { level?: string; msg?: string; error?: string };
        return j.level === 'error' || j.level === 'fatal'
          ? [`${j.msg ?? ''}${j.error ? `: ${j.error}` : ''}`]
          : [];
      } catch {
        return [l.trim()];
      }
    })
    .join('\n');
}

/** A Caddyfile read by `caddy adapt` (its JSON walked), else by Portico's parser with a note. */
export async function readCaddy(path: string, text: string, env: NodeJS.ProcessEnv): Promise<GatewayConfig> {
  const bin = findBinary('caddy', env);
  if (!bin) {
    const g = fallback('caddy', path, text, false);
    g.problems.push(parsedByPortico('caddy', path, 'caddy is not installed or not on PATH'));
    return g;
  }
  // caddy adapt writes nothing, but Caddy resolves its data and config folders from HOME/XDG.
  const home = mkdtempSync(join(tmpdir(), 'portico-caddy-'));
  try {
    const args = ['adapt', '--config', path, '--adapter', 'caddyfile'];
    const by = `caddy ${args.join(' ')}`;
    const r = await runTool(bin, args, {
      cwd: dirname(path),
      env: { ...env, HOME: home, XDG_DATA_HOME: home, XDG_CONFIG_HOME: home },
      timeoutMs: 10_000,
    });
    if (r.code !== 0 || r.timedOut)
      return afterFailure('caddy', path, text, {
        timedOut: r.timedOut,
        syntaxOk: false,
        message: caddyMessage(r.stderr) || `caddy exited with ${r.code}`,
        by,
      });
    let json: unknown;
    try {
      json = JSON.parse(r.stdout);
    } catch {
      return afterFailure('caddy', path, text, { timedOut: true, syntaxOk: false, message: '', by });
    }
    const warnings = caddyMessage(r.stderr);
    return {
      kind: 'caddy',
      file: path,
      routes: caddyRoutesFromJson(json),
      reader: {
        tool: 'caddy adapt',
        parsedByPortico: false,
        notes: [`read by ${by}`, ...(warnings ? [warnings] : [])],
      },
      files: [path],
      problems: [],
    };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
