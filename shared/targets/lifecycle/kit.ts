// What the targets that follow an alert's whole lifecycle (PagerDuty, Jira, ServiceNow) share:
// the status -> action mapping and its `actions:` override, the correlation keys derived from
// dedupKey (the upstream service finds its incident again by them when no reference is stored
// in the alert state, or the stored one is gone), the `templates:` setting, text limits, and
// multi-request calls that stop at the first failure.
// docs/targets/lifecycle.md has the table of what each status does on each target.
import { z } from 'zod';
import { sha256Hex } from '../../hash';
import { STATUSES, type Alert, type Status } from '../../model/alert';
import type { Outcome } from '../contract';
import { classifyError } from '../errors';
import { outcomeFromResponse } from '../http/client';
import { httpRequest, type HttpRequest, type HttpResponse } from '../../http';
import { renderTemplate } from '../template';

export const LIFECYCLE_ACTIONS = ['open', 'acknowledge', 'note', 'resolve', 'skip'] as const;
export type LifecycleAction = (typeof LIFECYCLE_ACTIONS)[number];
export type ActionOverrides = Partial<Record<Status, LifecycleAction>>;

/**
 * What each status does unless a target's `actions:` says otherwise. A configuration change is
 * no incident (skip), but a deleted alarm can never resolve its open incident by itself, so
 * deleting it resolves the incident.
 */
export const DEFAULT_ACTIONS: Readonly<Record<Status, LifecycleAction>> = {
  firing: 'open',
  acknowledged: 'acknowledge',
  commented: 'note',
  resolved: 'resolve',
  'insufficient-data': 'note',
  'config-created': 'skip',
  'config-updated': 'skip',
  'config-deleted': 'resolve',
};

const actionSchema = z.enum(LIFECYCLE_ACTIONS);

/** The `actions:` setting of every lifecycle target: a partial map status -> action. */
export const actionsSetting = z
  .object(Object.fromEntries(STATUSES.map((status) => [status, actionSchema.optional()])) as Record<Status, z.ZodOptional<typeof actionSchema>>)
  .strict()
  .prefault({})
  .describe('Overrides of the status -> action mapping (open, acknowledge, note, resolve, skip)');

export function lifecycleAction(alert: Pick<Alert, 'status'>, overrides: ActionOverrides = {}): LifecycleAction {
  return overrides[alert.status] ?? DEFAULT_ACTIONS[alert.status];
}

export function skipped(detail: string): Outcome {
  return { outcome: 'skipped', detail };
}

/** The skip of an alert whose status maps to `skip`. */
export function skippedByMapping(alert: Pick<Alert, 'status'>): Outcome {
  return skipped(`status ${alert.status} maps to skip`);
}

// ---- correlation keys ------------------------------------------------------------------

/**
 * dedupKey as the upstream service's correlation field: the key itself while it fits `maxBytes`
 * (UTF-8 bytes, so it fits however the service counts) and `usable` accepts it, else
 * `sha256:<hex>` of it. Deterministic, so every event of one alert lands on the same incident.
 */
export function correlationKey(dedupKey: string, maxBytes: number, usable: (key: string) => boolean = () => true): string {
  if (Buffer.byteLength(dedupKey, 'utf8') <= maxBytes && usable(dedupKey)) return dedupKey;
  return `sha256:${sha256Hex(dedupKey)}`;
}

// ---- texts -----------------------------------------------------------------------------

/** Newlines and runs of blanks become one space: summaries and titles are one line. */
export function singleLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * At most `max` UTF-16 units, ending in an ellipsis when cut, never splitting a surrogate pair.
 * UTF-16 length bounds the code-point count too, so the limit holds however a service counts.
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}

// ---- multi-request actions -------------------------------------------------------------

/** Thrown by apiCall when a step fails: the action stops and returns `outcome`. */
export class StepFailed extends Error {
  constructor(readonly outcome: Outcome) {
    super(outcome.outcome === 'skipped' ? outcome.detail : (outcome.detail ?? 'failed'));
    this.name = 'StepFailed';
  }
}

/**
 * One request of a multi-request action (search, then create...). A non-2xx response throws
 * StepFailed with the usual classification (429/5xx retryable, Retry-After kept), its detail
 * prefixed with `step` so the report says which request failed.
 */
