import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { nowIso } from '../access-log.js';
import { type ExchangeContext, type HttpRoute, idempotent } from '../exchange.js';
import { hashKeyOf } from '../hash-key.js';
import type { UpstreamPool } from '../pool.js';
import type { Upstream } from '../upstream.js';
import { ChunkedEnd } from './chunked-end.js';
import { clientHead, upstreamHead } from './outgoing-head.js';
import { keep } from './read-buffer.js';
import { headerValue, type RequestHead } from './request-head.js';
import { BadResponse, parseResponseHead, type ResponseHead } from './response-head.js';
import type { ConnectionUser, UpstreamConnection } from './upstream-connections.js';
import { errorResponse } from './write-head.js';

export interface FastExchangeContext extends ExchangeContext {
  /** The balancer is draining: every answer closes its connection. */
  draining: boolean;
  /** The route of that name now: a reload that changes its picker replaces its pool. */
  currentRoute(name: string): HttpRoute | undefined;
}

/** The client side of an exchange, as the fast path's client connection provides it. */
export interface ExchangeClient {
  readonly socket: Socket;
  /** The peer's address ('' when the socket has none). */
  readonly clientIp: string;
  /** Answer with `Connection: close` and close after this exchange. */
  closeAfter: boolean;
  /** The exchange is over (answered, failed, or the client left). */
  exchangeDone(x: FastExchange): void;
  /** Stop / start reading the client (request body backpressure). */
  pauseReading(): void;
  resumeReading(): void;
}

/** Bytes of an upstream response head taken before it is refused (Node's default is 16 KiB). */
const maxResponseHeadBytes = 64 * 1024;

type Phase = 'waiting' | 'head' | 'body' | 'done';
type Failure = 'connect' | 'timeout' | 'protocol';

/**
 * One request through the fast HTTP/1.1 path: the same decisions as `Exchange` (pick, retry on
 * another upstream for idempotent body-less requests within the budget, passive health, 502 or
 * 504, circuit breaking), on raw sockets. The upstream's response is streamed to the client
 * byte for byte after a rewritten head: only the framing is followed (length, chunks, close),
 * never decoded, with backpressure both ways.
 */
export class FastExchange implements ConnectionUser {
  private upstream: Upstream | undefined;
  private conn: UpstreamConnection | undefined;
  /** Upstreams this request tried, by id (a reload may replace the pool and its objects). */
  private excluded: Set<string> | undefined;
  /** The pool of the current attempt (the route's pool may be replaced by a reload meanwhile). */
  private pool: UpstreamPool;
  private attempts = 0;
  private phase: Phase = 'waiting';
  private status = 0;
  private headSent = false;
  private responseBuf: Buffer | undefined;
  private response: ResponseHead | undefined;
  private bodyLeft = 0;
  private chunked: ChunkedEnd | undefined;
  /** Request body bytes still to come from the client. */
  private requestBodyLeft: number;
  /** Body bytes that came while no upstream connection was chosen (waiting for a slot). */
  private heldBody: Buffer[] | undefined;
  /** The request for the upstream, with the body bytes that came with its head. */
  private readonly requestHead: Buffer;
  private readonly bodyless: boolean;
  private readonly hashKey: string | undefined;
  private readonly clientIp: string;
  private attemptStart = 0;
  private readonly totalDeadline: number;
  private phaseDeadline = Number.POSITIVE_INFINITY;
  private phaseTimeout: 'connect' | 'headers' | 'idle' = 'connect';
  private pausedUpstream = false;
  private sentContinue = false;

