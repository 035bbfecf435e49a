import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import { type AccessLogger, nowIso } from './access-log.js';
import { hashKeyOf } from './hash-key.js';
import { clientResponseHeaders, clientResponseHeadersFromParsed, upstreamRequestHeaders } from './headers.js';
import type { BalancerSpec, RouteSpec } from './model.js';
import type { UpstreamPool } from './pool.js';
import type { RetryBudget } from './retry-budget.js';
import type { Upstream } from './upstream.js';

export interface HttpRoute {
  spec: RouteSpec;
  pool: UpstreamPool;
  budget: RetryBudget;
}

export interface ExchangeContext {
  spec: BalancerSpec;
  proto: 'http' | 'https';
  isTrusted: (ip: string) => boolean;
  accessLog: AccessLogger | undefined;
}

/** Methods a retry may repeat (RFC 9110 §9.2.2). */
export const idempotent: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);

/** Thrown into undici to drop a 502/503 response we are going to retry elsewhere. */
class RetryOnAnother extends Error {}
class TotalTimeout extends Error {}
class ClientGone extends Error {}

type Failure = 'connect' | 'timeout' | 'protocol';

/**
 * One client request through the balancer: pick an upstream, stream the request to it and the
 * response back (with backpressure both ways), and on failure decide between another upstream
 * (idempotent, body-less requests within the retry budget), 502 (refused, reset, bad answer)
 * and 504 (no answer in time). Implements undici's dispatch handler (the controller API of
 * undici 7), so no per-request stream or promise objects are created on the happy path.
 */
export class Exchange implements Dispatcher.DispatchHandler {
  private upstream: Upstream | undefined;
  private excluded: Set<Upstream> | undefined;
  private attempts = 0;
  /** The current attempt's controller: abort (retry, timeout, client gone), pause/resume. */
  private controller: Dispatcher.DispatchController | undefined;
  private attemptStart = 0;
  private status = 0;
  private clientGone = false;
  private done = false;
  private readonly timer: NodeJS.Timeout;
  private readonly headers: string[];
  private readonly bodyless: boolean;
  private readonly hashKey: string | undefined;

  constructor(
    private readonly ctx: ExchangeContext,
    private readonly route: HttpRoute,
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly path: string,
    private readonly started: number,
  ) {
    const clientIp = req.socket.remoteAddress ?? '';
    this.headers = withoutExpect(
      upstreamRequestHeaders(req.rawHeaders, {
        clientIp,
        proto: ctx.proto,
        trusted: ctx.isTrusted(clientIp),
      }),
    );
    const te = req.headers['transfer-encoding'];
    const cl = req.headers['content-length'];
    this.bodyless = te === undefined && (cl === undefined || cl === '0');
    this.hashKey = route.spec.hashOn ? hashKeyOf(route.spec.hashOn, headerOf(req), clientIp) : undefined;
    this.timer = setTimeout(() => this.controller?.abort(new TotalTimeout()), ctx.spec.timeouts.totalMs);
    res.on('close', this.onClientClose); // removed in finish()
  }

  start(): void {
    this.route.budget.onRequest();
    this.attempt();
  }

  /** Select an upstream and send (`UpstreamPool.selectFor` waits or fails when there is none). */
  attempt(): void {
    const chosen = this.route.pool.selectFor(
      this,
      this.route.spec.name,
      this.excluded,
      this.hashKey,
      this.ctx.spec.timeouts.connectMs,
    );
    if (chosen === undefined) return;
    const u = chosen;
    this.upstream = u;
    this.attempts++;
    u.active++;
    u.requests++;
    this.attemptStart = performance.now();
    this.controller = undefined;
    const timeouts = this.ctx.spec.timeouts;
    u.dispatcher!.dispatch(
      {
        path: this.path,
        // Node's parser only lets known methods through; undici takes any token as well.
        method: this.req.method as Dispatcher.HttpMethod,
        headers: this.headers,
        body: this.bodyless ? null : this.req,
        headersTimeout: timeouts.headersMs,
        bodyTimeout: timeouts.idleMs,
      },
      this,
    );
  }

