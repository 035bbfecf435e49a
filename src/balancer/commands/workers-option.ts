import { availableParallelism } from 'node:os';
import { PorticoError } from '../../core/errors.js';

/** `--workers N|auto` → N (1 = one process, the default). */
export function parseWorkers(value: string | undefined): number {
  if (value === undefined) return 1;
  const n = workersValue(value);
  return n === 'auto' ? availableParallelism() : n;
}

/** `--workers N|auto` as written (lb generate keeps `auto` for the gateway to resolve). */
export function workersValue(value: string): number | 'auto' {
  if (value === 'auto') return 'auto';
  const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(n) || n < 1 || n > maxWorkers)
    throw new PorticoError(
      'E_USAGE',
      `--workers must be a number from 1 to ${maxWorkers}, or auto (got ${value})`,
      {
        hint: `auto starts one worker per available CPU (${availableParallelism()} here).`,
      },
    );
  return n;
}

const maxWorkers = 256;