  constructor(
    private readonly ctx: FastExchangeContext,
    private route: HttpRoute,
    private readonly client: ExchangeClient,
    private readonly req: RequestHead,
    path: string,
    private readonly started: number,
    /** Body bytes that arrived with the head. */
    firstBody: Buffer | undefined,
  ) {
    this.clientIp = client.clientIp;
    const facts = { clientIp: this.clientIp, proto: ctx.proto, trusted: ctx.isTrusted(this.clientIp) };
    // With its first body bytes: only a body-less request is ever sent twice (retries).
    this.requestHead = upstreamHead(req, path, facts, firstBody);
    this.bodyless = req.contentLength === 0;
    this.requestBodyLeft = req.contentLength - (firstBody?.length ?? 0);
    const hashOn = route.spec.hashOn;
    this.hashKey = hashOn
      ? hashKeyOf(hashOn, (name) => headerValue(req.rawHeaders, name), this.clientIp)
      : undefined;
    this.totalDeadline = started + ctx.spec.timeouts.totalMs;
    this.pool = route.pool;
  }

  /** Whether the request body has been read from the client to its end. */
  get requestRead(): boolean {
    return this.requestBodyLeft === 0;
  }

  get headersSent(): boolean {
    return this.headSent;
  }

  start(): void {
    this.route.budget.onRequest();
    this.attempt(this.started);
  }

  /**
   * Select an upstream and send (`UpstreamPool.selectFor` waits or fails when there is none).
   * `now`: the time, when the caller has just read it (the first attempt starts with the request).
   */
  attempt(now?: number): void {
    this.followReload();
    const pool = this.route.pool;
    this.pool = pool;
    const excluded = this.excluded && new Set(pool.upstreams.filter((u) => this.excluded!.has(u.id)));
    const chosen = pool.selectFor(
      this,
      this.route.spec.name,
      excluded,
      this.hashKey,
      this.ctx.spec.timeouts.connectMs,
    );
    if (chosen !== undefined) this.use(chosen, now);
  }

  stillWanted(): boolean {
    return this.phase !== 'done';
  }

  private use(u: Upstream, now = performance.now()): void {
    this.upstream = u;
    this.attempts++;
    u.active++;
    u.requests++;
    this.attemptStart = now;
    this.phase = 'head';
    this.response = undefined;
    this.responseBuf = undefined;
    const conn = u.connections!.take(this);
    this.conn = conn;
    const t = this.ctx.spec.timeouts;
    if (conn.connected) {
      this.phaseTimeout = 'headers';
      this.phaseDeadline = this.attemptStart + t.headersMs;
    } else {
      this.phaseTimeout = 'connect';
      this.phaseDeadline = this.attemptStart + t.connectMs;
    }
    // Written at once: a socket still connecting queues it.
    let flowing = conn.socket.write(this.requestHead);
    const held = this.heldBody;
    if (held) {
      this.heldBody = undefined;
      for (const b of held) flowing = conn.socket.write(b);
      if (flowing) this.client.resumeReading(); // else on the upstream's 'drain'
    }
  }

  /** More request body from the client; returns the bytes past the body (a pipelined request). */
  onClientBody(chunk: Buffer): Buffer | undefined {
    const take = Math.min(chunk.length, this.requestBodyLeft);
    this.requestBodyLeft -= take;
    const mine = take === chunk.length ? chunk : chunk.subarray(0, take);
    const conn = this.conn;
    if (conn === undefined) {
      // No upstream yet (every one is full): kept for it, and the client waits with them.
      if (this.phase !== 'done') {
        this.heldBody ??= [];
        this.heldBody.push(keep(mine));
        this.client.pauseReading();
      }
    } else if (this.phase !== 'done' && !conn.socket.write(keep(mine))) this.client.pauseReading();
    return take === chunk.length ? undefined : chunk.subarray(take);
  }

  // upstream connection events

  onUpstreamConnect(): void {
    if (this.phase !== 'head') return;
    this.phaseTimeout = 'headers';
    this.phaseDeadline = performance.now() + this.ctx.spec.timeouts.headersMs;
  }

  onUpstreamDrain(): void {
    this.client.resumeReading();
  }

  onUpstreamData(chunk: Buffer): void {
    if (this.phase === 'head') this.onHeadBytes(chunk);
    else if (this.phase === 'body') this.onBodyBytes(chunk);
  }

