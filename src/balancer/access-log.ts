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

export type AccessLogger = (entry: AccessEntry) => void;

/** One JSON object per line; off unless configured. */
export function createAccessLog(
  target: 'stderr' | 'stdout' | { file: string } | undefined,
): AccessLogger | undefined {
  if (!target) return undefined;
  const stream =
    target === 'stderr'
      ? process.stderr
      : target === 'stdout'
        ? process.stdout
        : createWriteStream(target.file, { flags: 'a' });
  return (entry) => {
    stream.write(`${JSON.stringify(entry)}\n`);
  };
}
