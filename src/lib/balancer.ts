/**
 * `portico/balancer`: the embedded load balancer, driven in-process. The config is the same
 * schema as portico-lb.yaml (validated the same way), so a library user and `lb serve` get the
 * same defaults and the same errors.
 */
import '../core/zod-messages.js';
import { Balancer } from '../balancer/balancer.js';
import { type BalancerConfigInput, balancerConfigSchema } from '../balancer/config/schema.js';
import { configToSpec } from '../balancer/config/to-spec.js';
import { PorticoError } from '../core/errors.js';

export {
  Balancer,
  type BalancerAddresses,
  type DrainReport,
  type ReloadReport,
} from '../balancer/balancer.js';
export type {
  ActiveHealth,
  Algorithm,
  BalancerSpec,
  RouteSpec,
  TcpRouteSpec,
  UpstreamSpec,
} from '../balancer/model.js';
export type { BalancerStatus } from '../balancer/status.js';
/** The portico-lb.yaml document, as a plain object (durations as "5s" or milliseconds). */
export type BalancerConfig = BalancerConfigInput;

export interface CreateBalancerOptions {
  /** Where admin.tokenEnv is read (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** What admin.tokenFile is relative to (default the working directory). */
  baseDir?: string;
}

/**
 * Validate a config and build a balancer (not listening yet: call `start()`, then `drain()` or
 * `close()`). An invalid config is a PorticoError E_LB_CONFIG naming the field.
 */
export function createBalancer(config: BalancerConfig, options: CreateBalancerOptions = {}): Balancer {
  const parsed = balancerConfigSchema.safeParse(config);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new PorticoError('E_LB_CONFIG', `${issue.path.join('.') || 'config'}: ${issue.message}`);
  }
  const env = options.env ?? process.env;
  const spec = configToSpec(parsed.data, { tokens: { env, baseDir: options.baseDir ?? process.cwd() } });
  return new Balancer(spec, env);
}
