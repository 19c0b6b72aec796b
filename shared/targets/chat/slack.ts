// Slack: a Block Kit message per alert, posted to an incoming webhook or, with a bot token,
// through chat.postMessage to a channel. Header, summary section, fields (status, severity,
// where, when), clickable links in a context block, and a text fallback for notifications.
// With a bot token, the later events of an alert update the message its firing posted
// (chat.update) and are replied in its thread, from the reference the alert state keeps.
// docs/targets/slack.md describes the settings.
import { z } from 'zod';
import type { Alert } from '../../model/alert';
import { chatView, defineChatTarget, glanceFields, lifecycleLines, safeLink, statusesSetting, statusSkipped, timezoneSetting, type ChatRequest } from './kit';
import type { AttemptContext, Outcome, TargetType } from '../contract';
import { classifyError, oneLine } from '../errors';
import { allowPrivateNetworkSetting, checkUrl, outcomeFromResponse, parseRetryAfter } from '../http/client';
import { httpRequest, jsonAt, type HttpResponse } from '../../http';
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
    threadReplies: z
      .boolean()
      .default(true)
      .describe("With token: later events of an alert update its message and are also replied in the message's thread (false: update only)"),
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

function webhookRequest(message: SlackMessage, settings: SlackSettings): ChatRequest {
  return { url: settings.webhookUrl ?? '', headers: { 'content-type': 'application/json; charset=utf-8' }, body: message };
}

