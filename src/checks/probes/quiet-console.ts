/**
 * Database client libraries write some warnings straight to the console (ioredis "[WARN] Redis
 * server does not require a password…", mysql2 "Ignoring invalid configuration option…"). A
 * probe reports what it found in its result; these lines would land in the middle of Portico's
 * own output. The probes avoid the paths that print them where they can; this filter drops the
 * rest, and only lines that match these known texts, so Portico's and the user's output pass.
 */
const libraryLines: RegExp[] = [
  /^\[ioredis\] /,
  /^\[(?:WARN|ERROR)\] (?:Redis server|This Redis server|The server returned)/,
  /^Skipping the ready check because INFO command fails/,
  /^Ignoring invalid (?:configuration option|timezone) passed to Connection/,
  /^Warning: got packets out of order/,
];

let installed = false;

export function quietClientLibraries(): void {
  if (installed) return;
  installed = true;
  for (const method of ['warn', 'error', 'log'] as const) {
    const original = console[method].bind(console);
    console[method] = (...args: unknown[]): void => {
      const first = args[0];
      if (typeof first === 'string' && libraryLines.some((re) => re.test(first))) return;
      original(...args);
    };
  }
}
