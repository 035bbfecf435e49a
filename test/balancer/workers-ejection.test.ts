import { describe, expect, it } from 'vitest';
import { UpstreamPool } from '../../src/balancer/pool.js';

const policies = {
  outlier: {
    consecutiveErrors: 2,
    baseEjectionMs: 1000,
    maxEjectionMs: 8000,
    maxEjectionPercent: 50,
    panicThresholdPercent: 0,
  },
  circuit: { maxConcurrent: 100, maxPending: 0 },
  slowStartMs: 0,
};
const pool = (n: number) =>
  new UpstreamPool(
    'web',
    'round-robin',
    policies,
    Array.from({ length: n }, (_, i) => ({ id: `u${i}`, address: '127.0.0.1', port: 9000 + i, weight: 1 })),
  );

describe('shared passive ejection (UpstreamPool.onEject / applyEjection)', () => {
  it('tells onEject what it decided, and the other pool applies it until the same time', () => {
    const here = pool(4);
    const there = pool(4);
    const told: Array<[string, number, number]> = [];
    here.onEject = (u) => told.push([u.id, u.ejectedUntil, u.ejections]);
    here.recordFailure(here.upstreams[1]!, 100);
    expect(told).toEqual([]);
    here.recordFailure(here.upstreams[1]!, 100);
    expect(told).toEqual([['u1', 1100, 1]]);
    const [, until, ejections] = told[0]!;
    there.applyEjection(there.upstreams[1]!, until, ejections, 150);
    expect(there.upstreams[1]!.available(150)).toBe(false);
    expect(there.upstreams[1]!.available(1100)).toBe(true); // readmitted at the same moment
    expect(there.ejectionsTotal).toBe(0); // counted by the pool that decided it
    // The doubling stays in step: the next ejection there lasts twice as long.
    there.recordFailure(there.upstreams[1]!, 2000);
    there.recordFailure(there.upstreams[1]!, 2000);
    expect(there.upstreams[1]!.ejectedUntil).toBe(4000);
  });

  it('never shortens an ejection, ignores expired ones, and keeps the cap', () => {
    const p = pool(4); // cap: 2 of 4
    p.applyEjection(p.upstreams[0]!, 5000, 1, 0);
    p.applyEjection(p.upstreams[0]!, 3000, 1, 0);
    expect(p.upstreams[0]!.ejectedUntil).toBe(5000);
    p.applyEjection(p.upstreams[1]!, 50, 1, 100);
    expect(p.upstreams[1]!.ejectedUntil).toBe(0);
    p.applyEjection(p.upstreams[1]!, 5000, 1, 100);
    p.applyEjection(p.upstreams[2]!, 5000, 1, 100);
    expect(p.upstreams.map((u) => u.available(100))).toEqual([false, false, true, true]);
  });
});
