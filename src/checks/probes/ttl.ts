import type { TtlCheck } from '../../core/model.js';
import { critical, type Probe } from '../probe.js';

/** Passive: the service reports in; silence longer than the TTL is critical. */
export const ttlProbe: Probe<TtlCheck> = {
  kind: 'ttl',
  async run(check, target, ctx) {
    const report = target.instanceId ? ctx.ttlReport?.(target.instanceId, check.id) : undefined;
    if (!report) return critical(`no report yet (TTL ${check.ttlMs}ms)`, 'ttl_expired');
    const age = ctx.now() - report.at;
    if (age > check.ttlMs)
      return critical(
        `last report ${Math.round(age / 1000)}s ago, TTL is ${check.ttlMs / 1000}s`,
        'ttl_expired',
      );
    return report.status === 'passing'
      ? { status: 'passing', output: report.output || 'reported passing' }
      : {
          status: report.status,
          output: report.output || `reported ${report.status}`,
          reason: `reported_${report.status}`,
        };
  },
};
