/**
 * A summary measure as a person reads it. KPIs are objects with numbers and units for --json
 * consumers ({ value: 12.5, unit: "ms", text: "12.5 ms p50 …" }); renderers show their text.
 */
export function extraText(value: unknown): string {
  if (value === null || value === undefined) return 'n/a';
  if (typeof value === 'object' && 'text' in value && typeof value.text === 'string') return value.text;
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** camelCase key → "camel case" label. */
export function extraLabel(key: string): string {
  return key.replace(/([A-Z])/g, ' $1').toLowerCase();
}
