import { z } from 'zod';
import type { SecretPolicy } from '../../checks/trust.js';
import { isLoopbackAddress } from '../../core/address.js';
import type { CheckDefinition, HealthStatus, Instance } from '../../core/model.js';
import { ApiError } from '../http/router.js';
import { apiCheck } from './checks-input.js';

/** Consul's check definition (the fields Portico can honour; others are ignored as Consul's defaults). */
const consulCheck = z.looseObject({
  CheckID: z.string().min(1).max(64).optional(),
  ID: z.string().min(1).max(64).optional(),
  Name: z.string().optional(),
  HTTP: z.string().optional(),
  Method: z.string().optional(),
  Header: z.record(z.string(), z.array(z.string())).optional(),
  TLSSkipVerify: z.boolean().optional(),
  TCP: z.string().optional(),
  TTL: z.string().optional(),
  Interval: z.string().optional(),
  Timeout: z.string().optional(),
  DeregisterCriticalServiceAfter: z.string().optional(),
  Status: z.enum(['passing', 'warning', 'critical']).optional(),
  Notes: z.string().optional(),
});

type ConsulCheckInput = z.infer<typeof consulCheck>;

export const consulRegistration = z.looseObject({
  ID: z.string().min(1).max(200).optional(),
  Name: z.string().min(1).max(100),
  Tags: z.array(z.string()).nullish(),
  Address: z.string().nullish(),
  Port: z.number().int().min(0).max(65535).nullish(),
  Meta: z.record(z.string(), z.string()).nullish(),
  Check: consulCheck.nullish(),
  Checks: z.array(consulCheck).nullish(),
});

export interface ParsedRegistration {
  instance: Instance;
  /** Initial statuses given with `Status` (TTL checks start there instead of critical). */
  initial: Array<{ checkId: string; status: HealthStatus }>;
}

/** A Consul service registration as a catalog instance, with its checks from origin `api`. */
export function fromConsul(
  body: z.infer<typeof consulRegistration>,
  policy: SecretPolicy,
): ParsedRegistration {
  const id = body.ID ?? body.Name;
  const address = body.Address || '127.0.0.1';
  const inputs: Array<[ConsulCheckInput, string]> = [];
  if (body.Check) inputs.push([body.Check, `service:${id}`]);
  for (const [n, c] of (body.Checks ?? []).entries()) inputs.push([c, `service:${id}:${n + 1}`]);
  const checks: CheckDefinition[] = [];
  const initial: ParsedRegistration['initial'] = [];
  for (const [c, defaultId] of inputs) {
    const check = apiCheck(toPortico(c, c.CheckID ?? c.ID ?? defaultId, address), policy);
    checks.push(check);
    if (c.Status) initial.push({ checkId: check.id, status: c.Status });
  }
  return {
    instance: {
      id,
      service: body.Name,
      address,
      port: body.Port ?? 0,
      protocol: 'tcp',
      tags: body.Tags ?? [],
      meta: body.Meta ?? {},
      source: 'api',
      checks,
    },
    initial,
  };
}

/** Only the kinds Consul's API can ask for that Portico runs; a script is never accepted. */
function toPortico(c: ConsulCheckInput, id: string, address: string): Record<string, unknown> {
  const raw = c as Record<string, unknown>;
  if (raw.Args !== undefined || raw.ScriptArgs !== undefined || raw.Script !== undefined)
    throw new ApiError(
      400,
      'E_CHECK_UNTRUSTED',
      `check "${id}": script checks cannot be registered through the API`,
    );
  for (const kind of [
    'GRPC',
    'H2PING',
    'DockerContainerID',
    'AliasService',
    'AliasNode',
    'OSService',
    'UDP',
  ]) {
    if (raw[kind] !== undefined)
      throw new ApiError(
        400,
        'E_API_BAD_REQUEST',
        `check "${id}": ${kind} checks are not supported (HTTP, TCP, TTL are)`,
      );
  }
  const common = {
    id,
    rise: 1,
    fall: 1,
    ...(c.Interval ? { interval: c.Interval } : {}),
    ...(c.Timeout ? { timeout: c.Timeout } : {}),
    ...(c.DeregisterCriticalServiceAfter ? { deregisterAfter: c.DeregisterCriticalServiceAfter } : {}),
  };
  if (c.TTL) return { kind: 'ttl', ...common, ttl: c.TTL };
  if (c.HTTP) {
    let url: URL;
    try {
      url = new URL(c.HTTP);
    } catch {
      throw new ApiError(400, 'E_API_BAD_REQUEST', `check "${id}": HTTP "${c.HTTP}" is not a URL`);
    }
    const scheme = url.protocol.replace(':', '');
    if (scheme !== 'http' && scheme !== 'https')
      throw new ApiError(400, 'E_API_BAD_REQUEST', `check "${id}": HTTP must be an http or https URL`);
    sameHost(id, url.hostname.replace(/^\[|\]$/g, ''), address);
    return {
      kind: 'http',
      ...common,
      scheme,
      method: (c.Method ?? 'GET').toUpperCase(),
      path: `${url.pathname}${url.search}`,
      headers: Object.fromEntries(Object.entries(c.Header ?? {}).map(([k, v]) => [k, v.join(', ')])),
      // Consul counts any 2xx as passing and 429 as warning; the rest is critical.
      expectStatus: '200-299',
      tlsVerify: !(c.TLSSkipVerify ?? false),
      port: Number(url.port || (scheme === 'https' ? 443 : 80)),
    };
  }
  if (c.TCP) {
    const cut = c.TCP.lastIndexOf(':');
    const port = Number(c.TCP.slice(cut + 1));
    if (cut <= 0 || !Number.isInteger(port))
      throw new ApiError(400, 'E_API_BAD_REQUEST', `check "${id}": TCP "${c.TCP}" is not host:port`);
    sameHost(id, c.TCP.slice(0, cut).replace(/^\[|\]$/g, ''), address);
    return { kind: 'tcp', ...common, port };
  }
  throw new ApiError(400, 'E_API_BAD_REQUEST', `check "${id}": give one of HTTP, TCP or TTL`);
}

/**
 * Portico probes an instance at its own address; a check aimed elsewhere would make the agent
 * probe a host nobody registered, so it is refused rather than silently redirected.
 */
function sameHost(id: string, host: string, address: string): void {
  const local = (h: string): boolean => isLoopbackAddress(h) || h === 'localhost';
  if (host === address || (local(host) && local(address))) return;
  throw new ApiError(
    400,
    'E_API_BAD_REQUEST',
    `check "${id}": it must probe the service's own address ${address}, not ${host}`,
  );
}
