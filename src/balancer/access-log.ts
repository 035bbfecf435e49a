import { createWriteStream } from 'node:fs';

export interface AccessEntry {
  time: string;
  route: string;
  method: string;
  path: string;
  status: number;
  upstream: string | null;
  durationMs: number;
  client: string;
  attempts: number;
  error?: string;
}

/** Logs one request; `flush` writes what is batched now (before a drain ends, at exit). */
export type AccessLogger = ((entry: AccessEntry) => void) & { flush(): void };

export type AccessLogTarget = 'stderr' | 'stdout' | { file: string };

/** Where finished lines go: a stream here, or (in a worker process) the primary's writer. */
export type AccessLogSink = (text: string) => void;

/** Lines are joined and written once per event-loop turn, not one write (syscall) per request. */
const maxBatchChars = 64 * 1024;

/** One JSON object per line; off unless configured. */
export function createAccessLog(
  target: AccessLogTarget | undefined,
  sink: AccessLogSink | undefined = target ? streamSink(target) : undefined,
): AccessLogger | undefined {
  if (!target || !sink) return undefined;
  let batch = '';
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    if (batch === '') return;
    const text = batch;
    batch = '';
    sink(text);
  };
  const log = (entry: AccessEntry): void => {
    batch += `${JSON.stringify(entry)}\n`;
    if (batch.length >= maxBatchChars) flush();
    else if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };
  return Object.assign(log, { flush });
}

/** The writer for a target: the process's stdout/stderr, or a file opened for appending. */
export function streamSink(target: AccessLogTarget): AccessLogSink {
  const stream =
    target === 'stderr'
      ? process.stderr
      : target === 'stdout'
        ? process.stdout
        : createWriteStream(target.file, { flags: 'a' });
  return (text) => {
    stream.write(text);
  };
}

let lastMs = 0;
let lastIso = '';

/** The current time as ISO 8601, computed once per millisecond however many requests end in it. */
export function nowIso(): string {
  const ms = Date.now();
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}
