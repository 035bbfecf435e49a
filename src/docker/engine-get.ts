import { existsSync, readFileSync } from 'node:fs';
import { dockerEndpointPresent, resolveDockerEndpoint } from './endpoint.js';

/**
 * A read-only GET against the Docker Engine API without loading dockerode (~75 ms of module
 * loading): `portico ports` must stay within 2x of `ss`, and it only needs the container list.
 * Resolves undefined when no engine answers within the timeout — Docker is optional there.
 * Everything that changes state or streams (stop, exec, events) goes through dockerode.
 */
export async function dockerGetJson<T>(
  path: string,
  env: NodeJS.ProcessEnv,
  timeoutMs = 1500,
): Promise<T | undefined> {
  const target = engineTarget(env);
  if (!target) return undefined;
  // Loaded only when an engine may be there: node:https pulls in TLS, a cost on every `ports`.
  const { request } = target.tls ? await import('node:https') : await import('node:http');
  return await new Promise<T | undefined>((resolve) => {
    const req = request(
      { ...target.options, path, method: 'GET', headers: { host: 'docker' }, timeout: timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          if (res.statusCode !== 200) return resolve(undefined);
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as T);
          } catch {
            resolve(undefined);
          }
        });
        res.on('error', () => resolve(undefined));
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

interface Target {
  tls: boolean;
  options: Record<string, unknown>;
}

function engineTarget(env: NodeJS.ProcessEnv): Target | undefined {
  const endpoint = resolveDockerEndpoint(env);
  // No socket, no engine: answer at once instead of waiting for a connect error.
  if (!dockerEndpointPresent(endpoint)) return undefined;
  if (endpoint.kind === 'unix') return { tls: false, options: { socketPath: endpoint.socketPath } };
  if (endpoint.kind !== 'tcp') return undefined;
  const certs = endpoint.certPath;
  const read = (name: string): Buffer | undefined =>
    certs && existsSync(`${certs}/${name}`) ? readFileSync(`${certs}/${name}`) : undefined;
  return {
    tls: endpoint.tls,
    options: {
      host: endpoint.host,
      port: endpoint.port,
      ...(endpoint.tls ? { ca: read('ca.pem'), cert: read('cert.pem'), key: read('key.pem') } : {}),
    },
  };
}
