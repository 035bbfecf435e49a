import { balancerConfigSchema } from '../../balancer/config/schema.js';
import { configToSpec } from '../../balancer/config/to-spec.js';
import { loadYamlConfig } from '../../core/yaml-config.js';
import type { GatewayConfig } from './model.js';

/** Routes of a Portico balancer configuration file, read by Portico's own balancer loader. */
export function porticoRoutes(file: string): GatewayConfig {
  const spec = configToSpec(
    loadYamlConfig(file, balancerConfigSchema, 'E_LB_CONFIG', 'See portico lb serve --help.'),
  );
  return {
    kind: 'portico',
    file,
    routes: spec.routes.map((r) => ({
      name: `portico route ${r.name}`,
      hosts: r.host ? [r.host] : [],
      pathPrefix: r.pathPrefix ?? '/',
      upstreams: r.upstreams.map((u) => ({
        host: u.address,
        port: u.port,
        ...(r.health !== undefined ? { checked: true } : {}),
      })),
      readTimeoutMs: spec.timeouts.headersMs,
      connectTimeoutMs: spec.timeouts.connectMs,
      activeHealthChecks: r.health !== undefined,
    })),
    reader: {
      tool: 'portico lb',
      parsedByPortico: false,
      notes: ["read by Portico's balancer configuration loader"],
    },
    files: [file],
    problems: [],
  };
}
