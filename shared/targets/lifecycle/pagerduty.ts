// PagerDuty Events API v2 (https://events.pagerduty.com/v2/enqueue): trigger, acknowledge and
// resolve one alert per dedupKey. PagerDuty itself deduplicates on `dedup_key`, so a duplicate
// delivery is one more log entry on the same alert, never a second incident. The dedup_key
// PagerDuty accepted is the outcome's ref; a stored one (AttemptContext.ref) is used as is.
// docs/targets/pagerduty.md describes the settings and the mapping.
import { z } from 'zod';
import type { Alert } from '../../model/alert';
import { registerSecret } from '../../log';
import { defineTarget, type Outcome } from '../contract';
import { allowPrivateNetworkSetting, outcomeFromResponse, refineUrl } from '../http/client';
import { httpRequest, jsonAt, type HttpResponse } from '../../http';
import { HEADLINE_TEMPLATE, actionsSetting, correlationKey, lifecycleAction, runSteps, singleLine, skipped, skippedByMapping, truncate, type LifecycleAction } from './kit';
import { renderTemplate, templatesSetting, templateText } from '../template';

export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';

/** Limits of the Events API v2. */
export const PD_LIMITS = { dedupKey: 255, summary: 1024, payloadBytes: 512 * 1024 } as const;

/** Members listed in custom_details; a large ARMS group would otherwise outgrow the payload limit. */
const MAX_MEMBERS = 50;

export const PAGERDUTY_TEMPLATES = {
  summary: HEADLINE_TEMPLATE,
} as const;

/** An optional Mustache template for a PD-CEF field: unset means the default, empty means left out. */
const cefField = templateText.optional();

export const pagerDutySettings = z
  .object({
    routingKey: z.string().min(1).describe('Integration key of an Events API v2 integration (a secret)'),
    url: z.string().default(PAGERDUTY_EVENTS_URL),
    throttleDelayMs: z
      .number()
      .int()
      .min(0)
      .max(60_000)
      .default(30_000)
      .describe('Wait before retrying a 429 without Retry-After; PagerDuty asks for about 30 s'),
    allowPrivateNetwork: allowPrivateNetworkSetting,
    source: cefField.describe('payload.source; default: the first resource, else provider:account:region'),
    component: cefField.describe('payload.component; default: label component, service or namespace'),
    group: cefField.describe('payload.group; default: cloud:account:region'),
    class: cefField.describe('payload.class; default: the alert name'),
    templates: templatesSetting(PAGERDUTY_TEMPLATES),
    actions: actionsSetting,
  })
  .strict()
  .superRefine(refineUrl('url'));

export type PagerDutySettings = z.infer<typeof pagerDutySettings>;

type EventAction = 'trigger' | 'acknowledge' | 'resolve';

const EVENT_ACTIONS: Readonly<Partial<Record<LifecycleAction, EventAction>>> = {
  open: 'trigger',
  acknowledge: 'acknowledge',
  resolve: 'resolve',
};

export const NOTE_UNSUPPORTED = 'PagerDuty Events API v2 has no note event: nothing sent';

/** The dedup_key of an alert: its dedupKey, or a SHA-256 of it beyond 255 bytes. */
export function pagerDutyDedupKey(alert: Pick<Alert, 'dedupKey'>): string {
  return correlationKey(alert.dedupKey, PD_LIMITS.dedupKey);
}

/**
 * The dedup_key to send: the one PagerDuty accepted for this alert before (from the alert
 * state), so that its events keep reaching the same alert, else the derived one.
 */
export function dedupKeyFor(alert: Pick<Alert, 'dedupKey'>, ref: string | undefined): string {
  return ref && Buffer.byteLength(ref, 'utf8') <= PD_LIMITS.dedupKey ? ref : pagerDutyDedupKey(alert);
}

/** The dedup_key of PagerDuty's answer (`{"status":"success","dedup_key":...}`), else the one sent. */
function acceptedKey(res: Pick<HttpResponse, 'json'>, sent: string): string {
  try {
    const key = jsonAt(res.json(), 'dedup_key');
    return typeof key === 'string' && key !== '' ? key : sent;
  } catch {
    return sent;
  }
}

function present(...parts: (string | null | undefined)[]): string[] {
  return parts.filter((part): part is string => typeof part === 'string' && part.trim() !== '');
}

function defaultSource(alert: Alert): string {
  return alert.resources[0] ?? present(alert.provider, alert.account, alert.region).join(':');
}

function defaultComponent(alert: Alert): string | undefined {
  const { component, service, namespace } = alert.labels;
  return present(component, service, namespace)[0];
}

