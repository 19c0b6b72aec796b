// WeCom (企业微信) group robot: a markdown message per alert, posted to
// https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=... The content is at most 4096 bytes
// of UTF-8; WeCom colours text with three named font colours. docs/targets/wecom.md.
import { z } from 'zod';
import type { Alert } from '../../model/alert';
import { chatView, defineChatTarget, outcomeFromResultCode, refineNoCredentialInUrl, statusesSetting, type ChatRequest, lifecycleLines } from './kit';
import { refineUrl } from '../http/client';
import { templatesSetting } from '../lifecycle/kit';
import { alertColour, renderView, truncate, type Colour } from '../template';

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
    key: z.string().min(1).describe('key of the robot webhook (a secret)'),
    webhookUrl: z.string().default(WECOM_URL),
    statuses: statusesSetting,
    templates: templatesSetting(WECOM_TEMPLATES),
  })
  .strict()
  .superRefine(refineUrl('webhookUrl'))
  .superRefine(refineNoCredentialInUrl('webhookUrl', 'key', 'key'));

export type WeComSettings = z.infer<typeof wecomSettings>;

export interface WeComMessage {
  msgtype: 'markdown';
  markdown: { content: string };
}

export function renderWeCom(alert: Alert, settings: WeComSettings): WeComMessage {
  const view = chatView(alert, WECOM_LIMITS.longText, 'bytes', { fontColour: FONT[alertColour(alert)] });
  const content = truncate(renderView(settings.templates.content, view).trim() || alert.name, WECOM_LIMITS.contentBytes, 'bytes');
  return { msgtype: 'markdown', markdown: { content } };
}

function wecomRequest(message: WeComMessage, settings: WeComSettings): ChatRequest {
  const url = new URL(settings.webhookUrl);
  url.searchParams.set('key', settings.key);
  return { url: url.toString(), headers: { 'content-type': 'application/json; charset=utf-8' }, body: message };
}

export default defineChatTarget<WeComSettings, WeComMessage>({
  type: 'wecom',
  settings: wecomSettings,
  secretKeys: ['key'],
  render: renderWeCom,
  request: wecomRequest,
  outcome: (res) => outcomeFromResultCode(res, { service: 'wecom', code: 'errcode', message: 'errmsg', retryable: WECOM_RETRYABLE }),
});
