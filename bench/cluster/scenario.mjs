// The agent-level measures, run the same way on the 3-host etcd cluster and on one SQLite agent:
// registrations through each host's agent API (1 lane, then 8), convergence of every agent to
// the full catalog, change on host A → visible on every agent (SSE) and on host C's Consul
// blocking query, RSS and CPU of each agent, and health afterwards (stale flags, lost leases).
import { setTimeout as sleep } from 'node:timers/promises';
import { quantile } from '../lib/measure.mjs';
import { blockingQuery, call, catalogSize, sseClient } from './agents.mjs';
import { cpuMeter, cpuSecondsOf, rssMb } from './processes.mjs';

export const stats = (l) =>
  l.length === 0
    ? { n: 0, p50: Number.NaN, p99: Number.NaN, max: Number.NaN }
    : { n: l.length, p50: quantile(l, 0.5), p99: quantile(l, 0.99), max: Math.max(...l) };

/** Instance i of the bench catalog, registered on agents[i % agents.length] at that host's address. */
const instanceBody = (i, address) => ({
  id: `cb-${i}`,
  service: `svc-${i % 100}`,
  address,
  port: 20000 + (i % 40000),
  protocol: 'tcp',
  tags: ['bench'],
  meta: { shard: String(i % 4) },
});

/** Poll /api/v1/agent on every agent every second; remember every `stale: true` seen. */
export function staleWatch(agents) {
  const seen = agents.map(() => 0);
  let polls = 0;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      polls++;
      await Promise.all(
        agents.map(async (a, i) => {
          const doc = await call(a, 'GET', '/api/v1/agent').catch(() => undefined);
          if (doc?.json?.cluster?.stale ?? doc?.json?.stale) seen[i]++;
        }),
      );
      await sleep(1000);
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
      return { polls, staleSeen: seen };
    },
  };
}

/**
 * Register `total` instances: the first `lane1` one at a time, the rest over 8 concurrent lanes,
 * instance i through agent i % n. Gives up after `maxErrors` failed writes.
 */
export async function registerAll(agents, total, lane1, { maxErrors = 100 } = {}) {
  const acks = [];
  let errors = 0;
  let firstError;
  const one = async (i) => {
    const agent = agents[i % agents.length];
    const t = performance.now();
    try {
      await call(agent, 'POST', '/api/v1/instances', instanceBody(i, agent.address));
      acks.push(performance.now() - t);
    } catch (error) {
      errors++;
      firstError ??= error.message;
      if (errors > maxErrors) throw new Error(`${errors} failed registrations, first: ${firstError}`);
    }
  };
  const phase = async (from, to, lanes) => {
    if (to <= from) return { count: 0, perSecond: Number.NaN, seconds: 0 };
    let next = from;
    const t = performance.now();
    await Promise.all(
      Array.from({ length: lanes }, async () => {
        for (let i = next++; i < to; i = next++) await one(i);
      }),
    );
    const seconds = (performance.now() - t) / 1000;
    return { count: to - from, seconds, perSecond: (to - from) / seconds };
  };
  const first = Math.min(lane1, total);
  const lanes1 = await phase(0, first, 1);
  const ack1 = stats(acks.splice(0));
  const lanes8 = await phase(first, total, 8);
  return { lanes1: { ...lanes1, ack: ack1 }, lanes8: { ...lanes8, ack: stats(acks) }, errors, firstError };
}

/** Until every agent serves `total` instances: seconds per agent from now (bounded). */
export async function converge(agents, total, timeoutMs) {
  const t0 = performance.now();
  const out = agents.map(() => undefined);
  const last = agents.map(() => undefined);
  const deadline = t0 + timeoutMs;
  while (out.some((x) => x === undefined) && performance.now() < deadline) {
    await Promise.all(
      agents.map(async (a, i) => {
        if (out[i] !== undefined) return;
        last[i] = await catalogSize(a).catch((e) => ({ error: e.message }));
        if (last[i].instances >= total) out[i] = (performance.now() - t0) / 1000;
      }),
    );
    if (out.some((x) => x === undefined)) await sleep(250);
  }
  return agents.map((a, i) => ({ agent: a.name, seconds: out[i] ?? null, last: last[i] }));
}

/**
 * `changes` writes through agents[writer] (register, then deregister, of instances in service
 * "vis"), each timed from the moment the write is sent: its acknowledgement, its SSE event on
 * every agent, and the answer of a Consul blocking query on agents[watcher]. Paced: the next
 * change is sent once every receipt is in (or after 5 s) and the query has re-armed.
 */