export async function apiCall(step: string, request: HttpRequest): Promise<HttpResponse> {
  const res = await httpRequest(request);
  if (res.status >= 200 && res.status <= 299) return res;
  throw stepFailure(step, res);
}

function stepFailure(step: string, res: HttpResponse): StepFailed {
  const outcome = outcomeFromResponse(res);
  return new StepFailed(outcome.outcome === 'failed' ? { ...outcome, detail: `${step}: ${outcome.detail}` } : outcome);
}

/**
 * A read of one object by the reference stored for it (ticket key, sys_id): undefined when
 * the service answers 404 (deleted, or no longer visible), so the caller falls back to its
 * search; any other failure stops the action as apiCall does.
 */
export async function apiLookup(step: string, request: HttpRequest): Promise<HttpResponse | undefined> {
  const res = await httpRequest(request);
  if (res.status === 404) return undefined;
  if (res.status >= 200 && res.status <= 299) return res;
  throw stepFailure(step, res);
}

/** A detail that says the stored reference could not be used, before what the search then did. */
export function afterStaleRef(ref: string | undefined, why: string | undefined, outcome: Outcome): Outcome {
  if (!ref || !why || outcome.outcome === 'failed') return outcome;
  return { ...outcome, detail: `stored ${why}, searched: ${outcome.detail ?? outcome.outcome}` };
}

/** Runs a multi-request action: a StepFailed gives its outcome, anything thrown is classified. */
export async function runSteps(action: () => Promise<Outcome>): Promise<Outcome> {
  try {
    return await action();
  } catch (err) {
    return err instanceof StepFailed ? err.outcome : classifyError(err);
  }
}

/** Credentials for HTTP basic authentication. */
export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}

/**
 * A bounded in-memory map with a time to live: what this function instance itself created a
 * moment ago, for services whose search lags behind their writes (Jira's index). It is a cache
 * in a warm container, never a database: losing it costs only a search.
 */
export class RecentMap<V> {
  private readonly entries = new Map<string, { value: V; at: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (this.now() - entry.at > this.ttlMs) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, { value, at: this.now() });
    // Map keeps insertion order: the first key is the oldest.
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}

// ---- ticket texts ----------------------------------------------------------------------

/**
 * The one-line title of an alert: its summary, after the alertname when it has one (ARMS and
 * other Prometheus-style alerts). CloudWatch summaries already start with the alarm name.
 */
export const HEADLINE_TEMPLATE = '{{#labels.alertname}}{{labels.alertname}}: {{/labels.alertname}}{{summary}}';

/**
 * Default texts of the ticketing targets (Jira, ServiceNow); `summary` is the one-line title.
 * Comments and notes start with the status, so a ticket's history reads at a glance.
 */
export const TICKET_TEMPLATES = {
  summary: `[{{severityUpper}}] ${HEADLINE_TEMPLATE}`,
  description: [
    '{{summary}}',
    '',
    '{{details}}',
    '',
    'Status: {{statusUpper}}, severity: {{severityUpper}}{{#sourceSeverity}} ({{sourceSeverity}}){{/sourceSeverity}}',
    'Source: {{provider}}{{#account}}, account {{account}}{{/account}}{{#region}}, region {{region}}{{/region}}',
    '{{#resources}}Resource: {{.}}\n{{/resources}}{{#labelList}}{{key}}={{value}}\n{{/labelList}}',
    '{{#links}}{{title}}: {{url}}\n{{/links}}',
  ].join('\n'),
  acknowledge: '{{statusUpper}}{{#actor}}{{#handler}} by {{handler}}{{/handler}}{{/actor}}: {{summary}}',
  note: '{{statusUpper}}{{#actor}}{{#operator}} by {{operator}}{{/operator}}{{/actor}}: {{#comment}}{{comment}}{{/comment}}{{^comment}}{{summary}}{{/comment}}',
  reopen: '{{statusUpper}} again: {{summary}}',
} as const;

/** What a ticket says when it is resolved: the solution when there is one, else the summary. */
export const RESOLVE_TEMPLATE =
  '{{statusUpper}}{{#actor}}{{#operator}} by {{operator}}{{/operator}}{{/actor}}: {{#solution}}{{solution}}{{/solution}}{{^solution}}{{summary}}{{/solution}}';

/** Renders a ticket text: plain (no HTML escaping), blank lines of empty sections collapsed. */
export function ticketText(template: string, alert: Alert): string {
  return renderTemplate(template, alert)
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
