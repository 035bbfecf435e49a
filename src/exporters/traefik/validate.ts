import { readFile } from 'node:fs/promises';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import { tryParseDuration } from '../../core/duration.js';
import schema from './schema/traefik-v3-file-provider.json' with { type: 'json' };

let compiled: ValidateFunction | undefined;

/** SchemaStore's published Traefik v3 file-provider schema (vendored unchanged in schema/). */
function validator(): ValidateFunction {
  if (!compiled) compiled = new Ajv({ strict: false, allErrors: true }).compile(schema);
  return compiled;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const entries = (v: unknown): Array<[string, Obj]> =>
  isObj(v) ? (Object.entries(v).filter(([, x]) => isObj(x)) as Array<[string, Obj]>) : [];

/**
 * What stands in for `traefik`'s own check (no Traefik binary here): the YAML parses, it
 * matches Traefik's published schema, and the references the schema cannot see resolve —
 * every router's service and middlewares, weighted children, the servers transport — and
 * durations parse as Go durations. Resolves with the complaint, or undefined when valid.
 */
export async function validateTraefik(configPath: string): Promise<string | undefined> {
  let doc: unknown;
  try {
    doc = parse(await readFile(configPath, 'utf8'));
  } catch (error) {
    return `${configPath}: not YAML: ${(error as Error).message.split('\n')[0]}`;
  }
  if (doc === null || doc === undefined) return undefined;
  const validate = validator();
  if (!validate(doc)) return `${configPath}: ${describe(validate.errors ?? [])}`;
  const problems = references(doc as Obj);
  return problems.length > 0 ? `${configPath}: ${problems.slice(0, 3).join('; ')}` : undefined;
}

function describe(errors: ErrorObject[]): string {
  // oneOf branches report every alternative: the deepest error says what is actually wrong.
  const best = [...errors].sort((a, b) => b.instancePath.length - a.instancePath.length)[0];
  if (!best) return 'does not match the Traefik file-provider schema';
  const extra =
    best.keyword === 'additionalProperties'
      ? ` (${(best.params as { additionalProperty: string }).additionalProperty})`
      : '';
  return `${best.instancePath || '/'} ${best.message ?? 'is invalid'}${extra}`;
}

function references(doc: Obj): string[] {
  const problems: string[] = [];
  for (const layer of ['http', 'tcp'] as const) {
    const part = isObj(doc[layer]) ? (doc[layer] as Obj) : {};
    const services = new Set(Object.keys(isObj(part.services) ? part.services : {}));
    const middlewares = new Set(Object.keys(isObj(part.middlewares) ? part.middlewares : {}));
    const transports = new Set(Object.keys(isObj(part.serversTransports) ? part.serversTransports : {}));
    for (const [name, router] of entries(part.routers)) {
      if (typeof router.service === 'string' && !services.has(router.service))
        problems.push(`${layer} router ${name} names service ${router.service}, which is not defined`);
      for (const m of Array.isArray(router.middlewares) ? router.middlewares : [])
        if (!middlewares.has(String(m)))
          problems.push(`${layer} router ${name} names middleware ${m}, which is not defined`);
    }
    for (const [name, service] of entries(part.services)) {
      const weighted = isObj(service.weighted) ? service.weighted : undefined;
      for (const child of Array.isArray(weighted?.services) ? weighted.services : [])
        if (isObj(child) && !services.has(String(child.name)))
          problems.push(`${layer} service ${name} weights ${child.name}, which is not defined`);
      const lb = isObj(service.loadBalancer) ? service.loadBalancer : undefined;
      if (typeof lb?.serversTransport === 'string' && !transports.has(lb.serversTransport))
        problems.push(
          `${layer} service ${name} uses serversTransport ${lb.serversTransport}, which is not defined`,
        );
      const check = isObj(lb?.healthCheck) ? lb.healthCheck : {};
      for (const key of ['interval', 'timeout'])
        if (check[key] !== undefined && tryParseDuration(String(check[key]), { syntax: 'go' }) === undefined)
          problems.push(`${layer} service ${name}: healthCheck.${key} ${check[key]} is not a duration`);
    }
  }
  return problems;
}
