import { PorticoError } from './errors.js';

const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "250ms", "5s", "1.5m", "2h"; a bare number means seconds (as `monitor 60` in the seed). */
export function parseDuration(value: string | number, what = 'duration'): number {
  if (typeof value === 'number') return checkFinite(value * 1000, String(value), what);
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(value);
  if (!m) {
    throw new PorticoError('E_DURATION_INVALID', `${what} "${value}" is not a duration`, {
      hint: 'Use a number with a unit: 500ms, 5s, 1m, 2h.',
    });
  }
  return checkFinite(Number(m[1]) * units[m[2] ?? 's']!, value, what);
}

function checkFinite(ms: number, original: string, what: string): number {
  if (!Number.isFinite(ms) || ms < 0 || ms > 2_147_483_647) {
    throw new PorticoError('E_DURATION_INVALID', `${what} "${original}" is out of range`);
  }
  return Math.round(ms);
}

export function formatDuration(ms: number): string {
  if (ms < 1) return `${ms.toFixed(2)}ms`;
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)}s`;
  return `${Math.round(ms / 1000)}s`;
}
