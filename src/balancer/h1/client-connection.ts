import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { HttpRoute } from '../exchange.js';
import type { Routed } from '../router.js';
import { readAccepted, readAsStream } from './accepted-onread.js';
import { type ExchangeClient, FastExchange, type FastExchangeContext } from './fast-exchange.js';
import { keep, readBuffer } from './read-buffer.js';
import { fallback, parseRequestHead } from './request-head.js';
import { type Sweepable, sweeper } from './sweeper.js';
import { errorResponse } from './write-head.js';

/** What the fast path needs from the balancer that owns the listener. */
export interface FastContext {
  /** Spec, trust, access log, draining: read live, a reload changes them for the next request. */
  readonly exchange: FastExchangeContext;
  route(host: string | undefined, url: string): Routed<HttpRoute> | undefined;
  /** Node's HTTP server takes the connection from here on, with the bytes read but not used. */
  handOver(socket: Socket, pending: Buffer | undefined): void;
  exchangeStarted(): void;
  exchangeEnded(): void;
}

/**
 * One client connection on the fast HTTP/1.1 path: reads request heads, runs one exchange at a
 * time (pipelined requests wait, reading paused), keeps the connection alive between them, and
 * enforces the client timeouts (the header block within `clientHeadersMs`, idle keep-alive
 * within `clientKeepAliveMs`). A request outside the fast path's subset hands the connection
 * to Node's HTTP server, between two requests, so nothing is lost or read twice.
 */
export class ClientConnection implements ExchangeClient, Sweepable {
  closeAfter = false;
  readonly clientIp: string;
  private pending: Buffer | undefined;
  private exchange: FastExchange | undefined;
  private waitDeadline = 0;
  private processing = false;
  private paused = false;
  private gone = false;
  /** The client half-closed: answer what it sent, then close. */
  private ended = false;
  /** Read through 'data' events (TLS, or a Node without accepted `onread`), not `onRead`. */
  private readonly streamed: boolean;

  constructor(
    readonly socket: Socket,
    private readonly ctx: FastContext,
  ) {
    socket.setNoDelay(true);
    this.clientIp = socket.remoteAddress ?? '';
    this.streamed = !readAccepted(socket, this.onRead);
    if (this.streamed) socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('error', this.onError);
    socket.on('close', this.onClose);
    socket.on('drain', this.onDrain);
    this.waitDeadline = performance.now() + ctx.exchange.spec.timeouts.clientHeadersMs;
    sweeper.add(this);
  }

  /** No request running and none begun: a drain may close it now. */
  get idle(): boolean {
    return !this.gone && this.exchange === undefined && this.pending === undefined;
  }

  /** Close it now (a drain, between requests). Not once Node's server has it, or it is closing. */
  close(): void {
    if (!this.gone) this.finishConnection();
  }

  /** A read into the shared buffer (accepted-onread.ts): what is still pending after it is copied. */
  private readonly onRead = (n: number): boolean => {
    this.onData(readBuffer.subarray(0, n));
    if (this.pending !== undefined) this.pending = keep(this.pending);
    return true;
  };

  private readonly onData = (chunk: Buffer): void => {
    if (this.gone) return;
    const x = this.exchange;
    if (x && !x.requestRead) {
      const rest = x.onClientBody(chunk);
      if (rest === undefined) return;
      chunk = rest;
    }
    if (this.pending === undefined) {
      this.pending = chunk;
      if (!x) this.waitDeadline = performance.now() + this.ctx.exchange.spec.timeouts.clientHeadersMs;
    } else this.pending = Buffer.concat([this.pending, chunk]);
    if (x) {
      // A pipelined request: it waits (and the client with it) until this answer is out.
      this.pauseReading();
      return;
    }
    this.next();
  };

