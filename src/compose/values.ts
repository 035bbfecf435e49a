import { tryParseDuration } from '../core/duration.js';
import { PorticoError } from '../core/errors.js';
import { interpolate, unsetWarning, type VariableSpan } from './interpolate.js';
import { lineAt, type YamlTree } from './yaml-tree.js';

type Env = Record<string, string | undefined>;

/** A string that held variables: its text as written and which characters each variable produced. */
export interface Interpolated {
  raw: string;
  spans: VariableSpan[];
}

export interface InterpolatedTree {
  value: unknown;
  /** JSON pointer → the string as written, for every string that referenced a variable. */
  interpolated: Map<string, Interpolated>;
}

type Cast = 'int' | 'float' | 'bool' | 'duration';

/**
 * Values compose converts after substitution (compose-go's loader/interpolate.go): a variable is
 * always text, so `retries: $RETRIES` must become a number before validation. `*` is any key or index.
 */
const casts: Array<[string[], Cast]> = [
  ...(
    [
      [['cpu_count'], 'int'],
      [['cpu_percent'], 'float'],
      [['cpu_period'], 'int'],
      [['cpu_quota'], 'int'],
      [['cpu_rt_period'], 'int'],
      [['cpu_rt_runtime'], 'int'],
      [['cpus'], 'float'],
      [['cpu_shares'], 'int'],
      [['init'], 'bool'],
      [['depends_on', '*', 'required'], 'bool'],
      [['depends_on', '*', 'restart'], 'bool'],
      [['deploy', 'replicas'], 'int'],
      [['deploy', 'update_config', 'parallelism'], 'int'],
      [['deploy', 'update_config', 'max_failure_ratio'], 'float'],
      [['deploy', 'rollback_config', 'parallelism'], 'int'],
      [['deploy', 'rollback_config', 'max_failure_ratio'], 'float'],
      [['deploy', 'restart_policy', 'max_attempts'], 'int'],
      [['deploy', 'placement', 'max_replicas_per_node'], 'int'],
      [['healthcheck', 'retries'], 'int'],
      // Not a cast in compose-go, but it rejects a bad duration here too ("time: invalid duration").
      [['healthcheck', 'interval'], 'duration'],
      [['healthcheck', 'timeout'], 'duration'],
      [['healthcheck', 'start_period'], 'duration'],
      [['healthcheck', 'start_interval'], 'duration'],
      [['healthcheck', 'disable'], 'bool'],
      [['oom_kill_disable'], 'bool'],
      [['oom_score_adj'], 'int'],
      [['pids_limit'], 'int'],
      [['ports', '*', 'target'], 'int'],
      [['privileged'], 'bool'],
      [['read_only'], 'bool'],
      [['scale'], 'int'],
      [['stdin_open'], 'bool'],
      [['tty'], 'bool'],
      [['ulimits', '*'], 'int'],
      [['ulimits', '*', 'hard'], 'int'],
      [['ulimits', '*', 'soft'], 'int'],
      [['volumes', '*', 'read_only'], 'bool'],
      [['volumes', '*', 'volume', 'nocopy'], 'bool'],
      [['env_file', '*', 'required'], 'bool'],
    ] as Array<[string[], Cast]>
  ).map(([p, c]): [string[], Cast] => [['services', '*', ...p], c]),
  [['networks', '*', 'external'], 'bool'],
  [['networks', '*', 'internal'], 'bool'],
  [['networks', '*', 'attachable'], 'bool'],
  [['networks', '*', 'enable_ipv4'], 'bool'],
  [['networks', '*', 'enable_ipv6'], 'bool'],
  [['volumes', '*', 'external'], 'bool'],
  [['secrets', '*', 'external'], 'bool'],
  [['configs', '*', 'external'], 'bool'],
  [['include', '*', 'required'], 'bool'],
];

/**
 * Substitute variables in every string of the file (keys stay as written), then type the values
 * compose types, as compose does before it validates. Unset variables without a default become ""
 * with compose's warning.
 */
export function interpolateTree(tree: YamlTree, env: Env, warnings: string[]): InterpolatedTree {
  const interpolated = new Map<string, Interpolated>();
  const walk = (value: unknown, path: string[], ptr: string): unknown => {
    if (typeof value === 'string') {
      const cast = castFor(path);
      if (!value.includes('$') && !cast) return value;
      const where = `${tree.file}:${lineAt(tree, ptr)}: ${path.join('.')}`;
      const r = interpolate(value, env, where);
      for (const name of r.unset) {
        const w = unsetWarning(name);
        if (!warnings.includes(w)) warnings.push(w);
      }
      if (r.variables.length > 0) interpolated.set(ptr, { raw: value, spans: r.spans });
      return cast ? convert(r.value, cast, where) : r.value;
    }
    if (Array.isArray(value)) return value.map((v, i) => walk(v, [...path, String(i)], `${ptr}/${i}`));
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value))
        out[k] = walk(v, [...path, k], `${ptr}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`);
      return out;
    }
    return value;
  };
  return { value: walk(tree.value, [], ''), interpolated };
}

function castFor(path: string[]): Cast | undefined {
  for (const [pattern, cast] of casts) {
    if (pattern.length === path.length && pattern.every((p, i) => p === '*' || p === path[i])) return cast;
  }
  return undefined;
}

function convert(text: string, cast: Cast, where: string): unknown {
  const t = text.trim();
  if (cast === 'duration') {
    if (tryParseDuration(t, { syntax: 'go' }) === undefined) throw castError(text, 'duration', where);
    return text;
  }
  if (cast === 'bool') {
    const lower = t.toLowerCase();
    if (['true', 'y', 'yes', 'on'].includes(lower)) return true;
    if (['false', 'n', 'no', 'off'].includes(lower)) return false;
    throw castError(text, 'boolean', where);
  }
  if (cast === 'int' ? !/^[-+]?\d+$/.test(t) : !/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t))
    throw castError(text, cast === 'int' ? 'integer' : 'number', where);
  return Number(t);
}

function castError(text: string, type: string, where: string): PorticoError {
  return new PorticoError('E_COMPOSE_INVALID', `${where}: "${text}" is not a valid ${type}`, {
    hint:
      type === 'duration'
        ? 'Write a Go duration: 1m30s, 10s, 500ms, 1h.'
        : `This field takes ${type === 'integer' ? 'an' : 'a'} ${type}; a variable used here must hold one.`,
  });
}