/** A PD-CEF field: the user's template rendered (blank means omitted), else the default. */
function cef(template: string | undefined, alert: Alert, fallback: string | undefined): string | undefined {
  const value = template === undefined ? fallback : singleLine(renderTemplate(template, alert));
  return value === undefined || value === '' ? undefined : truncate(value, PD_LIMITS.summary);
}

function customDetails(alert: Alert, members: Alert['alerts']): Record<string, unknown> {
  return {
    status: alert.status,
    severity: alert.severity,
    sourceSeverity: alert.sourceSeverity,
    provider: alert.provider,
    account: alert.account,
    region: alert.region,
    resources: alert.resources,
    description: alert.description,
    labels: alert.labels,
    annotations: alert.annotations,
    actor: alert.actor,
    comment: alert.comment,
    solution: alert.solution,
    startsAt: alert.startsAt,
    endsAt: alert.endsAt,
    dedupKey: alert.dedupKey,
    alertId: alert.id,
    membersTotal: alert.alerts.length,
    members,
  };
}

function httpLinks(alert: Alert): { href: string; text: string }[] {
  return alert.links.filter((link) => /^https?:\/\//i.test(link.url)).map((link) => ({ href: link.url, text: link.title }));
}

/** The Events API v2 body for one alert and action (`note` and `skip` have none). */
export function pagerDutyEvent(alert: Alert, settings: PagerDutySettings, eventAction: EventAction, dedupKey = pagerDutyDedupKey(alert)): Record<string, unknown> {
  const base = { routing_key: settings.routingKey, dedup_key: dedupKey, event_action: eventAction };
  if (eventAction !== 'trigger') return base;
  const links = httpLinks(alert);
  const payloadFor = (members: Alert['alerts']) => ({
    summary: truncate(singleLine(renderTemplate(settings.templates.summary, alert)) || alert.name, PD_LIMITS.summary),
    source: cef(settings.source, alert, defaultSource(alert)) ?? alert.provider,
    severity: alert.severity,
    timestamp: alert.observedAt ?? alert.source.time ?? undefined,
    component: cef(settings.component, alert, defaultComponent(alert)),
    group: cef(settings.group, alert, present(alert.cloud, alert.account, alert.region).join(':')),
    class: cef(settings.class, alert, alert.name),
    custom_details: customDetails(alert, members),
  });
  const event = {
    ...base,
    client: `alert-router (${alert.provider})`,
    ...(links[0] && { client_url: links[0].href }),
    links,
    payload: payloadFor(alert.alerts.slice(0, MAX_MEMBERS)),
  };
  // Labels and members are open-ended; past the 512 KB limit PagerDuty refuses the whole event.
  if (Buffer.byteLength(JSON.stringify(event)) <= PD_LIMITS.payloadBytes) return event;
  const { members: _members, annotations: _annotations, ...smaller } = event.payload.custom_details;
  return { ...event, payload: { ...event.payload, custom_details: { ...smaller, truncated: 'members and annotations left out: payload limit' } } };
}

export default defineTarget({
  type: 'pagerduty',
  settings: pagerDutySettings,
  secretKeys: ['routingKey'],
  render(alert, settings) {
    const action = lifecycleAction(alert, settings.actions);
    const eventAction = EVENT_ACTIONS[action];
    if (!eventAction) return { action, sent: false, detail: action === 'note' ? NOTE_UNSUPPORTED : skippedByMapping(alert).detail };
    return { action, sent: true, body: { ...pagerDutyEvent(alert, settings, eventAction), routing_key: '[REDACTED]' } };
  },
  create(settings) {
    registerSecret(settings.routingKey);
    return {
      async send(alert, ctx): Promise<Outcome> {
        const action = lifecycleAction(alert, settings.actions);
        if (action === 'skip') return skippedByMapping(alert);
        const eventAction = EVENT_ACTIONS[action];
        if (!eventAction) return skipped(NOTE_UNSUPPORTED);
        return runSteps(async () => {
          const dedupKey = dedupKeyFor(alert, ctx.ref);
          const event = pagerDutyEvent(alert, settings, eventAction, dedupKey);
          const res = await httpRequest({ method: 'POST', url: settings.url, body: event, signal: ctx.signal, allowPrivateNetwork: settings.allowPrivateNetwork });
          const outcome = outcomeFromResponse(res, `${eventAction} accepted (HTTP ${res.status})`);
          if (outcome.outcome === 'delivered') return { ...outcome, ref: acceptedKey(res, dedupKey) };
          // PagerDuty throttles per integration and asks callers to back off for about 30 s;
          // dispatch waits that long only when the function's remaining time allows it.
          if (outcome.outcome === 'failed' && res.status === 429 && outcome.retryAfterMs === undefined) return { ...outcome, retryAfterMs: settings.throttleDelayMs };
          return outcome;
        });
      },
    };
  },
});
