import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { CheckDefinition, CheckResult } from '../core/model.js';
import { instanceStatus } from '../discovery/status.js';
import type { InstanceView } from './context.js';

/** Seconds; from a fast loopback probe to a check at its usual 2 s timeout and beyond. */
const latencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface AgentMetrics {
  registry: Registry;
  recordResult(service: string, check: CheckDefinition, result: CheckResult): void;
}

/**
 * The agent's Prometheus metrics. Check results and latencies are counted as they happen;
 * instance states and catalog figures are read from the catalog at scrape time, so they are
 * never stale. Names carry one `portico_` namespace (prom-client's defaults start with
 * process_ / nodejs_, so their prefix is only `portico_agent_`).
 */
export function createAgentMetrics(options: {
  project: string;
  catalog: () => Promise<InstanceView[]>;
  index: () => number;
  sseClients: () => number;
  startedAt: number;
}): AgentMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ project: options.project });
  collectDefaultMetrics({ register: registry, prefix: 'portico_agent_' });
  const results = new Counter({
    name: 'portico_check_results_total',
    help: 'Check runs by service, check and result status.',
    labelNames: ['service', 'check', 'kind', 'status'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'portico_check_duration_seconds',
    help: 'How long each check run took.',
    labelNames: ['service', 'kind'],
    buckets: latencyBuckets,
    registers: [registry],
  });
  new Gauge({
    name: 'portico_instances',
    help: 'Instances in the catalog by service and status (passing, warning, critical, unknown).',
    labelNames: ['service', 'status'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const v of await options.catalog())
        this.inc({ service: v.instance.service, status: instanceStatus(v.instance, v.states) });
    },
  });
  new Gauge({
    name: 'portico_agent_catalog_index',
    help: "The catalog's change index as the agent last saw it.",
    registers: [registry],
    collect() {
      this.set(options.index());
    },
  });
  new Gauge({
    name: 'portico_agent_event_clients',
    help: 'Clients connected to /api/v1/events.',
    registers: [registry],
    collect() {
      this.set(options.sseClients());
    },
  });
  new Gauge({
    name: 'portico_agent_start_time_seconds',
    help: 'When the agent started (Unix time).',
    registers: [registry],
    collect() {
      this.set(options.startedAt / 1000);
    },
  });
  return {
    registry,
    recordResult(service, check, result) {
      results.inc({ service, check: check.id, kind: check.kind, status: result.status });
      latency.observe({ service, kind: check.kind }, result.durationMs / 1000);
    },
  };
}
