/**
 * A worker process of `lb serve --workers N`, started by the primary through node:cluster.
 * It proxies on the shared listening sockets and nothing else: the primary sends the spec,
 * health verdicts (it runs the one checker), reloads and the drain; the worker sends back
 * readiness, status, access log lines and its drain report.
 */

import { PorticoError } from '../../core/errors.js';
import { Balancer } from '../balancer.js';
import { AggregatorRegistry } from '../lean-deps.js';
import { type FromWorker, isToWorker, type ToWorker } from './protocol.js';

/** Send to the primary; `then` runs once the message is written (or at once without a channel). */
const send = (m: FromWorker, then?: () => void): void => {
  if (process.connected) process.send!(m, undefined, undefined, () => then?.());
  else then?.();
};

let balancer: Balancer | undefined;
let stopCatalog: (() => Promise<void>) | undefined;
let draining: Promise<void> | undefined;

// The primary coordinates reloads; a SIGHUP sent to the whole process group must not kill us.
process.on('SIGHUP', () => {});
// A signal sent to the whole group (kill -TERM -PGID) drains like the primary's message does.
for (const s of ['SIGTERM', 'SIGINT'] as const)
  process.on(s, () => void drain(balancer?.spec.drainTimeoutMs));

process.on('message', (raw: unknown) => {
  if (!isToWorker(raw)) return;
  const m = raw as ToWorker;
  switch (m.portico) {
    case 'start':
      void start(m);
      break;
    case 'health':
      balancer?.applyHealthVerdicts(m.verdicts);
      break;
    case 'eject':
      balancer?.applyEjection(m.ejection);
      break;
    case 'reload':
      if (balancer) send({ portico: 'reloaded', report: balancer.reload(m.spec) });
      break;
    case 'status':
      if (balancer) send({ portico: 'status', id: m.id, status: balancer.status() });
      break;
    case 'drain':
      void drain(m.timeoutMs);
      break;
  }
});

// The primary's AggregatorRegistry asks every worker for its registry and sums them;
// constructing one is what makes prom-client answer those requests in a worker. Nothing to
// report until the balancer exists (an answer at once, not a 5 s timeout at the primary).
new AggregatorRegistry();
AggregatorRegistry.setRegistries([]);

send({ portico: 'hello' });

async function start(m: Extract<ToWorker, { portico: 'start' }>): Promise<void> {
  try {
    const b = new Balancer(m.spec, process.env, {
      remoteHealth: true,
      accessLogSink: (text) => send({ portico: 'log', text }),
      onEjection: (ejection) => send({ portico: 'ejected', ejection }),
    });
    b.applyHealthVerdicts(m.verdicts);
    for (const e of m.ejections) b.applyEjection(e);
    AggregatorRegistry.setRegistries([b.metrics]);
    await b.start();
    balancer = b;
    if (m.store) {
      const { openStore } = await import('../../store/index.js');
      const { followCatalog } = await import('../catalog.js');
      const store = await openStore(m.store.url, process.env, m.store.project, m.store.manifest);
      const stop = new AbortController();
      const following = followCatalog(b, store, stop.signal, (e) =>
        send({ portico: 'warn', message: `catalog: ${(e as Error).message}` }),
      );
      stopCatalog = async () => {
        stop.abort();
        await following;
        await store.close();
      };
    }
    send({ portico: 'ready' });
  } catch (error) {
    const e = error as Error;
    send(
      {
        portico: 'failed',
        code: error instanceof PorticoError ? error.code : 'E_INTERNAL',
        message: e.message,
        ...(error instanceof PorticoError && error.hint ? { hint: error.hint } : {}),
      },
      () => process.exit(2),
    );
  }
}

/** Stop accepting, let requests in flight finish, report, exit. Idempotent. */
function drain(timeoutMs: number | undefined): Promise<void> {
  draining ??= (async () => {
    if (!balancer) process.exit(0);
    const report = await balancer.drain(timeoutMs ?? balancer.spec.drainTimeoutMs);
    await stopCatalog?.();
    // Exit once the report is written to the channel (the primary waits for our exit).
    send({ portico: 'drained', report }, () => process.exit(0));
  })();
  return draining;
}
