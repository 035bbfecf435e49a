/** Compose durations use Go's syntax: "1m30s", "10s", "500ms", "1h", "1.5s". Undefined if invalid. */
export function parseGoDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return value / 1e6; // bare numbers are nanoseconds in the spec
  if (typeof value !== 'string' || !/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(value.trim()))
    return undefined;
  const units: Record<string, number> = {
    ns: 1e-6,
    us: 1e-3,
    µs: 1e-3,
    ms: 1,
    s: 1000,
    m: 60_000,
    h: 3_600_000,
  };
  let total = 0;
  for (const m of value.trim().matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g))
    total += Number(m[1]) * units[m[2]!]!;
  return total;
}
