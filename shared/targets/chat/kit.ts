// What the chat targets (Slack, DingTalk, Lark, WeCom) share: the `statuses:` filter, the
// template view with long texts cut to a budget, links made safe inside markup, the send
// loop (render, sign, POST, read the answer) and the mapping of a JSON error code to an
// outcome. Each target module keeps only its message layout, its signature and its codes.
import { z } from 'zod';
import { statusSchema, type Alert, type Status } from '../../model/alert';
import type { Outcome, TargetType } from '../contract';
import { classifyError, oneLine } from '../errors';
import { outcomeFromResponse, parseRetryAfter } from '../http/client';
import { httpRequest, type HttpResponse } from '../../http';
import { alertTime, alertWhere, SEVERITY_STYLE, STATUS_STYLE, templateView, truncate, type LengthUnit } from '../template';

/** `statuses:` of a chat target: the statuses it posts; unset posts every status. */
/**
 * Template lines every chat message carries after its body: who handles the alert, the
 * comment and the solution of its ARMS lifecycle (each line only when it has a value).
 */
export function lifecycleLines(bullet = ''): string[] {
  return [
    '{{#actor.handler}}',
    `${bullet}👤 Handler: {{actor.handler}}`,
    '{{/actor.handler}}',
    '{{#comment}}',
    `${bullet}💬 {{comment}}`,
    '{{/comment}}',
    '{{#solution}}',
    `${bullet}🛠️ {{solution}}`,
    '{{/solution}}',
  ];
}

export const statusesSetting = z
  .array(statusSchema)
  .min(1, 'must list at least one status (leave it out to post every status)')
  .optional()
  .describe('Statuses to post; default: every status');

export interface ChatSettings {
  statuses?: Status[] | undefined;
  allowPrivateNetwork: boolean;
  timezone: string;
}

/** The free texts of an alert that can be long. */
const LONG_TEXTS = ['summary', 'description', 'comment', 'solution'] as const;

/**
 * The template view of a chat message. Each long free text is cut to `max` first, so a huge
 * description cannot push the links and the footer of a template past the service's limit
 * (the rendered text is cut to the hard limit afterwards all the same). Links come with
 * URLs that no markup can split (see safeLink).
 */
export function chatView(alert: Alert, max: number, unit: LengthUnit, timeZone: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const cut: Partial<Alert> = {};
  for (const key of LONG_TEXTS) {
    const text = alert[key];
    if (text !== null) cut[key] = truncate(text, max, unit);
  }
  const time = alertTime(alert);
  return templateView({ ...alert, ...cut }, { links: alert.links.map(safeLink), time: time === null ? null : zonedTime(time, timeZone), ...extra });
}

