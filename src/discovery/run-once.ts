import { runCheck } from '../checks/run-check.js';
import { Semaphore } from '../checks/semaphore.js';
import type { CheckResult, Instance } from '../core/model.js';
import type { TtlRecord } from '../store/store.js';

export interface OnceResult {
  instance: Instance;
  checkId: string;
  kind: string;
  result: CheckResult;
}

/** Run every check of every instance once, `concurrency` at a time. */
export async function runChecksOnce(
  instances: Instance[],
  options: {
    env: NodeJS.ProcessEnv;
    signal?: AbortSignal;
    concurrency?: number;
    ttl?: TtlRecord[];
    onProgress?: (done: number, total: number) => void;
  },
): Promise<OnceResult[]> {
  const semaphore = new Semaphore(options.concurrency ?? 32);
  const jobs = instances.flatMap((instance) => instance.checks.map((check) => ({ instance, check })));
  let done = 0;
  return await Promise.all(
    jobs.map(async ({ instance, check }) => {
      await semaphore.acquire();
      try {
        const result = await runCheck(
          check,
          { address: instance.address, port: instance.port, instanceId: instance.id },
          {
            env: options.env,
            ...(options.signal ? { signal: options.signal } : {}),
            ttlReport: (i, c) => options.ttl?.find((t) => t.instanceId === i && t.checkId === c),
          },
        );
        options.onProgress?.(++done, jobs.length);
        return { instance, checkId: check.id, kind: check.kind, result };
      } finally {
        semaphore.release();
      }
    }),
  );
}
