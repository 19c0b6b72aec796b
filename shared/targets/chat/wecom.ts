// WeCom (企业微信) group robot: a markdown message per alert, posted to
// https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=... The content is at most 4096 bytes
// of UTF-8; WeCom colours text with three named font colours. docs/targets/wecom.md.
import { z } from 'zod';
import type { Alert } from '../../model/alert';
import { chatView, defineChatTarget, lifecycleLines, outcomeFromResultCode, refineWebhookCredential, statusesSetting, timezoneSetting, webhookWithCredential, type ChatRequest } from './kit';
import { allowPrivateNetworkSetting, refineUrl } from '../http/client';
import { alertColour, type Colour, renderView, templatesSetting, truncate } from '../template';

export const WECOM_URL = 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send';

/** markdown.content: at most 4096 bytes of UTF-8 (errcode 40058 beyond). */
export const WECOM_LIMITS = { contentBytes: 4096, longText: 1000 } as const;

/** Result codes worth a retry: -1 system busy, 45009 the robot's frequency limit (20 a minute). */
export const WECOM_RETRYABLE = new Set([-1, 45009]);

/** WeCom markdown has three font colours: info (green), comment (grey), warning (orange red). */
const FONT: Record<Colour, 'info' | 'comment' | 'warning'> = {
  red: 'warning',
  orange: 'warning',
  yellow: 'warning',
  blue: 'comment',
  green: 'info',
  purple: 'comment',
  grey: 'comment',
};

export const WECOM_TEMPLATES = {
  content: [
    '### {{statusEmoji}} <font color="{{fontColour}}">{{statusLabel}}</font> {{name}}',
    '> **{{severityEmoji}} {{severityLabel}}**{{#sourceSeverity}} ({{sourceSeverity}}){{/sourceSeverity}} · {{where}}',
    '> 🕒 {{time}}',
    '',
    '{{summary}}',
    '{{#details}}',
    '<font color="comment">{{details}}</font>',
    '{{/details}}',
    ...lifecycleLines(),
    '{{#links}}',
    '[{{title}}]({{url}})',
    '{{/links}}',
  ].join('\n'),
} as const;

export const wecomSettings = z
  .object({
    webhookUrl: z.string().default(WECOM_URL).describe('The robot webhook as pasted, with key (a secret); or the endpoint alone with key'),
    key: z.string().min(1).optional().describe('key of the robot webhook, when webhookUrl does not carry it (a secret)'),
    timezone: timezoneSetting,
    allowPrivateNetwork: allowPrivateNetworkSetting,
    statuses: statusesSetting,
    templates: templatesSetting(WECOM_TEMPLATES),
  })
  .strict()
  .superRefine(refineUrl('webhookUrl'))
  .superRefine(refineWebhookCredential('webhookUrl', 'key', 'key'));

export type WeComSettings = z.infer<typeof wecomSettings>;

export interface WeComMessage {
  msgtype: 'markdown';
  markdown: { content: string };
}

export function renderWeCom(alert: Alert, settings: WeComSettings): WeComMessage {
  const view = chatView(alert, WECOM_LIMITS.longText, 'bytes', settings.timezone, { fontColour: FONT[alertColour(alert)] });
  const content = truncate(renderView(settings.templates.content, view).trim() || alert.name, WECOM_LIMITS.contentBytes, 'bytes');
  return { msgtype: 'markdown', markdown: { content } };
}

function wecomRequest(message: WeComMessage, settings: WeComSettings): ChatRequest {
  const url = webhookWithCredential(settings.webhookUrl, 'key', settings.key);
  return { url: url.toString(), headers: { 'content-type': 'application/json; charset=utf-8' }, body: message };
}

export default defineChatTarget<WeComSettings, WeComMessage>({
  type: 'wecom',
  settings: wecomSettings,
  secretKeys: ['webhookUrl', 'key'],
  render: renderWeCom,
  request: wecomRequest,
  outcome: (res) => outcomeFromResultCode(res, { service: 'wecom', code: 'errcode', message: 'errmsg', retryable: WECOM_RETRYABLE }),
});
