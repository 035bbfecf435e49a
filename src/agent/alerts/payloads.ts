import type { ActiveAlert } from './rules.js';

/** One notification: an alert starting, or the same alert (same key) ending. */
export interface AlertMessage {
  status: 'firing' | 'resolved';
  alert: ActiveAlert;
  project: string;
  /** The host the agent runs on. */
  host: string;
  startsAt: number;
  endsAt?: number;
}

/** The plain webhook body: stable field names, times as ISO 8601. */
export function webhookPayload(m: AlertMessage): Record<string, unknown> {
  return {
    version: 1,
    status: m.status,
    key: m.alert.key,
    rule: m.alert.rule,
    kind: m.alert.kind,
    severity: m.alert.severity,
    project: m.project,
    host: m.host,
    summary: m.alert.summary,
    details: m.alert.details,
    startsAt: new Date(m.startsAt).toISOString(),
    ...(m.endsAt !== undefined ? { endsAt: new Date(m.endsAt).toISOString() } : {}),
  };
}

/**
 * Slack's incoming-webhook shape (`text` plus Block Kit `blocks`), which Mattermost, Rocket.Chat
 * and Discord's /slack endpoint also take. `text` alone carries the whole message, for clients
 * that ignore blocks and for the notification preview.
 */
export function slackPayload(m: AlertMessage, channel?: string): Record<string, unknown> {
  const head = m.status === 'firing' ? `[FIRING ${m.alert.severity}]` : '[RESOLVED]';
  const text = `${head} ${m.project}: ${m.alert.summary}`;
  const when =
    m.status === 'firing'
      ? `since ${new Date(m.startsAt).toISOString()}`
      : `resolved at ${new Date(m.endsAt ?? Date.now()).toISOString()}, after ${Math.round(((m.endsAt ?? Date.now()) - m.startsAt) / 1000)}s`;
  return {
    ...(channel ? { channel } : {}),
    text: slackEscape(text),
    blocks: [
      {
        type: 'section',
        text: { type: 'mrkdwn', text: `*${slackEscape(head)}* ${slackEscape(m.alert.summary)}` },
      },
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: slackEscape(
              `project ${m.project} · rule ${m.alert.rule} · ${when} · ${m.host} · key ${m.alert.key}`,
            ),
          },
        ],
      },
    ],
  };
}

/** Slack's three control characters; everything else is literal text. */
function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
