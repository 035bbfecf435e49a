import { describe, expect, it } from 'vitest';
import { advance, initialState } from '../../src/checks/status-machine.js';
import type { HealthStatus } from '../../src/core/model.js';

function run(results: HealthStatus[], rise = 2, fall = 3): HealthStatus[] {
  let s = initialState(0);
  return results.map((status, i) => {
    s = advance(s, { status, at: i + 1 }, rise, fall);
    return s.status;
  });
}

describe('rise/fall status machine', () => {
  it('takes the first result as is', () => {
    expect(run(['passing'])).toEqual(['passing']);
    expect(run(['critical'])).toEqual(['critical']);
  });
  it('degrades to warning before fall, critical at fall', () => {
    expect(run(['passing', 'critical', 'critical', 'critical'])).toEqual([
      'passing',
      'warning',
      'warning',
      'critical',
    ]);
  });
  it('needs rise successes to recover, and one success resets the failure count', () => {
    expect(run(['critical', 'passing', 'passing'])).toEqual(['critical', 'critical', 'passing']);
    expect(run(['passing', 'critical', 'critical', 'passing', 'critical', 'critical'])).toEqual([
      'passing',
      'warning',
      'warning',
      'passing',
      'warning',
      'warning',
    ]);
  });
  it('passes a probe warning through and counts it toward rise', () => {
    expect(run(['passing', 'warning'])).toEqual(['passing', 'warning']);
    expect(run(['critical', 'warning', 'warning'])).toEqual(['critical', 'critical', 'warning']);
  });
  it('keeps `since` at the last change', () => {
    let s = initialState(0);
    s = advance(s, { status: 'passing', at: 10 }, 1, 1);
    s = advance(s, { status: 'passing', at: 20 }, 1, 1);
    expect(s.since).toBe(10);
    s = advance(s, { status: 'critical', at: 30 }, 1, 1);
    expect(s).toMatchObject({ status: 'critical', since: 30 });
  });
});