  private onHeadBytes(chunk: Buffer): void {
    let buf = this.responseBuf ? Buffer.concat([this.responseBuf, chunk]) : chunk;
    for (;;) {
      let head: ResponseHead | undefined;
      try {
        head = parseResponseHead(buf, this.req.method === 'HEAD');
      } catch (error) {
        this.upstreamFailed('protocol', error as Error);
        return;
      }
      if (!head) {
        if (buf.length > maxResponseHeadBytes)
          this.upstreamFailed('protocol', new BadResponse('response head too large'));
        else this.responseBuf = keep(buf); // kept past this read
        return;
      }
      buf = buf.subarray(head.headBytes);
      // Interim answers (103 Early Hints, a stray 100) are not passed on; the final one follows.
      if (head.status >= 100 && head.status < 200) {
        if (head.status === 101) {
          this.upstreamFailed(
            'protocol',
            new BadResponse('101 Switching Protocols to a request without Upgrade'),
          );
          return;
        }
        // The client waits for it before sending its body.
        if (head.status === 100 && this.req.expectContinue && !this.sentContinue) {
          this.sentContinue = true;
          this.client.socket.write('HTTP/1.1 100 Continue\r\n\r\n', 'latin1');
        }
        if (buf.length === 0) {
          this.responseBuf = undefined;
          return;
        }
        continue;
      }
      this.responseBuf = undefined;
      this.onResponseHead(head, buf);
      return;
    }
  }

  private onResponseHead(head: ResponseHead, rest: Buffer): void {
    const u = this.upstream!;
    if ((head.status === 502 || head.status === 503) && this.canRetry(u)) {
      this.pool.recordFailure(u, Date.now());
      u.retries++;
      this.exclude(u);
      this.releaseAttempt(false);
      this.attempt();
      return;
    }
    this.status = head.status;
    this.response = head;
    this.phase = 'body';
    this.phaseTimeout = 'idle';
    const now = performance.now();
    this.phaseDeadline = now + this.ctx.spec.timeouts.idleMs;
    const client = this.client;
    if (head.framing === 'close' || this.ctx.draining || this.req.close) client.closeAfter = true;
    this.headSent = true;
    if (head.framing === 'none') {
      this.writeHead(empty);
      this.complete(rest.length === 0, now);
      return;
    }
    if (head.framing === 'length') this.bodyLeft = head.contentLength;
    else if (head.framing === 'chunked') this.chunked = new ChunkedEnd();
    if (rest.length === 0) {
      this.writeHead(empty);
      if (head.framing === 'length' && head.contentLength === 0) this.complete(true, now);
      return;
    }
    this.onBodyBytes(rest, true, now);
  }

  /** The response head for the client, with `body` (the body bytes that came with it) in the same write. */
  private writeHead(body: Buffer): boolean {
    const extra = this.ctx.spec.upstreamHeader;
    const out = clientHead(
      this.response!,
      extra ? [extra, this.upstream!.id] : undefined,
      this.client.closeAfter,
      body,
    );
    return this.client.socket.write(out);
  }

  /** `withHead`: the response head is not written yet; it goes out with these bytes in one write. */
  private onBodyBytes(chunk: Buffer, withHead = false, now = performance.now()): void {
    const response = this.response!;
    this.phaseDeadline = now + this.ctx.spec.timeouts.idleMs;
    let end = chunk.length;
    let finished = false;
    if (response.framing === 'length') {
      if (chunk.length >= this.bodyLeft) {
        end = this.bodyLeft;
        finished = true;
      }
      this.bodyLeft -= end;
    } else if (response.framing === 'chunked') {
      let at: number;
      try {
        at = this.chunked!.scan(chunk);
      } catch (error) {
        this.upstreamFailed('protocol', error as Error);
        return;
      }
      if (at >= 0) {
        end = at;
        finished = true;
      }
    }
    const out = end === chunk.length ? chunk : chunk.subarray(0, end);
    // A write that does not finish at once keeps its buffer: never the read buffer itself.
    const flowing = withHead ? this.writeHead(out) : out.length === 0 || this.client.socket.write(keep(out));
    if (finished) {
      // Bytes after the end of the response: the upstream is out of step, do not reuse it.
      this.complete(end === chunk.length, now);
      return;
    }
    if (!flowing && !this.pausedUpstream) {
      // Backpressure: stop reading the upstream until the client has taken what we wrote.
      this.pausedUpstream = true;
      this.conn?.socket.pause();
    }
  }