  /** Start the next request in `pending`, if there is a whole head. */
  private next(): void {
    if (this.processing || this.gone) return;
    this.processing = true;
    try {
      while (this.exchange === undefined && this.pending !== undefined && !this.gone) {
        const pending = this.pending;
        const head = parseRequestHead(pending);
        if (head === undefined) {
          // Node answers 431 for an oversized head: let it.
          if (pending.length > this.ctx.exchange.spec.maxHeaderBytes) this.handOver();
          return;
        }
        if (
          head === fallback ||
          ('refuse' in head ? false : head.headBytes > this.ctx.exchange.spec.maxHeaderBytes)
        ) {
          this.handOver();
          return;
        }
        if ('refuse' in head) {
          this.pending = undefined;
          this.closeAfter = true;
          this.socket.write(errorResponse(head.refuse, 'bad-request', head.why, false, true));
          this.finishConnection();
          return;
        }
        const bodyHere = Math.min(head.contentLength, pending.length - head.headBytes);
        const bodyEnd = head.headBytes + bodyHere;
        const body = bodyHere > 0 ? pending.subarray(head.headBytes, bodyEnd) : undefined;
        this.pending = bodyEnd < pending.length ? pending.subarray(bodyEnd) : undefined;
        if (head.close || this.ctx.exchange.draining) this.closeAfter = true;
        const started = performance.now();
        const routed = this.ctx.route(head.host, head.target);
        if (!routed) {
          if (bodyHere < head.contentLength) this.closeAfter = true;
          const message = `no route for host ${head.host ?? '(none)'} and path ${head.target}`;
          this.socket.write(errorResponse(404, 'no-route', message, head.method === 'HEAD', this.closeAfter));
          if (this.closeAfter) {
            this.finishConnection();
            return;
          }
          continue;
        }
        const x = new FastExchange(this.ctx.exchange, routed.route, this, head, routed.path, started, body);
        this.exchange = x;
        this.ctx.exchangeStarted();
        x.start();
      }
    } finally {
      this.processing = false;
    }
  }

  exchangeDone(x: FastExchange): void {
    if (this.exchange !== x) return;
    this.exchange = undefined;
    this.ctx.exchangeEnded();
    if (this.gone) return;
    if (this.closeAfter || (this.ended && this.pending === undefined)) {
      this.finishConnection();
      return;
    }
    this.waitDeadline =
      performance.now() +
      (this.pending === undefined
        ? this.ctx.exchange.spec.timeouts.clientKeepAliveMs
        : this.ctx.exchange.spec.timeouts.clientHeadersMs);
    this.resumeReading();
    if (!this.processing) this.next();
    if (this.ended && this.exchange === undefined && !this.gone) this.finishConnection();
  }

  pauseReading(): void {
    if (this.paused) return;
    this.paused = true;
    this.socket.pause();
  }

  resumeReading(): void {
    if (!this.paused) return;
    this.paused = false;
    this.socket.resume();
  }

  sweep(now: number): void {
    if (this.exchange !== undefined) {
      // The exchange's own deadlines: checked from here, so starting one touches no shared set.
      this.exchange.sweep(now);
      return;
    }
    if (now < this.waitDeadline) return;
    if (this.pending !== undefined) {
      // Slowloris: the header block did not arrive in time.
      this.socket.end(
        'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\nportico: request timeout\n',
      );
      this.finishConnection();
    } else this.finishConnection();
  }

  private finishConnection(): void {
    this.gone = true;
    sweeper.delete(this);
    this.socket.end();
    // A client that never reads its last answer must not hold the socket forever.
    this.socket.setTimeout(this.ctx.exchange.spec.timeouts.clientKeepAliveMs, () => this.socket.destroy());
  }

  private handOver(): void {
    const socket = this.socket;
    this.gone = true;
    sweeper.delete(this);
    if (this.streamed) socket.off('data', this.onData);
    else readAsStream(socket);
    socket.off('end', this.onEnd);
    socket.off('error', this.onError);
    socket.off('close', this.onClose);
    socket.off('drain', this.onDrain);
    // Node's server keeps views of what it is given (body chunks): never of the read buffer.
    const pending = this.pending && keep(this.pending);
    this.pending = undefined;
    this.paused = false;
    this.ctx.handOver(socket, pending);
  }

  private readonly onDrain = (): void => {
    this.exchange?.onClientDrain();
  };

  private readonly onEnd = (): void => {
    // A client that half-closes is gone, as Node's server and nginx take it: the request running
    // is cut (its upstream request closed), and nothing more is answered.
    this.ended = true;
    const x = this.exchange;
    this.exchange = undefined;
    if (x) {
      x.clientGone();
      this.ctx.exchangeEnded();
    }
    if (!this.gone) this.finishConnection();
  };

  private readonly onError = (): void => {
    // 'close' follows; the exchange hears of it there.
  };

  private readonly onClose = (): void => {
    this.gone = true;
    sweeper.delete(this);
    const x = this.exchange;
    this.exchange = undefined;
    if (x) {
      x.clientGone();
      this.ctx.exchangeEnded();
    }
  };
}
