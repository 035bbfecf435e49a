// The cluster bench's results as markdown: the agents on 3 hosts beside one SQLite agent, then
// the Store-level table. Every figure is preliminary (shared machine); read the ratios.
import { storeLatencyMarkdown } from './store-latency.mjs';

const ms = (v) => (Number.isFinite(v) ? v.toFixed(1) : 'n/a');
const n0 = (v) => (Number.isFinite(v) ? v.toFixed(0) : 'n/a');
const pct = (v) => (Number.isFinite(v) ? `${v.toFixed(2)}%` : 'n/a');
const each = (list, f) => list.map(f).join(' / ');

function agentsSection(r, e, s) {
  const lines = [];
  const cols = [e ? 'etcd, 3 hosts' : undefined, s ? 'SQLite, 1 agent' : undefined].filter(Boolean);
  const runs = [e, s].filter(Boolean);
  const row = (label, f) => lines.push(`| ${label} | ${runs.map(f).join(' | ')} |`);
  lines.push(
    `## Agents: ${r.config.instances} instances registered through the agents' API`,
    '',
    e
      ? `etcd: one member and one \`portico agent --node\` per namespace host (${r.hosts.subnet}); instance i goes to host i mod 3, under that host's lease. Values per agent read host-a / host-b / host-c; host A writes the changes, host C runs the blocking query.`
      : '',
    '',
    `| measure | ${cols.join(' | ')} |`,
    `|---|${cols.map(() => '---').join('|')}|`,
  );
  row(
    `registrations/s, 1 lane (${r.config.lane1})`,
    (x) =>
      `${n0(x.register.lanes1.perSecond)} (ack p50 ${ms(x.register.lanes1.ack.p50)} ms, p99 ${ms(x.register.lanes1.ack.p99)} ms)`,
  );
  row(
    `registrations/s, 8 lanes (${r.config.instances - Math.min(r.config.lane1, r.config.instances)})`,
    (x) =>
      `${n0(x.register.lanes8.perSecond)} (ack p50 ${ms(x.register.lanes8.ack.p50)} ms, p99 ${ms(x.register.lanes8.ack.p99)} ms)`,
  );
  row(
    'failed registrations',
    (x) => `${x.register.errors}${x.register.firstError ? ` (${x.register.firstError})` : ''}`,
  );
  row('agent CPU while registering (% of a core)', (x) => each(x.register.agentCpu, (c) => pct(c)));
  row('agent busy after the last ack: s until under 10% CPU (CPU s spent)', (x) =>
    each(
      x.settle,
      (c) => `${c.seconds === null ? 'never' : c.seconds.toFixed(1)} (${c.cpuSeconds.toFixed(1)})`,
    ),
  );
  row('then every agent serves the full catalog, s', (x) =>
    each(x.converge, (c) =>
      c.seconds === null ? `never (last: ${JSON.stringify(c.last)})` : c.seconds.toFixed(1),
    ),
  );
  row(
    'write acknowledged, p50 / p99 (ms)',
    (x) => `${ms(x.visibility.ack.p50)} / ${ms(x.visibility.ack.p99)}`,
  );
  row('change visible via SSE, p50 (ms) per agent', (x) => each(x.visibility.sse, (a) => ms(a.p50)));
  row('change visible via SSE, p99 (ms) per agent', (x) => each(x.visibility.sse, (a) => ms(a.p99)));
  row(
    'change visible on the last agent (host C) via Consul blocking query, p50 / p99 (ms)',
    (x) => `${ms(x.visibility.blockingQuery.p50)} / ${ms(x.visibility.blockingQuery.p99)}`,
  );
  row(
    'fan-out: seen by every agent, p50 / p99 / max (ms)',
    (x) => `${ms(x.visibility.fanout.p50)} / ${ms(x.visibility.fanout.p99)} / ${ms(x.visibility.fanout.max)}`,
  );
  row(
    'receipts missed (SSE / blocking query, 5 s limit)',
    (x) => `${x.visibility.missedSse} / ${x.visibility.missedQuery}`,
  );
  row('RSS before registering (MB)', (x) => each(x.agents, (a) => n0(a.rssStartMb)));
  row(`RSS with ${r.config.instances} instances (MB)`, (x) => each(x.rssLoadedMb, n0));
  row('RSS peak over the run (MB)', (x) => each(x.rssPeakMb, n0));
  row(`idle CPU over ${r.config.idleSeconds} s (% of a core)`, (x) => each(x.idle, (a) => pct(a.cpuPercent)));
  row('instances served at the end', (x) => each(x.final, (f) => f.instances ?? f.error));
  row(
    'stale seen (polls of /api/v1/agent each second)',
    (x) => `${each(x.stale.staleSeen, String)} of ${x.stale.polls}`,
  );
  row('lease lost / granted again (agent warnings)', (x) => each(x.final, (f) => `${f.lost}/${f.regranted}`));
  row('watch / monitor errors (agent warnings)', (x) =>
    each(x.final, (f) => `${f.watchErrors}/${f.monitorErrors}`),
  );
  lines.push('');
  lines.push(
    `Changes: ${r.config.changes} (register, then deregister, of an instance of service "vis" through the first agent), each timed from the moment the write is sent.`,
  );
  if (e?.etcdRssMb)
    lines.push(`etcd members' RSS at the end: ${each(e.etcdRssMb, (m) => `${m.member} ${n0(m.rssMb)} MB`)}.`);
  return lines.join('\n');
}

export function markdown(r) {
  const lines = [
    `# cluster (preliminary: shared 2-core machine) — ${r.date}`,
    '',
    `load average at start: ${r.loadavgStart}; at end: ${r.loadavgEnd}`,
    '',
  ];
  if (r.hosts?.skipped) lines.push(`No namespace hosts (${r.hosts.skipped}): agent part skipped.`, '');
  if (r.etcdAgents || r.sqliteAgent) lines.push(agentsSection(r, r.etcdAgents, r.sqliteAgent), '');
  if (r.store) lines.push('## Store layer', '', storeLatencyMarkdown(r.store, r.store.where), '');
  if (r.error) lines.push('## Run failed', '', '```', r.error, '```');
  return lines.join('\n');
}
