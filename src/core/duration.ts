import { PorticoError } from './errors.js';

/**
 * Which program's duration syntax a value is written in. They share "number + unit" pieces but
 * differ in the units they accept and in what a bare number means:
 * - `portico`: 250ms, 5s, 1.5m, 2h; a bare number is seconds (as `monitor 60` in the seed).
 * - `go` (compose, Go's time.ParseDuration): 1m30s, 1.5s, 100ms, 1h, 10us, 5ns; only "0" may be bare.
 * - `nginx`: ms s m h d w M y, combinable with spaces ("1h 30m"); a bare number is seconds.
 * - `haproxy`: us ms s m h d; a bare number is milliseconds.
 * - `caddy`: Go durations plus d (days); a bare number is not accepted.
 */
export type DurationSyntax = 'portico' | 'go' | 'nginx' | 'haproxy' | 'caddy';

export interface DurationOptions {
  syntax?: DurationSyntax;
  /** Overrides what a bare number means ('none' rejects it), for callers whose format differs. */
  bareUnit?: 'ns' | 'us' | 'ms' | 's' | 'none';
  /** Named in the error message ("--max-time", "services.db.healthcheck.interval"). */
  what?: string;
}

const ms: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
  M: 30 * 86_400_000,
  y: 365 * 86_400_000,
};

const syntaxes: Record<
  DurationSyntax,
  { units: string[]; bare: NonNullable<DurationOptions['bareUnit']>; spaces: boolean }
> = {
  portico: { units: ['ms', 's', 'm', 'h'], bare: 's', spaces: false },
  go: { units: ['ns', 'us', 'µs', 'μs', 'ms', 's', 'm', 'h'], bare: 'none', spaces: false },
  nginx: { units: ['ms', 's', 'm', 'h', 'd', 'w', 'M', 'y'], bare: 's', spaces: true },
  haproxy: { units: ['us', 'ms', 's', 'm', 'h', 'd'], bare: 'ms', spaces: false },
  caddy: { units: ['ns', 'us', 'µs', 'μs', 'ms', 's', 'm', 'h', 'd'], bare: 'none', spaces: false },
};

/**
 * The one duration parser: milliseconds (possibly fractional) or undefined when `text` is not a
 * duration in that syntax. Pieces may be combined ("1m30s"); each unit's number may have a fraction.
 */
export function tryParseDuration(text: string, options: DurationOptions = {}): number | undefined {
  const syntax = syntaxes[options.syntax ?? 'portico'];
  const bare = options.bareUnit ?? syntax.bare;
  const value = text.trim();
  if (value === '') return undefined;
  if (/^\d+(?:\.\d+)?$/.test(value)) {
    if (bare === 'none') return Number(value) === 0 ? 0 : undefined; // Go accepts a bare "0"
    return Number(value) * ms[bare]!;
  }
  let total = 0;
  let rest = value;
  const unit = syntax.units
    .slice()
    .sort((a, b) => b.length - a.length)
    .join('|');
  const piece = new RegExp(`^(\\d+(?:\\.\\d*)?|\\.\\d+)(${unit})${syntax.spaces ? '\\s*' : ''}`);
  while (rest !== '') {
    const m = piece.exec(rest);
    if (!m) return undefined;
    total += Number(m[1]) * ms[m[2]!]!;
    rest = rest.slice(m[0].length);
  }
  return total;
}

/**
 * Parse a duration given on the command line or in Portico's own config: milliseconds (rounded),
 * or E_DURATION_INVALID. A number means `bareUnit` (seconds by default).
 */
export function parseDuration(
  value: string | number,
  what = 'duration',
  options: DurationOptions = {},
): number {
  const opts = { ...options, what };
  if (typeof value === 'number') {
    const bare = opts.bareUnit ?? syntaxes[opts.syntax ?? 'portico'].bare;
    return checkFinite(value * ms[bare === 'none' ? 's' : bare]!, String(value), what);
  }
  const parsed = tryParseDuration(value, opts);
  if (parsed === undefined) {
    throw new PorticoError('E_DURATION_INVALID', `${what} "${value}" is not a duration`, {
      hint: 'Use a number with a unit: 500ms, 5s, 1m, 2h.',
    });
  }
  return checkFinite(parsed, value, what);
}

function checkFinite(value: number, original: string, what: string): number {
  if (!Number.isFinite(value) || value < 0 || value > 2_147_483_647) {
    throw new PorticoError('E_DURATION_INVALID', `${what} "${original}" is out of range`);
  }
  return Math.round(value);
}

export function formatDuration(ms: number): string {
  if (ms < 1) return `${ms.toFixed(2)}ms`;
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)}s`;
  return `${Math.round(ms / 1000)}s`;
}
