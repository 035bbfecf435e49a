#!/usr/bin/env node
// The catalog across hosts. Three "hosts" as network namespaces (10.200.2xx.0/24), one etcd 3.4
// member and one `portico agent --node host-X` per host, BENCH_INSTANCES (10,000) instances
// registered through the hosts' agent APIs (so under each host's lease, as in production):
// registrations/s, change on host A → visible on host C (SSE, Consul blocking query), fan-out to
// the 3 agents, RSS and idle CPU per agent, lost leases and stale flags. Beside it in the same
// run: one SQLite agent through the same steps, and the Store-level etcd vs SQLite table.
// Without root (no namespaces) only the Store table runs, on a 3-member etcd on 127.0.0.1.
// Preliminary figures on a shared 2-core machine: compare ratios, not milliseconds.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { writeResult } from '../lib/measure.mjs';
import { catalogSize, startAgent, tempDir } from './agents.mjs';
import { cleanupAll, cleanupOnSignals } from './cleanup.mjs';
import { startEtcd } from './etcd.mjs';
import { assertRouteVia, canMakeHosts, createHosts } from './hosts.mjs';
import { cpuMeter, rssMb, rssSampler } from './processes.mjs';
import { markdown } from './report.mjs';
import {
  changeVisibility,
  converge,
  idle,
  leaseWarnings,
  registerAll,
  settle,
  staleWatch,
} from './scenario.mjs';
import { storeLatency } from './store-latency.mjs';

const num = (name, fallback) => {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(v) || v < 0) {
    console.error(`${name} must be a whole number, got "${process.env[name]}"`);
    process.exit(2);
  }
  return v;
};
const config = {
  instances: num('BENCH_INSTANCES', 10_000),
  lane1: num('BENCH_LANE1', 1000),
  changes: num('BENCH_CHANGES', 200),
  idleSeconds: num('BENCH_IDLE_SECONDS', 20),
  convergeSeconds: num('BENCH_CONVERGE_SECONDS', 60),
  settleSeconds: num('BENCH_SETTLE_SECONDS', 300),
  sqliteAgent: num('BENCH_SQLITE_AGENT', 1) > 0,
  store: {
    registrations: num('BENCH_REGISTRATIONS', 1000),
    reads: num('BENCH_READS', 300),
    changes: num('BENCH_STORE_CHANGES', 200),
  },
};

async function freePort() {
  const server = createServer();
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}

/** Every step of the agent-level run on `agents` (the first writes, the last watches). */
async function agentRun(agents, label) {
  const log = (s) => console.log(`[${label}] ${s}`);
  const pids = agents.map((a) => a.pid);
  const out = { agents: agents.map((a) => ({ name: a.name, url: a.url, rssStartMb: rssMb(a.pid) })) };
  const peaks = rssSampler(pids);
  const stale = staleWatch(agents);
  try {
    log(`registering ${config.instances} instances (${config.lane1} one at a time, the rest over 8 lanes)`);
    const cpu = cpuMeter(pids);
    out.register = await registerAll(agents, config.instances, config.lane1);
    out.register.agentCpu = cpu.end().map((c) => c.percent);
    log(
      `registered: 1 lane ${out.register.lanes1.perSecond.toFixed(0)}/s, 8 lanes ${out.register.lanes8.perSecond.toFixed(0)}/s, errors ${out.register.errors}`,
    );
    out.settle = await settle(agents, config.settleSeconds);
    log(`quiet after: ${out.settle.map((c) => `${c.agent} ${c.seconds ?? 'never'} s`).join(', ')}`);
    out.converge = await converge(agents, config.instances, config.convergeSeconds * 1000);
    log(`converged: ${out.converge.map((c) => `${c.agent} ${c.seconds ?? 'never'}`).join(', ')}`);
    out.rssLoadedMb = pids.map(rssMb);
    log(`${config.changes} changes through ${agents[0].name}, watched on every agent`);
    out.visibility = await changeVisibility(agents, 0, agents.length - 1, config.changes);
    log(`settling, then ${config.idleSeconds} s idle`);
    await new Promise((r) => setTimeout(r, 3000));
    out.idle = await idle(agents, config.idleSeconds);
    out.final = await Promise.all(
      agents.map(async (a) => ({
        agent: a.name,
        ...(await catalogSize(a).catch((e) => ({ error: e.message }))),
        ...leaseWarnings(a),
      })),
    );
  } finally {
    out.stale = await stale.stop();
    out.rssPeakMb = peaks.stop();
  }
  return out;
}

const loadavg = () => readFileSync('/proc/loadavg', 'utf8').trim();
const result = { date: new Date().toISOString(), preliminary: true, loadavgStart: loadavg(), config };
cleanupOnSignals();
let failed = false;
try {
  const dir = tempDir('portico-cbench-');
  const noHosts = canMakeHosts();
  let etcd;
  let hosts;
  if (noHosts) {
    console.log(`no network namespaces (${noHosts}): Store table only, etcd on 127.0.0.1`);
    result.hosts = { skipped: noHosts };
    const members = [];
    for (const name of ['m0', 'm1', 'm2'])
      members.push({
        name,
        prefix: [],
        address: '127.0.0.1',
        client: await freePort(),
        peer: await freePort(),
        metrics: await freePort(),
      });
    etcd = await startEtcd(members, dir);
  } else {
    hosts = createHosts(3);
    result.hosts = { subnet: `${hosts.subnet}.0/24`, names: hosts.hosts.map((h) => h.name) };
    console.log(`hosts ${hosts.hosts.map((h) => `${h.name}=${h.address} (${h.ns})`).join(', ')}`);
    etcd = await startEtcd(
      hosts.hosts.map((h) => ({
        name: h.name,
        prefix: h.exec,
        address: h.address,
        client: 2379,
        peer: 2380,
        metrics: 2381,
      })),
      dir,
    );
  }
  console.log(`etcd ready: ${etcd.endpoints}`);
  console.log('Store table: etcd vs SQLite');
  result.store = await storeLatency(
    etcd.members.map((m) => m.endpoint),
    dir,
    config.store,
  );
  result.store.where = noHosts ? '127.0.0.1' : 'one member per namespace host';

  if (hosts) {
    for (const h of hosts.hosts) assertRouteVia(h.address, hosts.bridge);
    const agents = [];
    for (const h of hosts.hosts) {
      const agent = await startAgent({
        name: h.name,
        prefix: h.exec,
        listen: `${h.address}:7780`,
        store: `etcd://${etcd.endpoints}`,
        node: h.name,
      });
      agents.push({ ...agent, address: h.address });
    }
    result.etcdAgents = await agentRun(agents, 'etcd, 3 hosts');
    result.etcdAgents.etcdRssMb = etcd.members.map((m) => ({ member: m.name, rssMb: rssMb(m.proc.pid) }));
    for (const a of agents) await a.proc.stop();
  }
  if (config.sqliteAgent) {
    const agent = await startAgent({ name: 'sqlite', listen: '127.0.0.1:0' });
    result.sqliteAgent = await agentRun([{ ...agent, address: '127.0.0.1' }], 'SQLite, 1 host');
    await agent.proc.stop();
  }
} catch (error) {
  failed = true;
  result.error = error.stack ?? String(error);
  console.error(`cluster bench failed: ${error.stack ?? error}`);
} finally {
  await cleanupAll();
}
result.loadavgEnd = loadavg();
const md = markdown(result);
console.log(md);
// A failed run prints what it measured but never replaces the last complete results.
if (!failed) console.log(`written to ${writeResult('cluster', result, md)}`);
process.exit(failed ? 1 : 0);
