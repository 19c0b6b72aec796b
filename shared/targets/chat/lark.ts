// Feishu / Lark custom bot: an interactive card per alert, its header coloured by status and
// severity, posted to the bot's webhook (open.feishu.cn or open.larksuite.com) and signed in
// the body: timestamp in seconds, sign = base64 HMAC-SHA256 keyed by "<timestamp>\n<secret>"
// over an empty message. docs/targets/lark.md describes the settings.
import { hmac } from '../../hash';
import { z } from 'zod';
import type { Alert } from '../../model/alert';
import { chatView, defineChatTarget, glanceFields, lifecycleLines, outcomeFromResultCode, safeLink, statusesSetting, timezoneSetting, type ChatRequest } from './kit';
import { allowPrivateNetworkSetting, refineUrl } from '../http/client';
import { alertColour, type Colour, escapeMarkup, measure, renderView, templatesSetting, truncate } from '../template';

/** A custom bot takes a request body of at most 20 KB. */
export const LARK_LIMITS = {
  bodyBytes: 20 * 1024,
  /** Room kept for `timestamp` and `sign`, added after rendering. */
  signatureBytes: 128,
  title: 200,
  longText: 4000,
  links: 5,
} as const;

/** 11232: the bot sends too fast (100 a minute, 5 a second); 99991400: the gateway's frequency limit. */
export const LARK_RETRYABLE = new Set([11232, 99991400]);
/** Lark's gateway gives the wait of a throttled call in this header (seconds until the limit resets), not in Retry-After. */
const RESET_HEADER = 'x-ogw-ratelimit-reset';

export const LARK_TEMPLATES = {
  /** The card header, plain text. */
  title: '{{statusEmoji}} {{statusLabel}} · {{severityEmoji}} {{name}}',
  /** lark_md; values are escaped for lark_md. */
  body: [
    '**{{summary}}**',
    '{{#details}}',
    '{{details}}',
    '{{/details}}',
    ...lifecycleLines(),
  ].join('\n'),
} as const;

export const larkSettings = z
  .object({
    webhookUrl: z.string().min(1).describe('The bot webhook URL, .../open-apis/bot/v2/hook/<token> (a secret)'),
    secret: z.string().min(1).optional().describe('Signing secret of the bot (a secret)'),
    allowPrivateNetwork: allowPrivateNetworkSetting,
    timezone: timezoneSetting,
    statuses: statusesSetting,
    templates: templatesSetting(LARK_TEMPLATES),
  })
  .strict()
  .superRefine(refineUrl('webhookUrl'));

export type LarkSettings = z.infer<typeof larkSettings>;

type LarkText = { tag: 'plain_text' | 'lark_md'; content: string };
type LarkElement =
  | { tag: 'div'; text?: LarkText; fields?: { is_short: boolean; text: LarkText }[] }
  | { tag: 'action'; actions: { tag: 'button'; text: LarkText; type: 'primary' | 'default'; url: string }[] }
  | { tag: 'note'; elements: LarkText[] };

export interface LarkMessage {
  msg_type: 'interactive';
  card: {
    config: { wide_screen_mode: true };
    /** Our colour names are names of Lark's header templates. */
    header: { title: LarkText; template: Colour };
    elements: LarkElement[];
  };
}

const larkMd = (content: string): LarkText => ({ tag: 'lark_md', content });

/** One button per link, opening it; the first (the console) stands out. */
function buttons(links: { title: string; url: string }[]): LarkElement {
  return {
    tag: 'action',
    actions: links.map((link, i) => ({ tag: 'button', text: { tag: 'plain_text', content: link.title }, type: i === 0 ? 'primary' : 'default', url: link.url })),
  };
}

export function renderLark(alert: Alert, settings: LarkSettings): LarkMessage {
  const view = chatView(alert, LARK_LIMITS.longText, 'json', settings.timezone);
  const title = truncate(renderView(settings.templates.title, view).trim() || alert.name, LARK_LIMITS.title);
  const links = alert.links.map(safeLink).slice(0, LARK_LIMITS.links);
  const card: LarkMessage['card'] = {
    config: { wide_screen_mode: true },
    header: { title: { tag: 'plain_text', content: title }, template: alertColour(alert) },
    elements: [
      { tag: 'div', text: larkMd('') },
      {
        tag: 'div',
        fields: glanceFields(alert, settings.timezone).map(([label, value]) => ({ is_short: true, text: larkMd(`**${label}**\n${escapeMarkup(value)}`) })),
      },
      ...(links.length > 0 ? [buttons(links)] : []),
      { tag: 'note', elements: [{ tag: 'plain_text', content: `${alert.provider} · ${alert.id}` }] },
    ],
  };
  // The body text gets whatever the rest of the card (its empty element included) leaves of the 20 KB.
  const rest = measure(JSON.stringify({ msg_type: 'interactive', card }), 'bytes');
  const budget = LARK_LIMITS.bodyBytes - LARK_LIMITS.signatureBytes - rest;
  const body = truncate(renderView(settings.templates.body, view, { escape: 'markup' }).trim(), budget, 'json');
  // A template that renders nothing drops the element rather than sending empty text.
  card.elements = body ? [{ tag: 'div', text: larkMd(body) }, ...card.elements.slice(1)] : card.elements.slice(1);
  return { msg_type: 'interactive', card };
}

/** sign of the bot's signature check: base64 HMAC-SHA256 keyed by "<timestamp>\n<secret>" over nothing. */
export function larkSign(secret: string, timestampSeconds: number): string {
  return hmac('sha256', `${timestampSeconds}\n${secret}`, '', 'base64');
}

function larkRequest(message: LarkMessage, settings: LarkSettings, now: number): ChatRequest {
  if (settings.secret === undefined) return { url: settings.webhookUrl, body: message };
  const timestamp = Math.floor(now / 1000);
  return { url: settings.webhookUrl, body: { timestamp: String(timestamp), sign: larkSign(settings.secret, timestamp), ...message } };
}

export default defineChatTarget<LarkSettings, LarkMessage>({
  type: 'lark',
  settings: larkSettings,
  secretKeys: ['webhookUrl', 'secret'],
  render: renderLark,
  request: larkRequest,
  // Current bots answer {code, msg}; older ones still answer {StatusCode, StatusMessage}.
  outcome: (res) =>
    /"StatusCode"\s*:/.test(res.text) && !/"code"\s*:/.test(res.text)
      ? outcomeFromResultCode(res, { service: 'lark', code: 'StatusCode', message: 'StatusMessage', retryable: LARK_RETRYABLE, resetHeader: RESET_HEADER })
      : outcomeFromResultCode(res, { service: 'lark', code: 'code', message: 'msg', retryable: LARK_RETRYABLE, resetHeader: RESET_HEADER }),
});
