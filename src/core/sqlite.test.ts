import { describe, expect, it } from 'vitest';
import { retryWhileBusy } from './sqlite.js';

const busy = () => Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });

describe('retryWhileBusy', () => {
  it('runs the step again while SQLite reports busy, then succeeds', () => {
    let calls = 0;
    retryWhileBusy(1000, () => {
      if (++calls < 4) throw busy();
    });
    expect(calls).toBe(4);
  });

  it('gives up with the busy error once the timeout has passed', () => {
    let calls = 0;
    expect(() =>
      retryWhileBusy(30, () => {
        calls++;
        throw busy();
      }),
    ).toThrow('database is locked');
    expect(calls).toBeGreaterThan(1);
  });

  it('does not retry other errors', () => {
    let calls = 0;
    expect(() =>
      retryWhileBusy(1000, () => {
        calls++;
        throw Object.assign(new Error('not a database'), { code: 'SQLITE_NOTADB' });
      }),
    ).toThrow('not a database');
    expect(calls).toBe(1);
  });
});
