import { describe, expect, it } from 'vitest';
import { pickers } from '../../src/balancer/pickers/index.js';
import type { PickContext } from '../../src/balancer/pickers/picker.js';
import { Upstream } from '../../src/balancer/upstream.js';

const ctx: PickContext = { now: 1_000_000, slowStartMs: 0 };
const make = (n: number, weights: number[] = []) =>
  Array.from(
    { length: n },
    (_, i) => new Upstream({ id: `u${i}`, address: '127.0.0.1', port: 9000 + i, weight: weights[i] ?? 1 }),
  );

/** What every picker must do, whatever its policy. */
describe.each(Object.keys(pickers) as Array<keyof typeof pickers>)('picker contract: %s', (name) => {
  it('returns one of the candidates, and undefined for none', () => {
    const p = pickers[name]();
    const all = make(3);
    p.rebuild?.(all);
    for (let i = 0; i < 50; i++) expect(all).toContain(p.pick(all, { ...ctx, hashKey: `k${i}` }));
    expect(p.pick([], ctx)).toBeUndefined();
  });
  it('never picks an upstream outside the candidates', () => {
    const p = pickers[name]();
    const all = make(4);
    p.rebuild?.(all);
    const some = [all[1]!, all[3]!];
    for (let i = 0; i < 100; i++) expect(some).toContain(p.pick(some, { ...ctx, hashKey: `k${i}` }));
  });
});

describe('picker policies', () => {
  it('round-robin shares evenly', () => {
    const p = pickers['round-robin']();
    const all = make(3);
    const counts = new Map<string, number>();
    for (let i = 0; i < 3000; i++) {
      const u = p.pick(all, ctx)!;
      counts.set(u.id, (counts.get(u.id) ?? 0) + 1);
    }
    expect([...counts.values()]).toEqual([1000, 1000, 1000]);
  });

  it('weighted round-robin is smooth (nginx order for 5,1,1)', () => {
    const p = pickers['weighted-round-robin']();
    const all = make(3, [5, 1, 1]);
    const seq = Array.from({ length: 7 }, () => p.pick(all, ctx)!.id);
    expect(seq).toEqual(['u0', 'u0', 'u1', 'u0', 'u2', 'u0', 'u0']);
  });

  it('least-conn prefers the least loaded, per unit of weight', () => {
    const p = pickers['least-conn']();
    const all = make(3, [1, 1, 4]);
    all[0]!.active = 5;
    all[1]!.active = 2;
    all[2]!.active = 6; // 6/4 = 1.5 < 2
    expect(p.pick(all, ctx)!.id).toBe('u2');
  });

  it('p2c-ewma steers away from a slow upstream', () => {
    const p = pickers['p2c-ewma']();
    const all = make(2);
    all[0]!.ewmaMs = 200;
    all[1]!.ewmaMs = 2;
    let slow = 0;
    for (let i = 0; i < 1000; i++) if (p.pick(all, ctx)!.id === 'u0') slow++;
    expect(slow).toBe(0);
  });

  it('consistent hash keeps keys in place and moves only the keys of a removed upstream', () => {
    const p = pickers['consistent-hash']();
    const all = make(5);
    p.rebuild?.(all);
    const keys = Array.from({ length: 2000 }, (_, i) => `user-${i}`);
    const before = keys.map((k) => p.pick(all, { ...ctx, hashKey: k })!.id);
    expect(keys.map((k) => p.pick(all, { ...ctx, hashKey: k })!.id)).toEqual(before);
    const shares = new Set(before);
    expect(shares.size).toBe(5);
    const without = all.filter((u) => u.id !== 'u2');
    const after = keys.map((k) => p.pick(without, { ...ctx, hashKey: k })!.id);
    const moved = keys.filter((_, i) => after[i] !== before[i]);
    expect(moved.every((_, i) => before[keys.indexOf(moved[i]!)] === 'u2')).toBe(true);
    for (const count of Object.values(countIds(before))) expect(count).toBeGreaterThan(200);
  });

  it("slow start lowers a warming upstream's share", () => {
    const p = pickers['weighted-round-robin']();
    const all = make(2);
    all[1]!.upSince = ctx.now - 1000; // 10% into a 10 s slow start
    const counts = countIds(
      Array.from({ length: 1000 }, () => p.pick(all, { now: ctx.now, slowStartMs: 10_000 })!.id),
    );
    expect(counts.u1).toBeLessThan(150);
  });
});

function countIds(ids: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const id of ids) out[id] = (out[id] ?? 0) + 1;
  return out;
}