/** Slack errors that say "try again later"; every other error fails the same way again. */
const TRANSIENT_ERRORS = new Set(['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

type SlackAnswer = { ok: true; channel?: string; ts?: string } | { ok: false; error: string; outcome: Outcome };

/**
 * A Web API answer: 200 with `{ok, error}` for most errors, 429 with Retry-After when rate
 * limited. Undefined for what has no `ok` (an incoming webhook's plain-text word, a proxy's
 * page): the HTTP status classifies those.
 */
function readAnswer(res: HttpResponse): SlackAnswer | undefined {
  let body: unknown;
  try {
    body = res.json();
  } catch {
    return undefined;
  }
  const ok = jsonAt(body, 'ok');
  if (typeof ok !== 'boolean') return undefined;
  if (ok && res.status >= 200 && res.status <= 299) {
    const channel = jsonAt(body, 'channel');
    const ts = jsonAt(body, 'ts');
    return { ok: true, ...(typeof channel === 'string' ? { channel } : {}), ...(typeof ts === 'string' ? { ts } : {}) };
  }
  const reported = jsonAt(body, 'error');
  const error = typeof reported === 'string' ? reported : 'unknown error';
  const detail = oneLine(`slack error: ${error}`);
  if (TRANSIENT_ERRORS.has(error) || res.status === 429 || res.status >= 500) {
    const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
    return { ok: false, error, outcome: { outcome: 'failed', retryable: true, detail, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) } };
  }
  return { ok: false, error, outcome: { outcome: 'failed', retryable: false, detail } };
}

/** The outcome of one Slack answer (a webhook's, or a chat.postMessage without thread). */
export function slackOutcome(res: HttpResponse): Outcome {
  const answer = readAnswer(res);
  if (!answer) return outcomeFromResponse(res);
  if (!answer.ok) return answer.outcome;
  const ref = answer.channel && answer.ts ? messageRef({ channel: answer.channel, ts: answer.ts }) : answer.ts;
  return { outcome: 'delivered', detail: 'slack ok', ...(ref ? { ref } : {}) };
}

/** A message Slack holds: the channel id and the message's ts. */
export interface SlackMessageRef {
  channel: string;
  ts: string;
}

/** `C0123ALERTS/1700000000.000100`: what the alert state keeps as this target's ref. */
export const messageRef = (ref: SlackMessageRef): string => `${ref.channel}/${ref.ts}`;

/** A stored ref as a message; a bare ts (no channel) is in the configured channel. */
export function parseMessageRef(ref: string | undefined, channel: string): SlackMessageRef | undefined {
  const match = ref === undefined ? null : /^(?:(?<channel>[A-Z0-9]+)\/)?(?<ts>\d+\.\d+)$/.exec(ref);
  const ts = match?.groups?.ts;
  return ts === undefined ? undefined : { channel: match?.groups?.channel ?? channel, ts };
}

/**
 * Whether the event starts a new episode of its alert: a firing that was not firing before
 * gets a message of its own; every other event follows up on the message of the last one.
 */
const startsEpisode = (alert: Alert) => alert.status === 'firing' && alert.previousStatus !== 'firing';

/** Errors of chat.update that leave the message as it was but in place: its thread still works. */
const UNEDITABLE = new Set(['cant_update_message', 'edit_window_closed']);

/** The bot-token mode: post, or update and reply in the thread of the alert's message. */
function apiTarget(settings: SlackSettings) {
  const api = settings.apiUrl.replace(/\/+$/, '');
  const channel = settings.channel ?? '';
  const call = async (method: 'chat.postMessage' | 'chat.update', body: object, ctx: AttemptContext): Promise<HttpResponse> =>
    httpRequest({
      method: 'POST',
      url: `${api}/${method}`,
      headers: { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${settings.token ?? ''}` },
      body,
      signal: ctx.signal,
      allowPrivateNetwork: settings.allowPrivateNetwork,
    });

  const post = async (message: SlackMessage, ctx: AttemptContext): Promise<Outcome> => slackOutcome(await call('chat.postMessage', message, ctx));

  /** The message is updated (when Slack lets it be), then the event replied in its thread. */
  const followUp = async (message: SlackMessage, parent: SlackMessageRef, ctx: AttemptContext): Promise<Outcome> => {
    const content = { text: message.text, blocks: message.blocks };
    const ref = messageRef(parent);
    /** An answer without `ok`, by its HTTP status; delivered still names the message. */
    const byStatus = (res: HttpResponse): Outcome => {
      const outcome = outcomeFromResponse(res);
      return outcome.outcome === 'delivered' ? { ...outcome, ref } : outcome;
    };
    const res = await call('chat.update', { channel: parent.channel, ts: parent.ts, ...content }, ctx);
    const updated = readAnswer(res);
    if (!updated) return byStatus(res);
    // Deleted, or in a channel the bot no longer sees: the event gets a message of its own.
    if (!updated.ok && (updated.error === 'message_not_found' || updated.error === 'channel_not_found')) {
      const posted = await post(message, ctx);
      return posted.outcome === 'delivered' ? { ...posted, detail: `slack ok: the alert's message is gone (${updated.error}), posted a new one` } : posted;
    }
    if (!updated.ok && !(UNEDITABLE.has(updated.error) && settings.threadReplies)) return updated.outcome;
    if (!settings.threadReplies) return { outcome: 'delivered', detail: 'slack ok: updated the message', ref };
    const replyRes = await call('chat.postMessage', { channel: parent.channel, thread_ts: parent.ts, ...content }, ctx);
    const replied = readAnswer(replyRes);
    if (!replied) return byStatus(replyRes);
    if (!replied.ok) return replied.outcome;
    return { outcome: 'delivered', detail: updated.ok ? 'slack ok: updated the message, replied in its thread' : `slack ok: replied in the thread (message not updated: ${updated.error})`, ref };
  };

  return {
    async send(alert: Alert, ctx: AttemptContext): Promise<Outcome> {
      const skipped = statusSkipped(alert, settings.statuses);
      if (skipped) return skipped;
      try {
        const message = renderSlack(alert, settings);
        const parent = startsEpisode(alert) ? undefined : parseMessageRef(ctx.ref, channel);
        return parent ? await followUp(message, parent, ctx) : await post(message, ctx);
      } catch (err) {
        return classifyError(err);
      }
    },
  };
}

const webhookType = defineChatTarget<SlackSettings, SlackMessage>({
  type: 'slack',
  settings: slackSettings,
  secretKeys: ['webhookUrl', 'token'],
  render: renderSlack,
  request: webhookRequest,
  outcome: slackOutcome,
});

const slackType: TargetType<SlackSettings> = {
  ...webhookType,
  create: (settings, runtime) => (settings.token !== undefined ? apiTarget(settings) : webhookType.create(settings, runtime)),
};

export default slackType;
