import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { PorticoError } from '../../core/errors.js';
import { caddyRoutes, caddyRoutesFromJson } from './caddy.js';
import { dumpSource, fileSystemSource } from './conf-source.js';
import { haproxyRoutes } from './haproxy.js';
import type { GatewayConfig } from './model.js';
import { nginxRoutes, nginxRoutesFrom } from './nginx.js';
import { nginxDump } from './nginx-binary.js';
import { ConfSyntaxError, type Directive, parseNginxConf } from './nginx-parse.js';
import { nginxWriteDirectivesFromText } from './nginx-sandbox.js';
import { porticoRoutes } from './portico.js';
import { configInvalid, configTestFailed, configUnreadable, parsedByPortico } from './problems.js';
import { findBinary, runTool } from './tool.js';

const candidates = [
  'portico-lb.yaml',
  'portico-lb.yml',
  'nginx.conf',
  'nginx/nginx.conf',
  'haproxy.cfg',
  'haproxy/haproxy.cfg',
  'Caddyfile',
];

export type GatewayKind = GatewayConfig['kind'];

/** Which gateway a file configures: by name, else by content. */
export function detectKind(file: string, text: string): GatewayKind {
  const name = basename(file).toLowerCase();
  if (name.endsWith('.yaml') || name.endsWith('.yml')) return 'portico';
  if (name.includes('haproxy') || /^\s*(frontend|backend)\s/m.test(text)) return 'haproxy';
  if (name.startsWith('caddyfile') || /\breverse_proxy\b/.test(text)) return 'caddy';
  return 'nginx';
}

/**
 * The gateway configuration to analyse: the given file, or a well-known one in the folder. A
 * file the user named that is not there is a usage error (E_FILE_NOT_FOUND, exit 2).
 */
export function gatewayConfigPath(cwd: string, file?: string): string | undefined {
  if (!file) return candidates.map((c) => join(cwd, c)).find((p) => existsSync(p));
  const path = resolve(cwd, file);
  if (!existsSync(path))
    throw new PorticoError('E_FILE_NOT_FOUND', `gateway configuration ${path} does not exist`);
  return path;
}

export interface ReadGatewayOptions {
  kind?: GatewayKind;
  /** Where the gateway binaries are looked up (PATH) and the environment they run with. */
  env?: NodeJS.ProcessEnv;
}

/**
 * Read a gateway configuration the way the gateway itself reads it when its binary is on PATH
 * (`nginx -T`, `caddy adapt`, `haproxy -c`), else with Portico's parser, saying so. Whatever
 * goes wrong reading it becomes a problem (a finding) on the result, never a silent empty read.
 */
export async function readGateway(
  cwd: string,
  file?: string,
  options: ReadGatewayOptions = {},
): Promise<GatewayConfig | undefined> {
  const path = gatewayConfigPath(cwd, file);
  if (!path) return undefined;
  const env = options.env ?? process.env;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const kind = options.kind ?? detectKind(path, '');
    return empty(kind, path, [configUnreadable(path, reason(error))]);
  }
  const kind = options.kind ?? detectKind(path, text);
  switch (kind) {
    case 'portico':
      try {
        const g = porticoRoutes(path);
        return g;
      } catch (error) {
        return empty(kind, path, [configUnreadable(path, (error as Error).message)]);
      }
    case 'nginx':
      return await readNginx(path, text, env);
    case 'caddy':
      return await readCaddy(path, text, env);
    case 'haproxy':
      return await readHaproxy(path, text, env);
  }
}

const reason = (error: unknown): string => {
  const e = error as NodeJS.ErrnoException;
  if (e.code === 'EACCES') return 'permission denied';
  if (e.code === 'EISDIR') return 'it is a directory, not a file';
  if (e.code === 'ENOENT') return 'no such file';
  return e.message;
};

function empty(kind: GatewayKind, file: string, problems: GatewayConfig['problems']): GatewayConfig {
  return { kind, file, routes: [], reader: { parsedByPortico: false, notes: [] }, files: [file], problems };
}

/**
 * Portico's parser as the fallback. `quiet`: the gateway already reported the configuration
 * invalid, so a parse failure here adds nothing and is not repeated.
 */
function fallback(
  kind: Exclude<GatewayKind, 'portico'>,
  path: string,
  text: string,
  quiet: boolean,
): GatewayConfig {
  try {
    const g =
      kind === 'nginx'
        ? nginxRoutes(text, path)
        : kind === 'caddy'
          ? caddyRoutes(text, path)
          : haproxyRoutes(text, path);
    return g;
  } catch (error) {
    if (quiet) return { ...empty(kind, path, []), reader: { parsedByPortico: true, notes: [] } };
    const message = (error as Error).message;
    const unreadable = error instanceof ConfSyntaxError && /: (include|import) /.test(message);
    const problem =
      error instanceof ConfSyntaxError
        ? unreadable
          ? configUnreadable(path, message)
          : configInvalid(kind, path, message, "Portico's parser")
        : configUnreadable(path, reason(error));
    return { ...empty(kind, path, [problem]), reader: { parsedByPortico: true, notes: [] } };
  }
}

/** What the gateway said went wrong, or that it did not run: a problem, then Portico's parse. */
function afterFailure(
  kind: Exclude<GatewayKind, 'portico'>,
  path: string,
  text: string,
  failure: { timedOut: boolean; syntaxOk: boolean; message: string; by: string },
): GatewayConfig {
  if (failure.timedOut) {
    const g = fallback(kind, path, text, false);
    g.problems.push(parsedByPortico(kind, path, `${failure.by} did not finish in time`));
    return g;
  }
  if (failure.syntaxOk) {
    const g = fallback(kind, path, text, false);
    g.problems.unshift(configTestFailed(kind, path, failure.message, failure.by));
    g.reader.notes.push(`${failure.by} could not complete its test here; routes read by Portico's parser`);
    return g;
  }
  const g = fallback(kind, path, text, true);
  g.problems.unshift(configInvalid(kind, path, failure.message, failure.by));
  if (g.routes.length)
    g.reader.notes.push(`${kind} rejected the configuration; the routes below were read by Portico's parser`);
  return g;
}

async function readNginx(path: string, text: string, env: NodeJS.ProcessEnv): Promise<GatewayConfig> {
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

async function readCaddy(path: string, text: string, env: NodeJS.ProcessEnv): Promise<GatewayConfig> {
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

/** HAProxy cannot print what it parsed: it validates (`haproxy -c`), Portico reads the routes. */
async function readHaproxy(path: string, text: string, env: NodeJS.ProcessEnv): Promise<GatewayConfig> {
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
