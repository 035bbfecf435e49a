import type { ComposeService, PublishedPort } from '../../compose/model.js';
import type { RuleContext } from '../model.js';

/** Whether `policy.allowExposed` lets this service publish this port beyond loopback. */
export function exposureAllowed(ctx: RuleContext, service: ComposeService, port: PublishedPort): boolean {
  return ctx.policy.allowExposed.some(
    (a) => a.service === service.name && (a.port === undefined || a.port === port.containerPort),
  );
}
