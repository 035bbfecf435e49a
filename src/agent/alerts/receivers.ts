import { PorticoError } from '../../core/errors.js';
import type { DeliveryTarget } from './deliver.js';
import { type AlertMessage, slackPayload, webhookPayload } from './payloads.js';
import { type ReceiverConfig, urlProblem } from './schema.js';

/** A receiver ready to post to: its target (secrets read) and how it shapes a message. */
export interface Receiver {
  name: string;
  type: ReceiverConfig['type'];
  target: DeliveryTarget;
  payload(message: AlertMessage): unknown;
}

/**
 * Read each receiver's secrets from the environment once, when the project is (re)loaded. A
 * variable that is named but not set is an error, never a receiver that silently posts without
 * its credentials; the error names the variable, never a value.
 */
export function resolveReceivers(
  receivers: Record<string, ReceiverConfig>,
  env: NodeJS.ProcessEnv,
): Receiver[] {
  return Object.entries(receivers).map(([name, config]) => {
    const secret = (what: string, variable: string): string => {
      const value = env[variable];
      if (value === undefined || value.trim() === '')
        throw new PorticoError(
          'E_ALERT_RECEIVER',
          `alerts.receivers.${name}.${what}: the variable ${variable} is not set`,
          {
            hint: `Export ${variable} before starting the agent (portico.yaml names it; the value never goes there).`,
          },
        );
      return value.trim();
    };
    const url = typeof config.url === 'string' ? config.url : secret('url', config.url.env);
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new PorticoError('E_ALERT_RECEIVER', `alerts.receivers.${name}.url: the value is not a URL`);
    }
    const problem = urlProblem(parsed);
    if (problem) throw new PorticoError('E_ALERT_RECEIVER', `alerts.receivers.${name}.url: ${problem}`);
    const headers: Record<string, string> = {};
    for (const [header, value] of Object.entries(config.headers))
      headers[header] = typeof value === 'string' ? value : secret(`headers.${header}`, value.env);
    if (config.token) headers.authorization = `Bearer ${secret('token', config.token.env)}`;
    const channel = config.type === 'slack' ? config.channel : undefined;
    return {
      name,
      type: config.type,
      target: {
        name,
        url: parsed.href,
        headers,
        timeoutMs: config.timeout,
        attempts: config.attempts,
        backoffMs: config.backoff,
      },
      payload: (m: AlertMessage) => (config.type === 'slack' ? slackPayload(m, channel) : webhookPayload(m)),
    };
  });
}
