// DingTalk custom robot: a markdown message per alert, posted to
// https://oapi.dingtalk.com/robot/send?access_token=..., signed with the robot's secret
// (timestamp in ms, sign = base64 HMAC-SHA256 of "<timestamp>\n<secret>" keyed by the secret,
// both as URL parameters), with configurable @ mentions. docs/targets/dingtalk.md.
import { hmac } from '../../hash';
import { z } from 'zod';
import { statusSchema, type Alert, type Status } from '../../model/alert';
import { chatView, defineChatTarget, lifecycleLines, outcomeFromResultCode, refineWebhookCredential, statusesSetting, timezoneSetting, webhookWithCredential, type ChatRequest } from './kit';
import { allowPrivateNetworkSetting, refineUrl } from '../http/client';
import { alertColour, type Colour, renderView, templatesSetting, truncate } from '../template';

export const DINGTALK_URL = 'https://oapi.dingtalk.com/robot/send';

/**
 * DingTalk documents no exact limit for a robot's markdown; these are the limits of its message
 * APIs (error 34016: content at most 5000 characters, title at most 64), kept conservatively.
 */
export const DINGTALK_LIMITS = { title: 64, text: 5000, longText: 1500 } as const;

/** Result codes worth a retry: -1 system busy, 130101 more than 20 messages a minute. */
export const DINGTALK_RETRYABLE = new Set([-1, 130101]);

/** DingTalk markdown takes `<font color=#rrggbb>`. */
const HEX: Record<Colour, string> = {
  red: '#D93025',
  orange: '#E8710A',
  yellow: '#F9AB00',
  blue: '#1A73E8',
  green: '#188038',
  purple: '#9334E6',
  grey: '#5F6368',
};

export const DINGTALK_TEMPLATES = {
  /** The conversation list and notification line. */
  title: '{{statusEmoji}} {{statusLabel}} · {{severityEmoji}} {{name}}',
  text: [
    '### {{statusEmoji}} <font color={{colourHex}}>{{statusLabel}}</font> {{name}}',
    '',
    '**{{severityEmoji}} {{severityLabel}}**{{#sourceSeverity}} ({{sourceSeverity}}){{/sourceSeverity}} · {{where}}',
    '',
    '{{summary}}',
    '',
    '{{#details}}',
    '{{details}}',
    '',
    '{{/details}}',
    ...lifecycleLines('- '),
    '- 🕒 {{time}}',
    '',
    '{{#links}}',
    '[{{title}}]({{url}})  ',
    '{{/links}}',
  ].join('\n'),
} as const;

const atSetting = z
  .object({
    atMobiles: z.array(z.string().min(1)).default([]),
    atUserIds: z.array(z.string().min(1)).default([]),
    isAtAll: z.boolean().default(false),
    statuses: z.array(statusSchema).min(1).default(['firing']).describe('Statuses whose messages mention'),
  })
  .strict()
  .prefault({});

export const dingtalkSettings = z
  .object({
    webhookUrl: z.string().default(DINGTALK_URL).describe('The robot webhook as pasted, with access_token (a secret); or the endpoint alone with accessToken'),
    accessToken: z.string().min(1).optional().describe('access_token of the robot webhook, when webhookUrl does not carry it (a secret)'),
    secret: z.string().min(1).optional().describe('Signing secret of the robot, SEC... (a secret)'),
    timezone: timezoneSetting,
    allowPrivateNetwork: allowPrivateNetworkSetting,
    at: atSetting,
    statuses: statusesSetting,
    templates: templatesSetting(DINGTALK_TEMPLATES),
  })
  .strict()
  .superRefine(refineUrl('webhookUrl'))
  .superRefine(refineWebhookCredential('webhookUrl', 'access_token', 'accessToken'));

export type DingTalkSettings = z.infer<typeof dingtalkSettings>;

export interface DingTalkMessage {
  msgtype: 'markdown';
  markdown: { title: string; text: string };
  at: { atMobiles: string[]; atUserIds: string[]; isAtAll: boolean };
}

function mentions(status: Status, at: DingTalkSettings['at']): DingTalkMessage['at'] {
  if (!at.statuses.includes(status)) return { atMobiles: [], atUserIds: [], isAtAll: false };
  return { atMobiles: at.atMobiles, atUserIds: at.atUserIds, isAtAll: at.isAtAll };
}

export function renderDingTalk(alert: Alert, settings: DingTalkSettings): DingTalkMessage {
  const view = chatView(alert, DINGTALK_LIMITS.longText, 'chars', settings.timezone, { colourHex: HEX[alertColour(alert)] });
  const at = mentions(alert.status, settings.at);
  // A markdown message mentions only people whose @mobile or @userId is in its text.
  const tail = [...at.atMobiles, ...at.atUserIds].map((who) => `@${who}`).join(' ');
  const suffix = tail ? `\n\n${tail}` : '';
  const text = truncate(renderView(settings.templates.text, view).trim(), DINGTALK_LIMITS.text - suffix.length) + suffix;
  const title = truncate(renderView(settings.templates.title, view).trim() || alert.name, DINGTALK_LIMITS.title);
  return { msgtype: 'markdown', markdown: { title, text }, at };
}

/** sign of the robot's signature check: base64 HMAC-SHA256 of "<timestamp>\n<secret>", keyed by the secret. */
export function dingtalkSign(secret: string, timestamp: number): string {
  return hmac('sha256', secret, `${timestamp}\n${secret}`, 'base64');
}

function dingtalkRequest(message: DingTalkMessage, settings: DingTalkSettings, now: number): ChatRequest {
  const url = webhookWithCredential(settings.webhookUrl, 'access_token', settings.accessToken);
  if (settings.secret !== undefined) {
    // URLSearchParams percent-encodes the base64 (+, /, =) as the robot expects.
    url.searchParams.set('timestamp', String(now));
    url.searchParams.set('sign', dingtalkSign(settings.secret, now));
  }
  return { url: url.toString(), headers: { 'content-type': 'application/json; charset=utf-8' }, body: message };
}

export default defineChatTarget<DingTalkSettings, DingTalkMessage>({
  type: 'dingtalk',
  settings: dingtalkSettings,
  secretKeys: ['webhookUrl', 'accessToken', 'secret'],
  render: renderDingTalk,
  request: dingtalkRequest,
  outcome: (res) => outcomeFromResultCode(res, { service: 'dingtalk', code: 'errcode', message: 'errmsg', retryable: DINGTALK_RETRYABLE }),
});
