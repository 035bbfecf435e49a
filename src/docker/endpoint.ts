import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where the Docker engine is, as the user's own `docker` CLI would find it. */
export type DockerEndpoint =
  | { kind: 'unix'; socketPath: string; url: string; from: EndpointSource }
  | {
      kind: 'tcp';
      host: string;
      port: number;
      tls: boolean;
      certPath?: string;
      url: string;
      from: EndpointSource;
    }
  | { kind: 'unsupported'; url: string; from: EndpointSource };

/** Which setting chose the endpoint, for messages ("DOCKER_HOST", "context colima"). */
export type EndpointSource = 'DOCKER_HOST' | `context ${string}` | 'default';

const defaultSocket = 'unix:///var/run/docker.sock';

/**
 * The one resolver every Docker caller uses, with the docker CLI's precedence: DOCKER_HOST
 * (an empty value counts as unset, as the CLI does), then DOCKER_CONTEXT, then the current
 * context in $DOCKER_CONFIG/config.json, then the default socket. TLS for tcp:// follows
 * DOCKER_TLS_VERIFY / DOCKER_CERT_PATH (or the context's TLS material).
 */
export function resolveDockerEndpoint(env: NodeJS.ProcessEnv = process.env): DockerEndpoint {
  if (env.DOCKER_HOST) return fromUrl(env.DOCKER_HOST, 'DOCKER_HOST', env);
  const context = env.DOCKER_CONTEXT || currentContext(env);
  if (context && context !== 'default') {
    const host = contextHost(env, context);
    if (host) return fromUrl(host.url, `context ${context}`, env, host.tlsDir);
  }
  return fromUrl(defaultSocket, 'default', env);
}

/** Whether an engine could be there at all, without connecting (no socket file: no engine). */
export function dockerEndpointPresent(endpoint: DockerEndpoint): boolean {
  if (endpoint.kind === 'unix') return existsSync(endpoint.socketPath);
  return endpoint.kind === 'tcp';
}

function fromUrl(url: string, from: EndpointSource, env: NodeJS.ProcessEnv, tlsDir?: string): DockerEndpoint {
  if (url.startsWith('unix://')) return { kind: 'unix', socketPath: url.slice('unix://'.length), url, from };
  if (url.startsWith('tcp://') || url.startsWith('http://') || url.startsWith('https://')) {
    const tls = url.startsWith('https://') || Boolean(env.DOCKER_TLS_VERIFY) || Boolean(tlsDir);
    const parsed = new URL(url.replace(/^(tcp|https?):/, 'http:'));
    const certPath = tlsDir ?? env.DOCKER_CERT_PATH;
    return {
      kind: 'tcp',
      host: parsed.hostname.replace(/^\[|\]$/g, ''),
      port: Number(parsed.port || (tls ? 2376 : 2375)),
      tls,
      ...(certPath ? { certPath } : {}),
      url,
      from,
    };
  }
  return { kind: 'unsupported', url, from };
}

function configDir(env: NodeJS.ProcessEnv): string {
  return env.DOCKER_CONFIG || join(env.HOME || homedir(), '.docker');
}

function currentContext(env: NodeJS.ProcessEnv): string | undefined {
  try {
    const config = JSON.parse(readFileSync(join(configDir(env), 'config.json'), 'utf8')) as {
      currentContext?: unknown;
    };
    return typeof config.currentContext === 'string' ? config.currentContext : undefined;
  } catch {
    return undefined;
  }
}

/** A context's docker endpoint: contexts/meta/<sha256(name)>/meta.json, TLS under contexts/tls. */
function contextHost(env: NodeJS.ProcessEnv, name: string): { url: string; tlsDir?: string } | undefined {
  const id = createHash('sha256').update(name).digest('hex');
  try {
    const meta = JSON.parse(
      readFileSync(join(configDir(env), 'contexts', 'meta', id, 'meta.json'), 'utf8'),
    ) as {
      Endpoints?: { docker?: { Host?: unknown } };
    };
    const url = meta.Endpoints?.docker?.Host;
    if (typeof url !== 'string' || !url) return undefined;
    const tlsDir = join(configDir(env), 'contexts', 'tls', id, 'docker');
    return { url, ...(existsSync(join(tlsDir, 'ca.pem')) ? { tlsDir } : {}) };
  } catch {
    return undefined;
  }
}
