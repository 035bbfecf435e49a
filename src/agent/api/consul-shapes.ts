import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import type { CheckDefinition, CheckState, HealthStatus, Instance } from '../../core/model.js';
import type { InstanceView } from '../context.js';

/** The one node this agent plays in Consul's model, and its datacenter. */
export interface ConsulNode {
  name: string;
  id: string;
  address: string;
  datacenter: string;
}

export function localNode(address: string): ConsulNode {
  const name = hostname();
  const h = createHash('sha256').update(`portico-node:${name}`).digest('hex');
  const id = `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
  return { name, id, address, datacenter: 'dc1' };
}

/**
 * A check's Consul CheckID. Checks registered through the API keep the id they were given
 * (Consul's `service:<ID>` by default); checks from other sources are named after their instance
 * so they stay unique across the node.
 */
export function consulCheckId(instance: Instance, check: CheckDefinition): string {
  return instance.source === 'api' ? check.id : `${instance.id}:${check.id}`;
}

const typeOf: Partial<Record<CheckDefinition['kind'], string>> = { http: 'http', tcp: 'tcp', ttl: 'ttl' };

function goDuration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** A check as /v1/health/* returns it; no result yet is "critical", as in Consul. */
export function consulCheck(node: ConsulNode, index: number, view: InstanceView, check: CheckDefinition) {
  const state: CheckState | undefined = view.states.find((s) => s.checkId === check.id);
  const status: HealthStatus = state?.status ?? 'critical';
  return {
    Node: node.name,
    CheckID: consulCheckId(view.instance, check),
    Name: `Service '${view.instance.service}' check`,
    Status: status,
    Notes: '',
    Output: state?.output ?? '',
    ServiceID: view.instance.id,
    ServiceName: view.instance.service,
    ServiceTags: view.instance.tags,
    Type: typeOf[check.kind] ?? check.kind,
    Interval: check.kind === 'ttl' ? '' : goDuration(check.intervalMs),
    Timeout: check.kind === 'ttl' ? '' : goDuration(check.timeoutMs),
    ExposedPort: 0,
    Definition: {},
    CreateIndex: index,
    ModifyIndex: index,
  };
}

/** Consul always reports the node's own agent check next to the service checks. */
export function serfHealth(node: ConsulNode, index: number) {
  return {
    Node: node.name,
    CheckID: 'serfHealth',
    Name: 'Serf Health Status',
    Status: 'passing' as HealthStatus,
    Notes: '',
    Output: 'Agent alive and reachable',
    ServiceID: '',
    ServiceName: '',
    ServiceTags: [] as string[],
    Type: '',
    Interval: '',
    Timeout: '',
    ExposedPort: 0,
    Definition: {},
    CreateIndex: index,
    ModifyIndex: index,
  };
}

function nodeBlock(node: ConsulNode, index: number) {
  return {
    ID: node.id,
    Node: node.name,
    Address: node.address,
    Datacenter: node.datacenter,
    TaggedAddresses: { lan: node.address, lan_ipv4: node.address, wan: node.address, wan_ipv4: node.address },
    Meta: { 'consul-network-segment': '' },
    CreateIndex: index,
    ModifyIndex: index,
  };
}

/** One entry of /v1/health/service/:name. */
export function healthEntry(node: ConsulNode, index: number, view: InstanceView) {
  const i = view.instance;
  return {
    Node: nodeBlock(node, index),
    Service: {
      ID: i.id,
      Service: i.service,
      Tags: i.tags,
      Address: i.address,
      TaggedAddresses: {},
      Meta: i.meta,
      Port: i.port,
      Weights: { Passing: 1, Warning: 1 },
      EnableTagOverride: false,
      Proxy: {},
      Connect: {},
      CreateIndex: index,
      ModifyIndex: index,
    },
    Checks: [serfHealth(node, index), ...i.checks.map((c) => consulCheck(node, index, view, c))],
  };
}

/** One entry of /v1/catalog/service/:name. */
export function catalogEntry(node: ConsulNode, index: number, view: InstanceView) {
  const i = view.instance;
  const n = nodeBlock(node, index);
  return {
    ID: n.ID,
    Node: n.Node,
    Address: n.Address,
    Datacenter: n.Datacenter,
    TaggedAddresses: n.TaggedAddresses,
    NodeMeta: n.Meta,
    ServiceKind: '',
    ServiceID: i.id,
    ServiceName: i.service,
    ServiceTags: i.tags,
    ServiceAddress: i.address,
    ServiceTaggedAddresses: {},
    ServiceWeights: { Passing: 1, Warning: 1 },
    ServiceMeta: i.meta,
    ServicePort: i.port,
    ServiceEnableTagOverride: false,
    ServiceProxy: {},
    ServiceConnect: {},
    CreateIndex: index,
    ModifyIndex: index,
  };
}
