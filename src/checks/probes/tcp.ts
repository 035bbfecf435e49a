import { formatHostPort } from '../../core/address.js';
import type { TcpCheck } from '../../core/model.js';
import { droppedWithin } from '../../net/early-close.js';
import { NetFailure } from '../../net/failure.js';
import { type TcpConnectResult, tcpConnect } from '../../net/tcp.js';
import { critical, type Probe, passing, portOf, StepLog } from '../probe.js';

/**
 * How long a connection must stay open, unasked, to count. A Docker-published port whose app
 * does not listen is accepted by docker-proxy and dropped a moment later; a connect alone would
 * call that "passing" — the false healthy this rules out. A server that speaks first (a banner)
 * passes at once.
 */
export const holdMs = 50;

export const tcpProbe: Probe<TcpCheck> = {
  kind: 'tcp',
  async run(check, target, ctx) {
    const log = new StepLog();
    const port = portOf(check, target);
    let connected: TcpConnectResult;
    try {
      connected = await tcpConnect({
        host: target.address,
        port,
        timeoutMs: ctx.timeoutMs,
        signal: ctx.signal,
        keep: true,
      });
    } catch (error) {
      const f = error as NetFailure;
      log.failed('connect', f.message);
      return log.with(critical(f.message, f instanceof NetFailure ? f.kind : 'other'));
    }
    log.ok('connect');
    // Within the check's own time limit, with room to spare: a close at accept comes at once.
    const hold = Math.min(holdMs, ctx.timeoutMs / 2);
    ctx.waiting?.();
    const dropped = await droppedWithin(connected.socket!, hold, ctx.signal);
    if (dropped) {
      const how = dropped === 'reset' ? 'reset (RST)' : 'closed (FIN)';
      const message = `${formatHostPort(target.address, port)} accepted the connection and ${how} it at once, before any byte: nothing serves behind the port (a published container port whose app does not listen, a proxy whose backend is down) or it turns this client away`;
      log.failed('stay connected', `${dropped} within ${hold}ms`);
      return log.with(critical(message, dropped));
    }
    log.ok('stay connected');
    return log.with(passing(`TCP connect OK in ${connected.connectMs.toFixed(1)}ms, stayed open`));
  },
};