/** Characters that end or split a link in Slack mrkdwn (`<url|title>`) or markdown (`[title](url)`). */
const URL_BREAKERS = /[\s()<>|"[\]]/g;

/**
 * A link whose URL is percent-encoded where a markup would cut it, and whose title has no
 * square brackets (which would close a markdown link early).
 */
export function safeLink(link: { title: string; url: string }): { title: string; url: string } {
  const url = link.url.replace(URL_BREAKERS, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
  return { title: link.title.replace(/\[/g, '(').replace(/\]/g, ')'), url };
}

/**
 * A superRefine for the webhook of a robot whose credential is a query parameter (DingTalk
 * `access_token`, WeCom `key`): the URL as pasted from the service carries it, or the token
 * setting does; exactly one of them. Both are secret settings.
 */
export function refineWebhookCredential(key: string, param: string, setting: string) {
  return (settings: Record<string, unknown>, ctx: z.RefinementCtx): void => {
    const value = settings[key];
    const inUrl = typeof value === 'string' && URL.canParse(value) && new URL(value).searchParams.get(param);
    const given = typeof settings[setting] === 'string';
    if (inUrl && given) ctx.addIssue({ code: 'custom', path: [setting], message: `${key} already carries ${param}: set one of them` });
    if (!inUrl && !given) ctx.addIssue({ code: 'custom', path: [], message: `set ${key} as pasted from the robot (with ${param}), or ${setting}` });
  };
}

/** The URL of a robot webhook with its credential: the one pasted in the URL, else the token setting. */
export function webhookWithCredential(webhookUrl: string, param: string, token: string | undefined): URL {
  const url = new URL(webhookUrl);
  if (token !== undefined) url.searchParams.set(param, token);
  return url;
}

/** `timezone:` of a chat target: the IANA zone its times are shown in. */
export const timezoneSetting = z
  .string()
  .default('UTC')
  .refine((zone) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  }, 'is not an IANA time zone (e.g. UTC, Asia/Shanghai, Europe/Berlin)')
  .describe('IANA time zone of the times in messages, e.g. Asia/Shanghai; default UTC');

/**
 * An RFC 3339 time in a time zone: `2024-03-01T09:30:00.000+08:00`. UTC keeps the alert's
 * own form (`...Z`). Text that is no time is returned as it is.
 */
export function zonedTime(iso: string, timeZone: string): string {
  const date = new Date(iso);
  if (timeZone === 'UTC' || Number.isNaN(date.getTime())) return iso;
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      timeZoneName: 'longOffset',
    })
      .formatToParts(date)
      .map((part) => [part.type, part.value]),
  );
  const offset = /^GMT([+-]\d{2}:\d{2})$/.exec(parts.timeZoneName ?? '')?.[1] ?? '+00:00';
  const ms = String(date.getUTCMilliseconds()).padStart(3, '0');
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}.${ms}${offset}`;
}

/**
 * Status, severity, where and when as label/value pairs: the fields Slack and Lark show
 * beside the templated text, so that a glance at any message tells what state it is in.
 */
export function glanceFields(alert: Alert, timeZone: string): [label: string, value: string][] {
  const status = STATUS_STYLE[alert.status];
  const severity = SEVERITY_STYLE[alert.severity];
  const source = alert.sourceSeverity ? ` (${alert.sourceSeverity})` : '';
  return [
    ['Status', `${status.emoji} ${status.label}`],
    ['Severity', `${severity.emoji} ${severity.label}${source}`],
    ['Where', alertWhere(alert)],
    ['When', zonedTime(alertTime(alert) ?? 'unknown', timeZone)],
  ];
}

export function statusSkipped(alert: Pick<Alert, 'status'>, statuses: readonly Status[] | undefined): Outcome | undefined {
  if (!statuses || statuses.includes(alert.status)) return undefined;
  return { outcome: 'skipped', detail: `status ${alert.status} is not in statuses (${statuses.join(', ')})` };
}

export interface ChatRequest {
  url: string;
  headers?: Record<string, string>;
  body: object;
}

export interface ChatTargetSpec<S extends ChatSettings, P extends object> {
  type: string;
  settings: z.ZodType<S>;
  secretKeys: readonly string[];
  /** The message as the service takes it, within its limits, before any signature. */
  render(alert: Alert, settings: S): P;
  /** The request that posts a rendered message: credentials in place, signed for `now` (epoch ms). */
  request(payload: P, settings: S, now: number): ChatRequest;
  /** What the service's answer means. */
  outcome(res: HttpResponse): Outcome;
}

/**
 * A chat target type: statuses outside `statuses:` are skipped, every other alert is
 * rendered, signed afresh on each attempt (signatures carry a timestamp the service checks)
 * and posted; anything thrown becomes a classified failure.
 */
export function defineChatTarget<S extends ChatSettings, P extends object>(spec: ChatTargetSpec<S, P>): TargetType<S> {
  return {
    type: spec.type,
    settings: spec.settings,
    secretKeys: spec.secretKeys,
    render: (alert, settings) => spec.render(alert, settings),
    create(settings) {
      return {
        async send(alert, ctx): Promise<Outcome> {
          const skipped = statusSkipped(alert, settings.statuses);
          if (skipped) return skipped;
          try {
            const request = spec.request(spec.render(alert, settings), settings, Date.now());
            const res = await httpRequest({ method: 'POST', ...request, signal: ctx.signal, allowPrivateNetwork: settings.allowPrivateNetwork });
            return spec.outcome(res);
          } catch (err) {
            return classifyError(err);
          }
        },
      };
    },
  };
}

/** Where a service puts its result code and message in a JSON answer, and which codes mean "slow down". */
export interface ResultCodes {
  service: string;
  code: string;
  message: string;
  retryable: ReadonlySet<number>;
  /** A header giving the seconds until the rate limit resets, read when there is no Retry-After. */
  resetHeader?: string;
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The outcome of a service that answers `{<code>: 0, <message>: "ok"}`: code 0 delivered;
 * a throttling or busy code failed and retryable (whatever the HTTP status: Lark throttles
 * with HTTP 400); other codes failed for good. A non-2xx answer without such a code is
 * classified by its HTTP status.
 */
export function outcomeFromResultCode(res: HttpResponse, codes: ResultCodes): Outcome {
  const body = parseObject(res.text);
  const code = body?.[codes.code];
  const message = typeof body?.[codes.message] === 'string' ? (body[codes.message] as string) : '';
  const described = oneLine(`${codes.service} ${codes.code} ${String(code)}${message ? `: ${message}` : ''}`);
  if (typeof code === 'number' && codes.retryable.has(code)) {
    const retryAfterMs = parseRetryAfter(res.headers.get('retry-after') ?? (codes.resetHeader ? res.headers.get(codes.resetHeader) : null));
    return { outcome: 'failed', retryable: true, detail: described, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  }
  if (res.status < 200 || res.status > 299) return outcomeFromResponse(res);
  if (code === 0) return { outcome: 'delivered', detail: described };
  if (typeof code !== 'number') {
    return { outcome: 'failed', retryable: false, detail: oneLine(`unexpected answer, no numeric ${codes.code}: HTTP ${res.status} ${res.text}`) };
  }
  return { outcome: 'failed', retryable: false, detail: described };
}