  // undici dispatch handler

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.clientGone) controller.abort(new ClientGone());
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    status: number,
    headers: IncomingHttpHeaders,
  ): void {
    if (status < 200) return; // 1xx: Node already answered Expect: 100-continue
    const u = this.upstream!;
    if ((status === 502 || status === 503) && this.canRetry(u)) {
      this.route.pool.recordFailure(u, Date.now());
      controller.abort(new RetryOnAnother());
      return;
    }
    this.status = status;
    const header = this.ctx.spec.upstreamHeader;
    const extra: [string, string] | undefined = header ? [header, u.id] : undefined;
    // The raw list keeps the upstream's header names as spelled and in order, as before.
    const raw = controller.rawHeaders;
    this.res.writeHead(
      status,
      Array.isArray(raw)
        ? clientResponseHeaders(raw, extra)
        : clientResponseHeadersFromParsed(headers, extra),
    );
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.res.write(chunk)) return;
    // Backpressure: stop reading the upstream until the client has taken what we wrote.
    controller.pause();
    this.res.once('drain', this.resumeUpstream);
  }

  private readonly resumeUpstream = (): void => {
    this.controller?.resume();
  };

  onResponseEnd(): void {
    this.res.end();
    const u = this.upstream!;
    u.observe(performance.now() - this.attemptStart, this.status);
    const now = Date.now();
    if (this.status >= 500 && this.status !== 501) this.route.pool.recordFailure(u, now);
    else this.route.pool.recordSuccess(u, now);
    this.releaseUpstream();
    this.finish();
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    const u = this.upstream;
    this.releaseUpstream();
    if (err instanceof RetryOnAnother) {
      u!.retries++;
      this.exclude(u!);
      this.attempt();
      return;
    }
    if (this.clientGone || err instanceof ClientGone) {
      this.finish();
      return;
    }
    const failure = classify(err);
    if (u) {
      if (failure === 'connect') u.connectErrors++;
      if (failure === 'timeout') u.timeouts++;
      this.route.pool.recordFailure(u, Date.now());
    }
    if (this.res.headersSent) {
      // Mid-body failure: the client must see a broken response, not a truncated "success".
      this.res.destroy(err);
      this.finish(err.message);
      return;
    }
    if (failure === 'connect' && u && this.canRetry(u)) {
      u!.retries++;
      this.exclude(u!);
      this.attempt();
      return;
    }
    const where = u ? `upstream ${u.id}` : 'the upstream';
    if (err instanceof TotalTimeout)
      this.fail(504, 'timeout', `${where} did not finish within ${this.ctx.spec.timeouts.totalMs}ms`);
    else if (failure === 'timeout')
      this.fail(504, 'timeout', `${where} did not answer in time (${describeTimeout(err, this.ctx.spec)})`);
    else
      this.fail(
        502,
        failure === 'connect' ? 'connect-failed' : 'bad-upstream',
        `${where} failed: ${err.message}`,
      );
  }

  /**
   * Another attempt is worth it when an upstream other than the one that failed is left. The
   * failed one need not be in the pool any more: an instance removed from the catalog while its
   * request was in flight (deregistered, then stopped) fails after the pool dropped it.
   */
  private canRetry(failed: Upstream): boolean {
    return (
      this.bodyless &&
      idempotent.has(this.req.method ?? '') &&
      this.attempts <= this.ctx.spec.retry.attempts &&
      this.route.pool.upstreams.some((x) => x !== failed && !this.excluded?.has(x)) &&
      this.route.budget.tryRetry()
    );
  }

  private exclude(u: Upstream): void {
    this.excluded ??= new Set();
    this.excluded.add(u);
  }

  private releaseUpstream(): void {
    if (!this.upstream || this.upstream.active === 0) return;
    this.route.pool.release(this.upstream);
  }

  private readonly onClientClose = (): void => {
    if (this.res.writableFinished) return;
    this.clientGone = true;
    this.controller?.abort(new ClientGone());
  };

  stillWanted(): boolean {
    if (!this.clientGone) return true;
    this.finish();
    return false;
  }

  fail(status: number, code: string, message: string): void {
    if (!this.res.headersSent && !this.clientGone) {
      this.status = status;
      const body = `portico: ${message}\n`;
      this.res.writeHead(status, {
        'content-type': 'text/plain; charset=utf-8',
        'content-length': Buffer.byteLength(body),
        'x-portico-error': code,
      });
      this.res.end(body);
    }
    this.finish(message);
  }

  private finish(error?: string): void {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.timer);
    this.res.off('close', this.onClientClose);
    const log = this.ctx.accessLog;
    if (log) {
      log({
        time: nowIso(),
        route: this.route.spec.name,
        method: this.req.method ?? '',
        path: this.req.url ?? '',
        status: this.clientGone ? 499 : this.status,
        upstream: this.upstream?.id ?? null,
        durationMs: Math.round((performance.now() - this.started) * 100) / 100,
        client: this.req.socket.remoteAddress ?? '',
        attempts: this.attempts,
        ...(error ? { error } : {}),
      });
    }
  }
}

/**
 * Node's server has already answered `Expect: 100-continue` (it sends the 100 itself), and
 * undici refuses a request carrying Expect: the upstream gets the body without it.
 */
function withoutExpect(headers: string[]): string[] {
  for (let i = 0; i < headers.length; i += 2)
    if (headers[i]!.length === 6 && headers[i]!.toLowerCase() === 'expect') {
      headers.splice(i, 2);
      i -= 2;
    }
  return headers;
}

function classify(err: Error & { code?: string }): Failure {
  switch (err.code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return 'timeout';
    case 'ECONNREFUSED':
    case 'ECONNRESET':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_CLOSED':
      return 'connect';
    default:
      return err instanceof TotalTimeout ? 'timeout' : 'protocol';
  }
}

function describeTimeout(err: Error & { code?: string }, spec: BalancerSpec): string {
  if (err.code === 'UND_ERR_CONNECT_TIMEOUT') return `connect timeout ${spec.timeouts.connectMs}ms`;
  if (err.code === 'UND_ERR_HEADERS_TIMEOUT') return `response headers timeout ${spec.timeouts.headersMs}ms`;
  if (err.code === 'UND_ERR_BODY_TIMEOUT') return `idle timeout ${spec.timeouts.idleMs}ms`;
  return err.message;
}

/** A header of Node's parsed request by lower-case name; repeated ones joined, as Node keeps them. */
function headerOf(req: IncomingMessage): (lowerName: string) => string | undefined {
  return (name) => {
    const v = req.headers[name];
    return Array.isArray(v) ? v.join(',') : v;
  };
}
