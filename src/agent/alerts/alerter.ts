import { hostname } from 'node:os';
import type { CertificateSeen, CheckResult } from '../../core/model.js';
import type { Conflict } from '../../ports/conflicts/model.js';
import type { InstanceView } from '../context.js';
import { deliver } from './deliver.js';
import { AlertBook, type AlertChanges, evaluateAll, type FiringAlert } from './evaluate.js';
import { type Receiver, resolveReceivers } from './receivers.js';
import { certificateKey, ruleName } from './rules.js';
import type { AlertRule, AlertsConfig } from './schema.js';

/** An `alerts:` block with its secrets read: what a project (re)load hands to the alerter. */
export interface PreparedAlerts {
  intervalMs: number;
  rules: AlertRule[];
  receivers: Receiver[];
}

/** Read the receivers' secrets; throws E_ALERT_RECEIVER before anything is replaced. */
export function prepareAlerts(
  config: AlertsConfig | undefined,
  env: NodeJS.ProcessEnv,
): PreparedAlerts | undefined {
  if (!config) return undefined;
  return {
    intervalMs: config.interval,
    rules: config.rules,
    receivers: resolveReceivers(config.receivers, env),
  };
}

export interface AlerterOptions {
  project: () => string;
  /** The live catalog of the current cycle. */
  catalog: () => Promise<InstanceView[]>;
  /** The project's port conflicts (only called when a port-conflict rule exists). */
  conflicts: () => Promise<Conflict[]>;
  warn: (message: string) => void;
  /** Aborted when the agent stops: pending retries end. */
  signal: AbortSignal;
  now?: () => number;
}

/**
 * The agent's alerting: evaluates the rules every `interval` and right after a check
 * transition, keeps one firing alert per key (AlertBook), and posts firing and resolved
 * messages to the receivers. Messages for one alert and receiver go out in order (a resolve
 * never overtakes its firing); different alerts and receivers do not wait for each other.
 * Lives as long as the agent: a reload swaps rules and receivers and keeps what is firing.
 */
export class Alerter {
  private config: PreparedAlerts | undefined;
  private readonly book = new AlertBook();
  private readonly certificates = new Map<string, CertificateSeen>();
  private readonly lanes = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private conflicts: Conflict[] | undefined;
  private running: Promise<void> | undefined;
  private again: { scan: boolean } | undefined;
  private readonly host = hostname();
  /** Evaluations finished (tests wait on it instead of sleeping). */
  evaluations = 0;
  lastEvaluation: number | undefined;

  constructor(private readonly options: AlerterOptions) {}

  /** Take new rules and receivers (at start and on every reload); undefined turns alerting off. */
  use(config: PreparedAlerts | undefined): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.config = config;
    this.conflicts = undefined;
    if (!config || this.options.signal.aborted) return;
    this.timer = setInterval(() => this.evaluate({ scan: true }), config.intervalMs);
    this.evaluate({ scan: true });
  }

  /** Every probe result: remember the certificate a TLS check saw. */
  observe(instanceId: string, checkId: string, result: CheckResult): void {
    if (result.certificate) this.certificates.set(certificateKey(instanceId, checkId), result.certificate);
  }

  /** A check changed state: evaluate soon, without waiting for the next tick (no port scan). */
  poke(): void {
    if (this.config) this.evaluate({ scan: false });
  }

  /** GET /api/v1/alerts: rules, receivers (names and types only, never URLs) and what fires. */
  view() {
    const c = this.config;
    return {
      enabled: c !== undefined,
      intervalMs: c?.intervalMs ?? null,
      rules: (c?.rules ?? []).map((r) => ({ name: ruleName(r), kind: r.kind, notify: r.notify ?? null })),
      receivers: (c?.receivers ?? []).map((r) => ({ name: r.name, type: r.type })),
      evaluations: this.evaluations,
      lastEvaluation: this.lastEvaluation ?? null,
      firing: this.book.list().map((f) => ({
        ...f.alert,
        startsAt: f.startsAt,
        receivers: f.receivers,
        delivered: [...f.delivered].sort(),
      })),
    };
  }

  /** Stop evaluating; wait for deliveries (the agent's signal has cut their retries short). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    this.config = undefined;
    await this.running;
    await Promise.allSettled([...this.lanes.values()]);
  }

  /** One evaluation at a time; a request during one runs once more after it. */
  private evaluate(request: { scan: boolean }): void {
    if (this.running) {
      this.again = { scan: (this.again?.scan ?? false) || request.scan };
      return;
    }
    this.running = this.evaluateOnce(request.scan)
      .catch((error) => this.options.warn(`alerts: evaluation failed: ${(error as Error).message}`))
      .finally(() => {
        this.running = undefined;
        const next = this.again;
        this.again = undefined;
        if (next && this.config && !this.options.signal.aborted) this.evaluate(next);
      });
  }

  private async evaluateOnce(scan: boolean): Promise<void> {
    const config = this.config;
    if (!config) return;
    const needsPorts = config.rules.some((r) => r.kind === 'port-conflict');
    if (needsPorts && (scan || this.conflicts === undefined)) this.conflicts = await this.options.conflicts();
    const catalog = await this.options.catalog();
    if (this.config !== config) return; // replaced while reading: the new config evaluates itself
    const live = new Set(
      catalog.flatMap((v) => v.instance.checks.map((c) => certificateKey(v.instance.id, c.id))),
    );
    for (const key of this.certificates.keys()) if (!live.has(key)) this.certificates.delete(key);
    const now = (this.options.now ?? Date.now)();
    const active = evaluateAll(config.rules, {
      now,
      catalog,
      certificates: this.certificates,
      ...(needsPorts ? { conflicts: this.conflicts ?? [] } : {}),
    });
    const byName = new Map(config.rules.map((r) => [ruleName(r), r]));
    const everyone = config.receivers.map((r) => r.name);
    const changes = this.book.update(active, now, (alert) => byName.get(alert.rule)?.notify ?? everyone);
    this.evaluations++;
    this.lastEvaluation = now;
    this.dispatch(changes, config);
  }

  private dispatch(changes: AlertChanges, config: PreparedAlerts): void {
    for (const entry of changes.fired)
      for (const name of entry.receivers) this.send(entry, name, 'firing', undefined, config);
    for (const entry of changes.resolved)
      for (const name of entry.receivers) this.send(entry, name, 'resolved', entry.endsAt, config);
  }

  private send(
    entry: FiringAlert,
    receiverName: string,
    status: 'firing' | 'resolved',
    endsAt: number | undefined,
    config: PreparedAlerts,
  ): void {
    const receiver = config.receivers.find((r) => r.name === receiverName);
    if (!receiver) return;
    const lane = `${entry.alert.key}\u0000${receiverName}`;
    const previous = this.lanes.get(lane) ?? Promise.resolve();
    const next = previous.then(async () => {
      // A receiver that never took the firing message gets no resolve for it.
      if (status === 'resolved' && !entry.delivered.has(receiverName)) return;
      const message = {
        status,
        alert: entry.alert,
        project: this.options.project(),
        host: this.host,
        startsAt: entry.startsAt,
        ...(endsAt !== undefined ? { endsAt } : {}),
      };
      const outcome = await deliver(receiver.target, receiver.payload(message), {
        signal: this.options.signal,
        what: `${status} ${entry.alert.key}`,
        warn: this.options.warn,
      });
      if (outcome.ok && status === 'firing') entry.delivered.add(receiverName);
    });
    this.lanes.set(lane, next);
    void next.finally(() => {
      if (this.lanes.get(lane) === next) this.lanes.delete(lane);
    });
  }
}
