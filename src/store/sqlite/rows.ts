import type { CheckState, Instance } from '../../core/model.js';

export interface InstanceRow {
  id: string;
  service: string;
  address: string;
  port: number;
  protocol: string;
  tags: string;
  meta: string;
  source: string;
  checks: string;
  modify_index: number;
}

export interface CheckStateRow {
  instance_id: string;
  check_id: string;
  status: string;
  output: string;
  reason: string | null;
  since: number;
  last_result: string | null;
}

export function toInstance(r: InstanceRow): Instance {
  return {
    id: r.id,
    service: r.service,
    address: r.address,
    port: r.port,
    protocol: r.protocol as Instance['protocol'],
    tags: JSON.parse(r.tags) as string[],
    meta: JSON.parse(r.meta) as Record<string, string>,
    source: r.source,
    checks: JSON.parse(r.checks) as Instance['checks'],
  };
}

export function instanceParams(i: Instance, index: number): unknown[] {
  return [
    i.id,
    i.service,
    i.address,
    i.port,
    i.protocol,
    JSON.stringify(i.tags),
    JSON.stringify(i.meta),
    i.source,
    JSON.stringify(i.checks),
    index,
  ];
}

/** Same content, ignoring key order of nothing (we serialize in a fixed field order). */
export function sameInstance(a: Instance, b: Instance): boolean {
  return JSON.stringify(instanceParams(a, 0)) === JSON.stringify(instanceParams(b, 0));
}

export function toCheckState(r: CheckStateRow): CheckState {
  return {
    instanceId: r.instance_id,
    checkId: r.check_id,
    status: r.status as CheckState['status'],
    output: r.output,
    ...(r.reason ? { reason: r.reason } : {}),
    since: r.since,
    ...(r.last_result ? { lastResult: JSON.parse(r.last_result) as CheckState['lastResult'] } : {}),
  };
}
