import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { freePort } from '../helpers/net.js';
import { tempDir } from '../helpers/tmp.js';

const dist = (p: string): string =>
  JSON.stringify(fileURLToPath(new URL(`../../dist/${p}`, import.meta.url)));

/**
 * A primary (the built Supervisor, forking real workers) that sends to a worker which died a
 * moment ago, before its event loop has read the end of that worker's channel. The busy wait
 * after the SIGKILL makes the window certain: the kernel has closed the dead worker's end while
 * `isConnected()` still says true. What is sent there: the primary's own messages (`post`), or
 * prom-client's request for every worker's metrics (its own send, no callback: Node reports the
 * failure as an 'error' event on the worker). Prints one JSON line with what it saw.
 */
const primaryScript = (mode: 'post' | 'metrics', port: number): string => `
import { AggregatorRegistry } from ${dist('balancer/lean-deps.js')};
import { specFromOptions } from ${dist('balancer/commands/spec-from-options.js')};
import { Supervisor } from ${dist('balancer/workers/supervisor.js')};
const spec = specFromOptions({ upstream: ['127.0.0.1:9'], listen: '127.0.0.1:${port}', admin: 'off' }, {}, process.cwd());
const warnings = [];
const sup = new Supervisor(2, {
  startMessage: () => ({ portico: 'start', spec, verdicts: [], ejections: [] }),
  onLog: () => {},
  onWarn: (m) => warnings.push(m),
  onEjection: () => {},
});
await sup.start();
const [victim, other] = sup.pids().map((p) => p.pid);
let answered = [];
let metrics;
process.kill(victim, 'SIGKILL');
const until = Date.now() + 300;
while (Date.now() < until) {} // the worker is gone; the primary has not looked yet
const connectedAtSend = sup.pids()[0].pid === victim;
if (${JSON.stringify(mode)} === 'post') {
  sup.broadcast({ portico: 'health', verdicts: [] });
  answered = (await sup.statuses(60000)).map((s) => s !== undefined);
} else {
  // The dead worker never answers: prom-client gives up after its own timeout.
  metrics = new AggregatorRegistry().clusterMetrics().then(() => 'answered', (e) => e.message);
}
const deadline = Date.now() + 10000;
while (sup.pids()[0].pid === victim && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
await new Promise((r) => setTimeout(r, 200));
const after = (await sup.statuses(5000)).map((s) => s !== undefined);
const pids = sup.pids().map((p) => p.pid);
metrics = await metrics;
await sup.drain(2000, 1000);
console.log(JSON.stringify({ victim, other, connectedAtSend, answered, metrics, pids, after, warnings }));
`;

interface Seen {
  victim: number;
  other: number;
  connectedAtSend: boolean;
  answered: boolean[];
  metrics?: string;
  pids: number[];
  after: boolean[];
  warnings: string[];
}

async function runPrimary(mode: 'post' | 'metrics'): Promise<Seen> {
  // A file, not `-e`: cluster starts workers with the primary's execArgv, `-e` and its script too.
  const script = join(tempDir(), 'primary.mjs');
  writeFileSync(script, primaryScript(mode, await freePort()));
  const { stdout } = await promisify(execFile)(process.execPath, [script], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Seen;
}

function expectReplaced(seen: Seen): void {
  expect(seen.connectedAtSend).toBe(true); // the window was real
  const exited = `(pid ${seen.victim}) exited (SIGKILL); starting a new one`;
  expect(seen.warnings.filter((w) => w.includes(exited))).toHaveLength(1);
  expect(seen.pids[0]).not.toBe(seen.victim);
  expect(seen.pids[1]).toBe(seen.other);
  expect(seen.after).toEqual([true, true]);
}

describe('lb serve --workers: a send that meets a worker which just died', () => {
  it("the primary's own messages: that worker is skipped at once and replaced, the other answers", async () => {
    const seen = await runPrimary('post');
    // The dead worker's status request failed at once: waiting out its 60 s timeout would
    // overrun the 30 s the script is given.
    expect(seen.answered).toEqual([false, true]);
    expectReplaced(seen);
  });

  it("prom-client's metrics request: a warning, not the end of the primary", async () => {
    const seen = await runPrimary('metrics');
    expect(
      seen.warnings.filter((w) => w.includes(`worker 1 (pid ${seen.victim}): write EPIPE`)),
    ).toHaveLength(1);
    expect(seen.metrics).toMatch(/timed out/i);
    expectReplaced(seen);
  });
});