export async function changeVisibility(agents, writer, watcher, changes) {
  let pending;
  const clients = await Promise.all(
    agents.map((a, i) =>
      sseClient(a, (chunk, t) => {
        if (pending && !pending.sse.has(i) && chunk.includes(`"${pending.id}"`)) pending.sse.set(i, t);
      }),
    ),
  );
  const query = await blockingQuery(agents[watcher], 'vis', (t) => {
    if (pending && pending.query === undefined) pending.query = t;
  });
  await sleep(500); // the query reaches the agent and parks before the first change
  const ack = [];
  const sse = agents.map(() => []);
  const fanout = [];
  const queryDelays = [];
  let missedSse = 0;
  let missedQuery = 0;
  const w = agents[writer];
  try {
    for (let k = 0; k < changes; k++) {
      const id = `vis-${String(k >> 1).padStart(5, '0')}`;
      pending = { id, sse: new Map(), query: undefined };
      const t0 = performance.now();
      if (k % 2 === 0)
        await call(w, 'POST', '/api/v1/instances', {
          id,
          service: 'vis',
          address: w.address,
          port: 30000 + k,
        });
      else await call(w, 'DELETE', `/api/v1/instances/${encodeURIComponent(id)}`);
      ack.push(performance.now() - t0);
      const deadline = performance.now() + 5000;
      while (
        (pending.sse.size < agents.length || pending.query === undefined) &&
        performance.now() < deadline
      )
        await sleep(1);
      for (let i = 0; i < agents.length; i++) {
        const t = pending.sse.get(i);
        if (t === undefined) missedSse++;
        else sse[i].push(t - t0);
      }
      if (pending.sse.size === agents.length) fanout.push(Math.max(...pending.sse.values()) - t0);
      if (pending.query === undefined) missedQuery++;
      else queryDelays.push(pending.query - t0);
      pending = undefined;
      await sleep(50); // the blocking query re-arms with the new index
    }
  } finally {
    for (const c of clients) c.close();
    await query.close();
  }
  return {
    changes,
    ack: stats(ack),
    sse: agents.map((a, i) => ({ agent: a.name, ...stats(sse[i]) })),
    fanout: stats(fanout),
    blockingQuery: { agent: agents[watcher].name, ...stats(queryDelays) },
    missedSse,
    missedQuery,
  };
}

/**
 * After the writes stop: seconds until each agent's CPU stays under `quietPercent` of a core for
 * 2 s in a row (work still queued behind the writes: watch events, reloads). Bounded.
 */
export async function settle(agents, maxSeconds, quietPercent = 10) {
  const t0 = performance.now();
  const quietSince = agents.map(() => undefined);
  const settled = agents.map(() => undefined);
  const cpuSeconds = agents.map(() => 0);
  let last = agents.map((a) => cpuSecondsOf(a.pid));
  while (settled.some((x) => x === undefined) && performance.now() - t0 < maxSeconds * 1000) {
    const tick = performance.now();
    await sleep(500);
    const now = agents.map((a) => cpuSecondsOf(a.pid));
    const wall = (performance.now() - tick) / 1000;
    agents.forEach((_, i) => {
      if (settled[i] !== undefined) return;
      cpuSeconds[i] += now[i] - last[i];
      const percent = ((now[i] - last[i]) / wall) * 100;
      if (percent >= quietPercent) quietSince[i] = undefined;
      else quietSince[i] ??= tick;
      if (quietSince[i] !== undefined && performance.now() - quietSince[i] >= 2000)
        settled[i] = (quietSince[i] - t0) / 1000;
    });
    last = now;
  }
  return agents.map((a, i) => ({ agent: a.name, seconds: settled[i] ?? null, cpuSeconds: cpuSeconds[i] }));
}

/** CPU of every agent over `seconds` of doing nothing, and its RSS at the end. */
export async function idle(agents, seconds) {
  const meter = cpuMeter(agents.map((a) => a.pid));
  await sleep(seconds * 1000);
  const cpu = meter.end();
  return agents.map((a, i) => ({ agent: a.name, cpuPercent: cpu[i].percent, rssMb: rssMb(a.pid) }));
}

/** Lease warnings an agent printed (a lost lease means its instances left the catalog for a while). */
export function leaseWarnings(agent) {
  const out = agent.proc.output();
  return {
    lost: (out.match(/lease of host \S+ lost/g) ?? []).length,
    regranted: (out.match(/granted again/g) ?? []).length,
    watchErrors: (out.match(/watch: /g) ?? []).length,
    monitorErrors: (out.match(/monitor: /g) ?? []).length,
  };
}
