import { execFileSync } from 'node:child_process';
import { describe, it } from 'vitest';

/** CI=true: a test whose server or tool is missing must fail, never skip. */
export const isCI = process.env.CI === 'true' || process.env.CI === '1';

/** Multiplies waits on slow CI machines. */
export const timeScale = Number(process.env.PORTICO_TEST_TIME_SCALE ?? (isCI ? 2 : 1));

const cache = new Map<string, boolean>();

export function hasBinary(name: string): boolean {
  let ok = cache.get(name);
  if (ok === undefined) {
    try {
      execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
      ok = true;
    } catch {
      ok = false;
    }
    cache.set(name, ok);
  }
  return ok;
}

export const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

export type Requirement = string | { root: true } | { check: () => boolean; name: string };

function missing(requirements: Requirement[]): string[] {
  return requirements.flatMap((r) => {
    if (typeof r === 'string') return hasBinary(r) ? [] : [r];
    if ('root' in r) return isRoot ? [] : ['root privileges'];
    return r.check() ? [] : [r.name];
  });
}

/**
 * `describe` for integration tests that need real servers or privileges. Locally, a missing
 * requirement skips the block with the reason; under CI it becomes a failing test that names
 * what .ci/run failed to install.
 */
export function describeWith(requirements: Requirement[], name: string, fn: () => void): void {
  const absent = missing(requirements);
  if (absent.length === 0) {
    describe(name, fn);
  } else if (isCI) {
    describe(name, () => {
      it(`has its requirements (${requirements.map(String).join(', ')})`, () => {
        throw new Error(
          `missing under CI: ${absent.join(', ')} — scripts/ci/install-system-deps.sh must provide them`,
        );
      });
    });
  } else {
    describe.skip(`${name} (skipped locally: missing ${absent.join(', ')})`, fn);
  }
}
