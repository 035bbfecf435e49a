import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { tryParseDuration } from '../core/duration.js';
import { PorticoError } from '../core/errors.js';
import schema from './schema/compose-spec.json' with { type: 'json' };
import { lineAt, type YamlTree } from './yaml-tree.js';

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (!compiled) {
    const ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: true });
    // Formats the specification has used; ones it names that we do not know are accepted.
    ajv.addFormat('duration', (v: string) => tryParseDuration(v, { syntax: 'go' }) !== undefined);
    for (const name of ['ports', 'expose', 'subnet_ip_address', 'uri']) ajv.addFormat(name, () => true);
    compiled = ajv.compile(schema);
  }
  return compiled;
}

/**
 * Validate one compose file (after interpolation, as compose does) against the compose
 * specification's JSON schema. The most specific violation becomes E_COMPOSE_INVALID with the
 * file:line of the offending value and compose's wording.
 */
export function validateComposeTree(tree: YamlTree, value: unknown): void {
  const validate = validator();
  if (validate(value)) return;
  const errors = validate.errors ?? [];
  const best = mostSpecific(errors);
  if (!best) return;
  const extra =
    best.keyword === 'additionalProperties'
      ? (best.params as { additionalProperty: string }).additionalProperty
      : undefined;
  // An unknown key: its own line, not its parent's.
  const keyPtr =
    extra === undefined ? '' : `${best.instancePath}/${extra.replace(/~/g, '~0').replace(/\//g, '~1')}`;
  const line = tree.keyLines.get(keyPtr) ?? lineAt(tree, best.instancePath);
  throw new PorticoError('E_COMPOSE_INVALID', `${tree.file}:${line}: ${describe(best, errors, value)}`, {
    hint: 'See https://docs.docker.com/reference/compose-file/ for the expected shape.',
  });
}

/** Like compose: the error deepest in the document, an unknown key counting one level deeper. */
function mostSpecific(errors: ErrorObject[]): ErrorObject | undefined {
  let best: ErrorObject | undefined;
  let bestScore = -1;
  for (const e of errors) {
    if (e.keyword === 'oneOf' || e.keyword === 'anyOf' || e.keyword === 'if') continue;
    const score = depth(e.instancePath) + (e.keyword === 'additionalProperties' ? 1 : 0);
    if (score > bestScore) {
      best = e;
      bestScore = score;
    }
  }
  return best ?? errors[0];
}

function depth(ptr: string): number {
  return ptr === '' ? 0 : ptr.split('/').length - 1;
}

/** "services.web.depends_on", from "/services/web/depends_on". */
export function dotted(ptr: string): string {
  if (ptr === '') return '(root)';
  return ptr
    .slice(1)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
}

function describe(error: ErrorObject, all: ErrorObject[], root: unknown): string {
  const path = dotted(error.instancePath);
  switch (error.keyword) {
    case 'type': {
      // Every type any branch of a oneOf would have accepted at this place.
      const types = new Set<string>();
      for (const e of all) {
        if (e.keyword === 'type' && e.instancePath === error.instancePath) {
          const t = (e.params as { type: string | string[] }).type;
          for (const x of Array.isArray(t) ? t : [t]) types.add(x);
        }
      }
      const value = at(root, error.instancePath);
      return `${path} contains ${show(value)}, which is an invalid type, it should be ${joinTypes([...types])}`;
    }
    case 'additionalProperties': {
      const key = (error.params as { additionalProperty: string }).additionalProperty;
      return path === '(root)'
        ? `Additional property ${key} is not allowed`
        : `Unsupported config option for ${path}: '${key}'`;
    }
    case 'required':
      return `${path} is missing required property '${(error.params as { missingProperty: string }).missingProperty}'`;
    case 'enum':
      return `${path} must be one of ${((error.params as { allowedValues: unknown[] }).allowedValues ?? []).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'pattern':
      return `${path} ${JSON.stringify(at(root, error.instancePath))} does not match ${(error.params as { pattern: string }).pattern}`;
    case 'format':
      return `${path} ${JSON.stringify(at(root, error.instancePath))} is not a valid ${(error.params as { format: string }).format}`;
    case 'uniqueItems': {
      const { i, j } = error.params as { i: number; j: number };
      return `${path} has non-unique elements: items ${j} and ${i} are identical`;
    }
    case 'propertyNames':
    case 'patternProperties':
      return `${path} contains an invalid key: ${error.message ?? ''}`;
    default:
      return `${path} ${error.message ?? 'is invalid'}`;
  }
}

function at(root: unknown, ptr: string): unknown {
  let v = root;
  for (const raw of ptr.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    v = v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined;
  }
  return v;
}

function show(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return `"${value}"`;
  if (typeof value === 'object') return Array.isArray(value) ? 'an array' : 'an object';
  return String(value);
}

function joinTypes(types: string[]): string {
  const named = types.map((t) => (/^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`));
  if (named.length <= 1) return named[0] ?? 'another type';
  return `${named.slice(0, -1).join(', ')} or ${named[named.length - 1]}`;
}
