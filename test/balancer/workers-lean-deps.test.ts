import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as promClient from 'prom-client';
import * as undici from 'undici';
import { describe, expect, it } from 'vitest';
import * as lean from '../../src/balancer/lean-deps.js';

describe('lean-deps: undici and prom-client parts without their index', () => {
  it('are the very classes the packages export (an upgrade that moves them fails here)', () => {
    expect(lean.Pool).toBe(undici.Pool);
    expect(lean.Registry).toBe(promClient.Registry);
    expect(lean.collectDefaultMetrics).toBe(promClient.collectDefaultMetrics);
    expect(lean.AggregatorRegistry).toBe(promClient.AggregatorRegistry);
  });

  it('a worker process loads neither package index', () => {
    // The built worker entry (what cluster forks), imported in a plain process: without an IPC
    // channel it says hello to nobody and waits.
    const worker = fileURLToPath(new URL('../../dist/balancer/workers/worker-main.js', import.meta.url));
    const loaded = execFileSync(
      process.execPath,
      [
        '-e',
        `import(${JSON.stringify(worker)}).then(() => { console.log(JSON.stringify(Object.keys(require.cache))); process.exit(0); })`,
      ],
      { encoding: 'utf8', timeout: 20_000 },
    );
    const files = JSON.parse(loaded.trim().split('\n').at(-1)!) as string[];
    expect(files.some((f) => f.includes('/undici/lib/dispatcher/pool.js'))).toBe(true);
    expect(files.filter((f) => /\/(undici|prom-client)\/index\.js$/.test(f))).toEqual([]);
  });
});
