import { dumpSource, fileSystemSource } from './conf-source.js';
import { afterFailure, empty, fallback } from './fallback.js';
import type { GatewayConfig } from './model.js';
import { nginxRoutesFrom } from './nginx.js';
import { nginxDump } from './nginx-binary.js';
import { ConfSyntaxError, type Directive, parseNginxConf } from './nginx-parse.js';
import { nginxWriteDirectivesFromText } from './nginx-sandbox.js';
import { configInvalid, parsedByPortico } from './problems.js';
import { findBinary } from './tool.js';

/** nginx.conf read by `nginx -T` (isolated), else by Portico's parser with a note. */
export async function readNginx(path: string, text: string, env: NodeJS.ProcessEnv): Promise<GatewayConfig> {
  const bin = findBinary('nginx', env);
  if (!bin) {
    const g = fallback('nginx', path, text, false);
    g.problems.push(parsedByPortico('nginx', path, 'nginx is not installed or not on PATH'));
    return g;
  }
  // Portico's parse first: nginx follows an include cycle until it crashes (SIGSEGV), so a cycle
  // is refused before running nginx; the parse also names the folders nginx -T may write to.
  let own: Directive[] = [];
  try {
    own = parseNginxConf(path, fileSystemSource).directives;
  } catch (error) {
    own = nginxWriteDirectivesFromText(text, path);
    if (error instanceof ConfSyntaxError && /include cycle/.test(error.message))
      return {
        ...empty('nginx', path, [configInvalid('nginx', path, error.message, "Portico's parser")]),
        reader: { parsedByPortico: true, notes: ['nginx -T was not run: nginx crashes on an include cycle'] },
      };
  }
  const dump = await nginxDump(bin, path, env, own);
  if (!dump.ok && 'notRun' in dump) {
    const g = fallback('nginx', path, text, false);
    g.problems.push(parsedByPortico('nginx', path, `nginx -T was not run: ${dump.notRun}`));
    return g;
  }
  if (!dump.ok) return afterFailure('nginx', path, text, { ...dump, by: dump.command });
  let parsed: ReturnType<typeof parseNginxConf>;
  try {
    parsed = parseNginxConf(path, dumpSource(dump.files, 'nginx -T'));
  } catch (error) {
    // nginx accepted it but Portico cannot follow its text: say so, and read the files directly.
    const g = fallback('nginx', path, text, false);
    g.problems.push(
      parsedByPortico(
        'nginx',
        path,
        `nginx accepted it, but its -T output could not be read: ${(error as Error).message}`,
      ),
    );
    return g;
  }
  const { directives, files } = parsed;
  return {
    kind: 'nginx',
    file: path,
    routes: nginxRoutesFrom(directives),
    reader: {
      tool: 'nginx -T',
      parsedByPortico: false,
      notes: [`read by ${dump.command} (prefix, error log and pid in a temporary folder)`],
    },
    files,
    problems: [],
  };
}