  /** The client took what was written (its socket's 'drain'). */
  onClientDrain(): void {
    if (!this.pausedUpstream) return;
    this.pausedUpstream = false;
    this.conn?.socket.resume();
  }

  onUpstreamGone(error: Error | undefined): void {
    if (this.phase === 'done') return;
    // Closed before a byte of the answer on a connection kept alive from an earlier request: the
    // upstream closed it while idle (its keep-alive timeout), not a failure of the upstream.
    const stale = this.conn?.reused === true && this.phase === 'head' && this.responseBuf === undefined;
    this.conn = undefined;
    if (this.phase === 'body' && this.response?.framing === 'close' && !error) {
      this.complete(false);
      return;
    }
    const e =
      error ??
      Object.assign(
        new Error(this.phase === 'body' ? 'upstream closed mid-response' : 'upstream closed the connection'),
        {
          code: 'ECONNRESET',
        },
      );
    this.upstreamFailed(classify(e), e, undefined, stale);
  }

  /** A failure of the current attempt: retry, answer 502/504, or cut a response already started. */
  private upstreamFailed(failure: Failure, err: Error, timeoutWhat?: string, stale = false): void {
    const u = this.upstream!;
    this.releaseAttempt(false);
    if (failure === 'connect') u.connectErrors++;
    if (failure === 'timeout') u.timeouts++;
    if (this.headSent) {
      this.pool.recordFailure(u, Date.now());
      // Mid-body: the client must see a broken response, not a truncated "success".
      this.client.closeAfter = true;
      this.client.socket.destroy();
      this.finish(err.message);
      return;
    }
    if (stale && failure === 'connect' && this.retryable() && !this.retriedStale) {
      // Not the upstream's fault; its other idle connections are likely stale too (it restarted,
      // or they all timed out together), so the retry opens a fresh one.
      this.retriedStale = true;
      u.connectErrors--;
      u.connections!.closeIdle();
      this.use(u);
      return;
    }
    this.pool.recordFailure(u, Date.now());
    if (failure === 'connect' && this.canRetry(u)) {
      u.retries++;
      this.exclude(u);
      this.attempt();
      return;
    }
    const where = `upstream ${u.id}`;
    if (failure === 'timeout')
      this.fail(504, 'timeout', `${where} did not answer in time (${timeoutWhat ?? err.message})`);
    else
      this.fail(
        502,
        failure === 'connect' ? 'connect-failed' : 'bad-upstream',
        `${where} failed: ${err.message}`,
      );
  }

  private retriedStale = false;

  /** Free the upstream slot of this attempt; keep its connection only when `reuse`. */
  private releaseAttempt(reuse: boolean): void {
    const u = this.upstream;
    const conn = this.conn;
    this.conn = undefined;
    if (this.pausedUpstream) {
      this.pausedUpstream = false;
      conn?.socket.resume();
    }
    if (conn && u) {
      const pool = u.connections!;
      if (reuse && conn.alive) pool.giveBack(conn);
      else pool.drop(conn);
    }
    if (u && u.active > 0) this.pool.release(u);
  }

  private complete(clean: boolean, now = performance.now()): void {
    const u = this.upstream!;
    u.observe(now - this.attemptStart, this.status);
    const wall = Date.now();
    if (this.status >= 500 && this.status !== 501) this.pool.recordFailure(u, wall);
    else this.pool.recordSuccess(u, wall);
    // The client is still sending a body nobody will read: its connection cannot go on.
    if (this.requestBodyLeft > 0) this.client.closeAfter = true;
    this.releaseAttempt(clean && this.response!.reusable && this.requestBodyLeft === 0);
    this.finish();
  }

