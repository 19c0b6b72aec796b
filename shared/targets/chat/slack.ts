// Slack: a Block Kit message per alert, posted to an incoming webhook or, with a bot token,
// through chat.postMessage to a channel. Header, summary section, fields (status, severity,
// where, when), clickable links in a context block, and a text fallback for notifications.
// docs/targets/slack.md describes the settings.
import { z } from 'zod';
import type { Alert } from '../../model/alert';
import { chatView, defineChatTarget, glanceFields, lifecycleLines, safeLink, statusesSetting, timezoneSetting, type ChatRequest } from './kit';
import type { Outcome } from '../contract';
import { oneLine } from '../errors';
import { allowPrivateNetworkSetting, checkUrl, outcomeFromResponse, parseRetryAfter, type HttpResponse } from '../http/client';
import { escapeMarkup, renderView, templatesSetting, truncate } from '../template';

export const SLACK_API_URL = 'https://slack.com/api';

/** Block Kit limits (characters). */
export const SLACK_LIMITS = {
  header: 150,
  sectionText: 3000,
  field: 2000,
  contextElements: 10,
  /** Notification text; Slack itself cuts `text` at 40,000, a notification needs far less. */
  fallback: 3000,
  /** Budget of each long free text inside the body, so the body keeps its footer. */
  longText: 1000,
} as const;

export const SLACK_TEMPLATES = {
  /** plain_text: no markup, rendered without escaping. */
  header: '{{statusEmoji}} {{statusLabel}} · {{severityEmoji}} {{name}}',
  /** mrkdwn; values are escaped for mrkdwn. */
  body: [
    '*{{summary}}*',
    '{{#details}}',
    '{{details}}',
    '{{/details}}',
    ...lifecycleLines(),
    '{{#muted.active}}',
    '🔇 Inside a mute window',
    '{{/muted.active}}',
  ].join('\n'),
  /** mrkdwn: the notification and the text shown where blocks cannot be. */
  fallback: '{{statusEmoji}} {{statusLabel}} {{severityEmoji}} {{severityLabel}} {{name}}: {{summary}}',
} as const;

export const slackSettings = z
  .object({
    webhookUrl: z.string().min(1).optional().describe('Incoming webhook URL (a secret)'),
    token: z.string().min(1).optional().describe('Bot token for chat.postMessage (a secret)'),
    channel: z.string().min(1).optional().describe('Channel id or name, with token'),
    apiUrl: z.string().default(SLACK_API_URL).describe('Base URL of the Web API'),
    allowPrivateNetwork: allowPrivateNetworkSetting,
    timezone: timezoneSetting,
    statuses: statusesSetting,
    templates: templatesSetting(SLACK_TEMPLATES),
  })
  .strict()
  .superRefine((settings, ctx) => {
    if ((settings.webhookUrl === undefined) === (settings.token === undefined)) {
      ctx.addIssue({ code: 'custom', path: [], message: 'set exactly one of webhookUrl or token' });
    }
    if (settings.token !== undefined && settings.channel === undefined) {
      ctx.addIssue({ code: 'custom', path: ['channel'], message: 'is required with token' });
    }
    if (settings.webhookUrl !== undefined && settings.channel !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['channel'], message: 'cannot be set with webhookUrl: an incoming webhook posts to its own channel' });
    }
    for (const key of ['webhookUrl', 'apiUrl'] as const) {
      const value = settings[key];
      const problem = value === undefined ? undefined : checkUrl(value, { allowPrivateNetwork: settings.allowPrivateNetwork });
      if (problem) ctx.addIssue({ code: 'custom', path: [key], message: problem });
    }
  });

export type SlackSettings = z.infer<typeof slackSettings>;

type Text = { type: 'plain_text'; text: string; emoji: true } | { type: 'mrkdwn'; text: string };
export type SlackBlock =
  | { type: 'header'; text: Text }
  | { type: 'section'; text?: Text; fields?: Text[] }
  | { type: 'context'; elements: Text[] };

