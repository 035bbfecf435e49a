import { dirname } from 'node:path';
import { afterFailure, fallback } from './fallback.js';
import type { GatewayConfig } from './model.js';
import { parsedByPortico } from './problems.js';
import { findBinary, runTool } from './tool.js';

/** HAProxy cannot print what it parsed: it validates (`haproxy -c`), Portico reads the routes. */
export async function readHaproxy(
  path: string,
  text: string,
  env: NodeJS.ProcessEnv,
): Promise<GatewayConfig> {
  const bin = findBinary('haproxy', env);
  if (!bin) {
    const g = fallback('haproxy', path, text, false);
    g.problems.push(
      parsedByPortico('haproxy', path, 'haproxy is not installed or not on PATH, so nothing validated it'),
    );
    return g;
  }
  // -dr: a server name that resolves only where HAProxy runs (compose) is a warning, not fatal.
  const args = ['-c', '-dr', '-f', path];
  const by = `haproxy ${args.join(' ')}`;
  const r = await runTool(bin, args, { cwd: dirname(path), env, timeoutMs: 10_000 });
  const lines = `${r.stdout}\n${r.stderr}`
    .split('\n')
    .map((l) => l.replace(/^\[(\w+)\]\s*\(\d+\)\s*:\s*/, '[$1] ').trim())
    .filter((l) => l && !l.startsWith('[NOTICE]') && !/^Configuration file is valid/.test(l));
  if (r.code !== 0 || r.timedOut)
    return afterFailure('haproxy', path, text, {
      timedOut: r.timedOut,
      syntaxOk: false,
      message:
        lines.filter((l) => l.startsWith('[ALERT]')).join('\n') ||
        lines.join('\n') ||
        `haproxy exited with ${r.code}`,
      by,
    });
  const g = fallback('haproxy', path, text, false);
  g.reader = {
    tool: 'haproxy -c',
    parsedByPortico: true,
    notes: [
      `validated by ${by}; routes read by Portico's parser (HAProxy cannot print its parsed configuration)`,
      ...lines.filter((l) => l.startsWith('[WARNING]')),
    ],
  };
  return g;
}