  /** Its deadlines, checked by its client connection on the shared tick (`sweeper.ts`). */
  sweep(now: number): void {
    if (this.phase === 'done') return;
    if (now >= this.totalDeadline) {
      const ms = this.ctx.spec.timeouts.totalMs;
      if (this.phase === 'waiting') {
        this.fail(504, 'timeout', `no upstream within ${ms}ms`);
        return;
      }
      const err = new Error(`upstream ${this.upstream?.id} did not finish within ${ms}ms`);
      this.conn?.destroy();
      this.conn = undefined;
      this.upstreamFailed('timeout', err, `total timeout ${ms}ms`);
      return;
    }
    if (now < this.phaseDeadline || this.phase === 'waiting') return;
    if (this.pausedUpstream) {
      // The client is slow, not the upstream: idle time counts from the client's next read.
      this.phaseDeadline = now + this.ctx.spec.timeouts.idleMs;
      return;
    }
    const t = this.ctx.spec.timeouts;
    const what =
      this.phaseTimeout === 'connect'
        ? `connect timeout ${t.connectMs}ms`
        : this.phaseTimeout === 'headers'
          ? `response headers timeout ${t.headersMs}ms`
          : `idle timeout ${t.idleMs}ms`;
    this.conn?.destroy();
    this.conn = undefined;
    this.upstreamFailed('timeout', new Error(what), what);
  }

  /** The client closed its connection while this exchange ran. */
  clientGone(): void {
    if (this.phase === 'done') return;
    const conn = this.conn;
    if (conn) {
      this.conn = undefined;
      this.upstream!.connections!.drop(conn);
    }
    this.releaseAttempt(false);
    this.status = 499;
    this.finish();
  }

  private retryable(): boolean {
    return this.bodyless && idempotent.has(this.req.method) && !this.headSent;
  }

  /**
   * A retry goes to the route as it is now: after a reload that replaced its pool (new picker),
   * the old pool is empty; the upstreams tried stay excluded (by id).
   */
  private followReload(): void {
    const current = this.ctx.currentRoute(this.route.spec.name);
    if (current) this.route = current;
  }

  /** Another attempt is worth it when an upstream other than the failed one is left (see Exchange). */
  private canRetry(failed: Upstream): boolean {
    this.followReload();
    return (
      this.retryable() &&
      this.attempts <= this.ctx.spec.retry.attempts &&
      this.route.pool.upstreams.some((x) => x.id !== failed.id && !this.excluded?.has(x.id)) &&
      this.route.budget.tryRetry()
    );
  }

  private exclude(u: Upstream): void {
    this.excluded ??= new Set();
    this.excluded.add(u.id);
  }

  fail(status: number, code: string, message: string): void {
    this.status = status;
    // A body the client is still sending cannot be skipped safely: close after the answer.
    if (this.requestBodyLeft > 0) this.client.closeAfter = true;
    this.client.socket.write(
      errorResponse(
        status,
        code,
        message,
        this.req.method === 'HEAD',
        this.client.closeAfter || this.ctx.draining,
      ),
    );
    if (this.ctx.draining) this.client.closeAfter = true;
    this.finish(message);
  }

  private finish(error?: string): void {
    if (this.phase === 'done') return;
    this.phase = 'done';
    const log = this.ctx.accessLog;
    if (log) {
      log({
        time: nowIso(),
        route: this.route.spec.name,
        method: this.req.method,
        path: this.req.target,
        status: this.status,
        upstream: this.upstream?.id ?? null,
        durationMs: Math.round((performance.now() - this.started) * 100) / 100,
        client: this.clientIp,
        attempts: this.attempts,
        ...(error ? { error } : {}),
      });
    }
    this.client.exchangeDone(this);
  }
}

const empty = Buffer.alloc(0);

/** Anything but a bad answer is the connection failing (refused, reset, closed early, timed out). */
function classify(err: Error): Failure {
  return err instanceof BadResponse ? 'protocol' : 'connect';
}
