import { describe, expect, it } from 'vitest';
import { latencyQuantiles } from '../../src/agent/dashboard/balancers.js';
import { cached } from '../../src/agent/dashboard/sources.js';

describe('dashboard data', () => {
  it('estimates p50/p99 from a balancer latency histogram as histogram_quantile does', () => {
    const text = [
      '# TYPE portico_lb_request_duration_seconds histogram',
      'portico_lb_request_duration_seconds_bucket{route="api",upstream="127.0.0.1:1",le="0.001"} 0',
      'portico_lb_request_duration_seconds_bucket{route="api",upstream="127.0.0.1:1",le="0.005"} 50',
      'portico_lb_request_duration_seconds_bucket{route="api",upstream="127.0.0.1:1",le="0.01"} 98',
      'portico_lb_request_duration_seconds_bucket{route="api",upstream="127.0.0.1:1",le="0.1"} 100',
      'portico_lb_request_duration_seconds_bucket{route="api",upstream="127.0.0.1:1",le="+Inf"} 100',
      'portico_lb_request_duration_seconds_bucket{route="api",upstream="127.0.0.1:2",le="0.001"} 0',
      'portico_lb_request_duration_seconds_bucket{route="api",upstream="127.0.0.1:2",le="+Inf"} 0',
    ].join('\n');
    const q = latencyQuantiles(text);
    // Rank 50 falls at the top of the 1–5 ms bucket; rank 99 halfway into the 10–100 ms bucket.
    expect(q.get('api\u0000127.0.0.1:1')).toEqual({ p50: 5, p99: 55 });
    expect(q.get('api\u0000127.0.0.1:2')).toEqual({ p50: null, p99: null });
  });

  it('computes a cached value once for concurrent callers and again once stale', async () => {
    let runs = 0;
    let now = 0;
    const value = cached(1_000, async () => ++runs);
    const realNow = Date.now;
    Date.now = () => now;
    try {
      expect(await Promise.all([value(), value(), value()])).toEqual([1, 1, 1]);
      now = 999;
      expect(await value()).toBe(1);
      now = 1_000;
      expect(await value()).toBe(2);
    } finally {
      Date.now = realNow;
    }
  });
});
