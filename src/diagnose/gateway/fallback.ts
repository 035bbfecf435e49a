/** Portico's own parsers, when the gateway's binary is absent or could not read the file. */
import { caddyRoutes } from './caddy.js';
import { haproxyRoutes } from './haproxy.js';
import type { GatewayConfig } from './model.js';
import { nginxRoutes } from './nginx.js';
import { ConfSyntaxError } from './nginx-parse.js';
import { configInvalid, configTestFailed, configUnreadable, parsedByPortico } from './problems.js';

type GatewayKind = GatewayConfig['kind'];
export type ParsedKind = Exclude<GatewayKind, 'portico'>;

/** A file system error as a person would say it. */
export const reason = (error: unknown): string => {
  const e = error as NodeJS.ErrnoException;
  if (e.code === 'EACCES') return 'permission denied';
  if (e.code === 'EISDIR') return 'it is a directory, not a file';
  if (e.code === 'ENOENT') return 'no such file';
  return e.message;
};

/** A configuration with no routes, only what went wrong reading it. */
export function empty(kind: GatewayKind, file: string, problems: GatewayConfig['problems']): GatewayConfig {
  return { kind, file, routes: [], reader: { parsedByPortico: false, notes: [] }, files: [file], problems };
}

/**
 * Portico's parser as the fallback. `quiet`: the gateway already reported the configuration
 * invalid, so a parse failure here adds nothing and is not repeated.
 */
export function fallback(kind: ParsedKind, path: string, text: string, quiet: boolean): GatewayConfig {
  try {
    if (kind === 'nginx') return nginxRoutes(text, path);
    if (kind === 'caddy') return caddyRoutes(text, path);
    return haproxyRoutes(text, path);
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
export function afterFailure(
  kind: ParsedKind,
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
