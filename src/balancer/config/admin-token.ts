import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { PorticoError } from '../../core/errors.js';

/** Where the admin token comes from: the value itself, an environment variable, or a file. */
export interface TokenSource {
  token?: string | undefined;
  tokenEnv?: string | undefined;
  tokenFile?: string | undefined;
}

export interface TokenContext {
  env: NodeJS.ProcessEnv;
  /** Relative token files are read from here (the config file's folder, or the cwd for flags). */
  baseDir: string;
  /** How the user named the source, for messages: `admin.tokenEnv` or `--admin-token-env`. */
  names: { env: string; file: string };
}

const minLength = 16;

/**
 * Resolve the admin token, so it never has to sit in a YAML file or on a command line that `ps`
 * shows. A source that is named but missing is an error, never "no token": the user asked for
 * protection and must not silently get an open endpoint.
 */
export function resolveAdminToken(source: TokenSource, ctx: TokenContext): string | undefined {
  if (source.token !== undefined) return source.token;
  let value: string;
  let where: string;
  if (source.tokenEnv !== undefined) {
    where = `${ctx.names.env} ${source.tokenEnv}`;
    const v = ctx.env[source.tokenEnv];
    if (v === undefined || v === '')
      throw new PorticoError(
        'E_LB_CONFIG',
        `${where}: the environment variable ${source.tokenEnv} is not set`,
        {
          hint: `Export ${source.tokenEnv} (16+ characters) before starting the balancer.`,
        },
      );
    value = v.trim();
  } else if (source.tokenFile !== undefined) {
    const path = isAbsolute(source.tokenFile) ? source.tokenFile : resolve(ctx.baseDir, source.tokenFile);
    where = `${ctx.names.file} ${path}`;
    try {
      value = readFileSync(path, 'utf8').trim();
    } catch (error) {
      throw new PorticoError(
        'E_LB_CONFIG',
        `${where}: cannot read the token file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
        { hint: 'Create it with the token on one line (16+ characters), readable only by you (chmod 600).' },
      );
    }
  } else {
    return undefined;
  }
  if (value.length < minLength)
    throw new PorticoError('E_LB_CONFIG', `${where}: the token is shorter than ${minLength} characters`, {
      hint: 'Use a long random value, e.g. openssl rand -hex 24.',
    });
  return value;
}
