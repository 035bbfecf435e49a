import type { TcpCheck } from '../../core/model.js';
import { NetFailure } from '../../net/failure.js';
import { tcpConnect } from '../../net/tcp.js';
import { critical, type Probe, passing, portOf, StepLog } from '../probe.js';

export const tcpProbe: Probe<TcpCheck> = {
  kind: 'tcp',
  async run(check, target, ctx) {
    const log = new StepLog();
    try {
      const r = await tcpConnect({
        host: target.address,
        port: portOf(check, target),
        timeoutMs: ctx.timeoutMs,
        signal: ctx.signal,
      });
      log.ok('connect');
      return log.with(passing(`TCP connect OK in ${r.connectMs.toFixed(1)}ms`));
    } catch (error) {
      const f = error as NetFailure;
      log.failed('connect', f.message);
      return log.with(critical(f.message, f instanceof NetFailure ? f.kind : 'other'));
    }
  },
};