export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
  channel?: string;
}

const mrkdwn = (text: string): Text => ({ type: 'mrkdwn', text });

/** One context element per link (`<url|title>`), then the provider and the alert id. */
function context(alert: Alert): Text[] {
  const links = alert.links.map(safeLink).map((link) => mrkdwn(truncate(`<${link.url}|${escapeMarkup(link.title)}>`, SLACK_LIMITS.sectionText)));
  const footer = mrkdwn(truncate(escapeMarkup(`${alert.provider} · ${alert.id}`), SLACK_LIMITS.sectionText));
  return [...links.slice(0, SLACK_LIMITS.contextElements - 1), footer];
}

export function renderSlack(alert: Alert, settings: SlackSettings): SlackMessage {
  const view = chatView(alert, SLACK_LIMITS.longText, 'chars', settings.timezone);
  const header = truncate(renderView(settings.templates.header, view).trim() || alert.name, SLACK_LIMITS.header);
  const body = truncate(renderView(settings.templates.body, view, { escape: 'markup' }).trim(), SLACK_LIMITS.sectionText);
  const blocks: SlackBlock[] = [{ type: 'header', text: { type: 'plain_text', text: header, emoji: true } }];
  // A section's text must not be empty: a template that renders nothing drops the block.
  if (body) blocks.push({ type: 'section', text: mrkdwn(body) });
  // Fixed fields: what a glance needs; the texts around them are the templates.
  const fields = glanceFields(alert, settings.timezone).map(([label, value]) => mrkdwn(truncate(`*${label}*\n${escapeMarkup(value)}`, SLACK_LIMITS.field)));
  blocks.push({ type: 'section', fields }, { type: 'context', elements: context(alert) });
  const text = truncate(renderView(settings.templates.fallback, view, { escape: 'markup' }).trim() || header, SLACK_LIMITS.fallback);
  return { text, blocks, ...(settings.channel !== undefined ? { channel: settings.channel } : {}) };
}

function slackRequest(message: SlackMessage, settings: SlackSettings): ChatRequest {
  const headers = { 'content-type': 'application/json; charset=utf-8' };
  if (settings.webhookUrl !== undefined) return { url: settings.webhookUrl, headers, body: message };
  return {
    url: `${settings.apiUrl.replace(/\/+$/, '')}/chat.postMessage`,
    headers: { ...headers, authorization: `Bearer ${settings.token ?? ''}` },
    body: message,
  };
}

/**
 * Incoming webhooks answer by HTTP status (`ok`, or 4xx with an error word). The Web API
 * answers 200 with `{ok, error}`: `ratelimited` is worth a retry after Retry-After; every
 * other error (invalid_auth, channel_not_found, invalid_blocks...) fails the same way again.
 */
export function slackOutcome(res: HttpResponse): Outcome {
  let body: { ok?: unknown; error?: unknown; ts?: unknown } | undefined;
  try {
    body = res.json();
  } catch {
    body = undefined;
  }
  if (res.status < 200 || res.status > 299 || typeof body?.ok !== 'boolean') return outcomeFromResponse(res);
  if (body.ok) return { outcome: 'delivered', detail: 'slack ok', ...(typeof body.ts === 'string' ? { ref: body.ts } : {}) };
  const error = typeof body.error === 'string' ? body.error : 'unknown error';
  if (error === 'ratelimited') {
    const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
    return { outcome: 'failed', retryable: true, detail: 'slack error: ratelimited', ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  }
  return { outcome: 'failed', retryable: false, detail: oneLine(`slack error: ${error}`) };
}

export default defineChatTarget<SlackSettings, SlackMessage>({
  type: 'slack',
  settings: slackSettings,
  secretKeys: ['webhookUrl', 'token'],
  render: renderSlack,
  request: slackRequest,
  outcome: slackOutcome,
});
