import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { readBuffer } from './read-buffer.js';
import { type Sweepable, sweeper } from './sweeper.js';

/** What an upstream connection reports to the exchange using it. */
export interface ConnectionUser {
  onUpstreamConnect(): void;
  /** Bytes read: valid during the call only (`readBuffer`); copy what must be kept. */
  onUpstreamData(chunk: Buffer): void;
  /** The upstream ended or closed the connection, or it failed (`error` set). */
  onUpstreamGone(error: Error | undefined): void;
  onUpstreamDrain(): void;
}

/**
 * One TCP connection to an upstream, kept alive between requests. Its listeners are attached
 * once for its whole life and forward to whichever exchange uses it now, so taking a kept-alive
 * connection costs no listener changes. While idle, any byte or close from the upstream ends it.
 */
export class UpstreamConnection {
  user: ConnectionUser | undefined;
  /** It has carried a response before: a failure before any answer may be a stale keep-alive. */
  reused = false;
  idleSince = 0;
  connected = false;
  private gone = false;

  constructor(
    readonly socket: Socket,
    private readonly owner: UpstreamConnections,
  ) {
    socket.setNoDelay(true);
    socket.on('connect', this.onConnect);
    socket.on('end', this.onEnd);
    socket.on('error', this.onError);
    socket.on('close', this.onClose);
    socket.on('drain', this.onDrain);
  }

  get alive(): boolean {
    return !this.gone;
  }

  destroy(): void {
    this.gone = true;
    this.user = undefined;
    this.socket.destroy();
  }

  private readonly onConnect = (): void => {
    this.connected = true;
    this.user?.onUpstreamConnect();
  };

  /** Node's `onread`: the bytes are in `readBuffer`, with no stream machinery or allocation per read. */
  readonly onRead = (n: number): boolean => {
    const user = this.user;
    if (user) user.onUpstreamData(readBuffer.subarray(0, n));
    else this.destroy(); // bytes nobody asked for: the connection is out of step
    return true;
  };

  private readonly onEnd = (): void => {
    this.lost(undefined);
  };

  private readonly onError = (error: Error): void => {
    this.lost(error);
  };

  private readonly onClose = (): void => {
    this.lost(undefined);
  };

  private readonly onDrain = (): void => {
    this.user?.onUpstreamDrain();
  };

  private lost(error: Error | undefined): void {
    const user = this.user;
    if (!this.gone) {
      this.gone = true;
      this.owner.forget(this);
      this.socket.destroy();
    }
    this.user = undefined;
    user?.onUpstreamGone(error);
  }
}

/** The kept-alive connections to one upstream, newest first, closed after `keepAliveMs` idle. */
export class UpstreamConnections implements Sweepable {
  private readonly idle: UpstreamConnection[] = [];
  private readonly all = new Set<UpstreamConnection>();
  private closed = false;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly keepAliveMs: number,
    private readonly maxIdle: number,
  ) {}

  /** A kept-alive connection if one is idle, else a new one (connecting: wait for onUpstreamConnect). */
  take(user: ConnectionUser): UpstreamConnection {
    const c = this.idle.pop();
    if (c) {
      c.user = user;
      return c;
    }
    const socket: Socket = connect({
      host: this.host,
      port: this.port,
      onread: { buffer: readBuffer, callback: (n: number): boolean => fresh.onRead(n) },
    });
    const fresh: UpstreamConnection = new UpstreamConnection(socket, this);
    fresh.user = user;
    this.all.add(fresh);
    return fresh;
  }

  /** The exchange is done with `c` and its response was read to the end: keep it for the next. */
  giveBack(c: UpstreamConnection): void {
    c.user = undefined;
    if (this.closed || !c.alive || this.idle.length >= this.maxIdle) {
      this.drop(c);
      return;
    }
    c.reused = true;
    c.idleSince = performance.now();
    this.idle.push(c);
    if (this.idle.length === 1) sweeper.add(this);
  }

  /** Close `c` (its state is unknown: cut mid-exchange, or a response was not read to the end). */
  drop(c: UpstreamConnection): void {
    this.forget(c);
    c.destroy();
  }

  forget(c: UpstreamConnection): void {
    this.all.delete(c);
    const i = this.idle.indexOf(c);
    if (i >= 0) this.idle.splice(i, 1);
  }

  sweep(now: number): void {
    // Oldest first: idle[0] has waited longest.
    while (this.idle.length > 0 && now - this.idle[0]!.idleSince >= this.keepAliveMs)
      this.drop(this.idle[0]!);
    if (this.idle.length === 0) sweeper.delete(this);
  }

  /** Close the idle ones now; those in use close when their exchange ends. */
  closeIdle(): void {
    for (const c of [...this.idle]) this.drop(c);
    sweeper.delete(this);
  }

  /** Close every connection, in use or not (the upstream left the pool, or the balancer stops). */
  close(): void {
    this.closed = true;
    this.closeIdle();
    for (const c of [...this.all]) {
      if (c.user) continue; // its exchange finishes or fails on its own; giveBack drops it
      this.drop(c);
    }
  }

  destroyAll(): void {
    this.closed = true;
    for (const c of [...this.all]) this.drop(c);
    this.idle.length = 0;
    sweeper.delete(this);
  }
}
