// ServiceNow Table API (/api/now/table/incident): one incident per alert lifecycle. The sys_id
// the target returned before (AttemptContext.ref, from the alert state) is read directly;
// without one, or when that incident is gone, it is found again by `correlation_id` (derived
// from dedupKey) among active incidents.
// open: the open incident, else reopen a resolved one still active (ServiceNow's own
// auto-close window), else create; acknowledge: In Progress + work note; note: work note;
// resolve: Resolved with close code and close notes.
// docs/targets/servicenow.md describes the settings, docs/targets/idempotency.md the create race.
import { z } from 'zod';
import type { Alert } from '../../model/alert';
import { SEVERITIES } from '../../model/alert';
import { registerSecret } from '../../log';
import { defineTarget, type Outcome } from '../contract';
import { allowPrivateNetworkSetting, refineUrl } from '../http/client';
import { jsonAt, type HttpResponse } from '../../http';
import { StepFailed, TICKET_TEMPLATES, actionsSetting, afterStaleRef, apiCall, apiLookup, basicAuth, correlationKey, lifecycleAction, runSteps, singleLine, skipped, skippedByMapping, ticketText, truncate } from './kit';
import { templatesSetting } from '../template';

/** Field lengths of the incident table (base system dictionary). */
export const SNOW_LIMITS = { correlationId: 100, shortDescription: 160, closeCode: 40, text: 4000 } as const;

/** Incident states of the base system. */
export const INCIDENT_STATE = { new: '1', inProgress: '2', onHold: '3', resolved: '6', closed: '7', canceled: '8' } as const;

/** correlation_display of every incident this target opens: which system correlates it. */
export const CORRELATION_DISPLAY = 'alert-router';

/**
 * The correlation_id of an alert: its dedupKey while it fits 100 characters and holds no `^`
 * (the encoded-query separator), else a SHA-256 of it.
 */
export function serviceNowCorrelationId(dedupKey: string): string {
  return correlationKey(dedupKey, SNOW_LIMITS.correlationId, (key) => !/[\^\r\n]/.test(key));
}

export const SERVICENOW_TEMPLATES = {
  ...TICKET_TEMPLATES,
  closeNotes: '{{#solution}}{{solution}}{{/solution}}{{^solution}}{{summary}}{{/solution}}',
} as const;

const level = z.union([z.literal(1), z.literal(2), z.literal(3)]);
const impactUrgency = z.object({ urgency: level, impact: level }).strict();

/** Priority = f(urgency, impact) in the base system: critical P1, error P3, warning P4, info P5. */
export const DEFAULT_SEVERITY_MAP = {
  critical: { urgency: 1, impact: 1 },
  error: { urgency: 2, impact: 2 },
  warning: { urgency: 2, impact: 3 },
  info: { urgency: 3, impact: 3 },
} as const satisfies Record<(typeof SEVERITIES)[number], z.infer<typeof impactUrgency>>;

/** Fields the target sets itself; `fields:` may add any other. */
const OWN_FIELDS = ['short_description', 'description', 'correlation_id', 'correlation_display', 'urgency', 'impact', 'state'];

export const serviceNowSettings = z
  .object({
    url: z.string().describe('Instance URL, e.g. https://example.service-now.com'),
    allowPrivateNetwork: allowPrivateNetworkSetting,
    username: z.string().min(1).optional(),
    password: z.string().min(1).optional().describe('Password of username (a secret)'),
    token: z.string().min(1).optional().describe('OAuth access token, instead of username and password (a secret)'),
    callerId: z.string().min(1).optional().describe('caller_id: a sys_id, or a user name with inputDisplayValue'),
    assignmentGroup: z.string().min(1).optional().describe('assignment_group: a sys_id, or a group name with inputDisplayValue'),
    category: z.string().min(1).optional(),
    fields: z.record(z.string(), z.unknown()).default({}).describe('Extra fields of a created incident'),
    severityMap: z
      .partialRecord(z.enum(SEVERITIES), impactUrgency)
      .default({})
      .transform((map) => ({ ...DEFAULT_SEVERITY_MAP, ...map })),
    // `Solution provided` is in the current incident close_code choice list (the `Solved (...)` values are legacy).
    closeCode: z.string().min(1).max(SNOW_LIMITS.closeCode).default('Solution provided'),
    inputDisplayValue: z.boolean().default(false).describe('Send reference fields as display values (sysparm_input_display_value)'),
    reopenResolved: z.boolean().default(true).describe('A new firing reopens a resolved incident not yet closed'),
    templates: templatesSetting(SERVICENOW_TEMPLATES),
    actions: actionsSetting,
  })
  .strict()
  .superRefine(refineUrl('url'))
  .superRefine((settings, ctx) => {
    const basic = settings.username !== undefined || settings.password !== undefined;
    if (basic === (settings.token !== undefined)) {
      ctx.addIssue({ code: 'custom', path: [], message: 'exactly one of username + password or token must be configured' });
    } else if (basic && (settings.username === undefined || settings.password === undefined)) {
      ctx.addIssue({ code: 'custom', path: [settings.username === undefined ? 'username' : 'password'], message: 'username and password go together' });
    }
    for (const key of OWN_FIELDS) {
      if (Object.hasOwn(settings.fields, key)) {
        ctx.addIssue({ code: 'custom', path: ['fields', key], message: `${key} is set by the target` });
      }
    }
  });

export type ServiceNowSettings = z.infer<typeof serviceNowSettings>;

const INCIDENT_FIELDS = ['sys_id', 'number', 'state', 'active', 'sys_created_on'] as const;

type Incident = Record<(typeof INCIDENT_FIELDS)[number], string>;

const LIST_FIELDS = INCIDENT_FIELDS.join(',');

/** A stored reference: the incident's sys_id. */
const SYS_ID = /^[0-9a-f]{32}$/;
/** More than one active incident means a lost create race; a handful is plenty to converge. */
const LIST_LIMIT = 10;

const text = (template: string, alert: Alert) => truncate(ticketText(template, alert), SNOW_LIMITS.text);

class IncidentTable {
  private readonly base: string;

  constructor(
    private readonly settings: ServiceNowSettings,
    private readonly auth: string,
    private readonly signal: AbortSignal,
  ) {
    this.base = `${settings.url.replace(/\/+$/, '')}/api/now/table/incident`;
  }

  private request(method: 'GET' | 'POST' | 'PATCH', path: string, params: Record<string, string>, body?: object) {
    const query = new URLSearchParams(params);
    if (body && this.settings.inputDisplayValue) query.set('sysparm_input_display_value', 'true');
    return {
      method,
      url: `${this.base}${path}${query.size > 0 ? `?${query.toString()}` : ''}`,
      headers: { authorization: this.auth, accept: 'application/json' },
      body,
      signal: this.signal,
      allowPrivateNetwork: this.settings.allowPrivateNetwork,
    };
  }

  private async call(step: string, method: 'GET' | 'POST' | 'PATCH', path: string, params: Record<string, string>, body?: object): Promise<unknown> {
    return resultOf(step, await apiCall(step, this.request(method, path, params, body)));
  }

  /** The incident a stored sys_id names, or undefined when the instance no longer has it (deleted, or hidden by an ACL). */
  async get(sysId: string): Promise<Incident | undefined> {
    const res = await apiLookup('read incident', this.request('GET', `/${encodeURIComponent(sysId)}`, { sysparm_fields: LIST_FIELDS }));
    return res && incidentOf('read incident', resultOf('read incident', res));
  }

  /** Active incidents of a correlation id, oldest first (created time, then number: a total order every racer agrees on). */
  async active(correlationId: string): Promise<Incident[]> {
    const found = await this.call('find incident', 'GET', '', {
      sysparm_query: `correlation_id=${correlationId}^active=true^ORDERBYsys_created_on^ORDERBYnumber`,
      sysparm_fields: LIST_FIELDS,
      sysparm_limit: String(LIST_LIMIT),
    });
    if (!Array.isArray(found)) throw new StepFailed({ outcome: 'failed', retryable: false, detail: 'find incident: the result is not a list' });
    return found.map((incident: unknown) => incidentOf('find incident', incident));
  }

  async create(fields: Record<string, unknown>): Promise<Incident> {
    return incidentOf('create incident', await this.call('create incident', 'POST', '', { sysparm_fields: LIST_FIELDS }, fields));
  }

  async update(step: string, incident: Incident, fields: Record<string, unknown>): Promise<Incident> {
    return incidentOf(step, await this.call(step, 'PATCH', `/${encodeURIComponent(incident.sys_id)}`, { sysparm_fields: LIST_FIELDS }, fields));
  }
}

function resultOf(step: string, res: Pick<HttpResponse, 'json'>): unknown {
  const result = jsonAt(res.json(), 'result');
  if (result === undefined) throw new StepFailed({ outcome: 'failed', retryable: false, detail: `${step}: no result in the response` });
  return result;
}

/** An incident of the answer: every field asked for (sysparm_fields), as text. */
function incidentOf(step: string, value: unknown): Incident {
  const missing = INCIDENT_FIELDS.find((field) => typeof jsonAt(value, field) !== 'string');
  if (missing) throw new StepFailed({ outcome: 'failed', retryable: false, detail: `${step}: the response has no incident ${missing}` });
  return value as Incident;
}

const isResolved = (incident: Incident) => incident.state === INCIDENT_STATE.resolved;
/** Closed and Canceled incidents are inactive: nothing more happens to them. */
const isActive = (incident: Incident) => incident.active !== 'false';
const isOpen = (incident: Incident) => isActive(incident) && !isResolved(incident);

function createFields(alert: Alert, settings: ServiceNowSettings, correlationId: string): Record<string, unknown> {
  const { urgency, impact } = settings.severityMap[alert.severity];
  return {
    ...settings.fields,
    short_description: truncate(singleLine(ticketText(settings.templates.summary, alert)) || alert.name, SNOW_LIMITS.shortDescription),
    description: text(settings.templates.description, alert),
    correlation_id: correlationId,
    correlation_display: CORRELATION_DISPLAY,
    urgency: String(urgency),
    impact: String(impact),
    ...(settings.callerId && { caller_id: settings.callerId }),
    ...(settings.assignmentGroup && { assignment_group: settings.assignmentGroup }),
    ...(settings.category && { category: settings.category }),
  };
}

function resolveFields(alert: Alert, settings: ServiceNowSettings): Record<string, unknown> {
  return { state: INCIDENT_STATE.resolved, close_code: settings.closeCode, close_notes: text(settings.templates.closeNotes, alert) };
}

/** Delivered, with the incident's sys_id as the reference the state keeps (the detail names its number). */
function delivered(incident: Incident, detail: string): Outcome {
  return { outcome: 'delivered', ref: incident.sys_id, detail };
}

function serviceNowTarget(settings: ServiceNowSettings) {
  const auth = settings.token !== undefined ? `Bearer ${settings.token}` : basicAuth(settings.username ?? '', settings.password ?? '');
  for (const secret of [settings.token, settings.password]) if (secret) registerSecret(secret);
  if (settings.token === undefined) registerSecret(auth.slice('Basic '.length));

  async function reopen(table: IncidentTable, alert: Alert, incident: Incident): Promise<Outcome> {
    await table.update('reopen incident', incident, { state: INCIDENT_STATE.inProgress, work_notes: text(settings.templates.reopen, alert) });
    return delivered(incident, `reopened ${incident.number}`);
  }

  async function create(table: IncidentTable, alert: Alert, correlationId: string): Promise<Outcome> {
    const created = await table.create(createFields(alert, settings, correlationId));
    // Two deliveries of one firing that raced past the query both create: the oldest active
    // incident wins everywhere (reads are consistent), and the newer one cancels itself.
    const [oldest] = (await table.active(correlationId)).filter((incident) => !isResolved(incident));
    if (oldest && oldest.sys_id !== created.sys_id) {
      await table.update('cancel duplicate', created, {
        state: INCIDENT_STATE.canceled,
        work_notes: `Duplicate of ${oldest.number}: the same alert was delivered twice at the same time.`,
      });
      return delivered(oldest, `incident ${oldest.number} already open; duplicate ${created.number} canceled`);
    }
    return delivered(created, `created ${created.number}`);
  }

  async function openByQuery(table: IncidentTable, alert: Alert, correlationId: string): Promise<Outcome> {
    const active = await table.active(correlationId);
    const unresolved = active.find((incident) => !isResolved(incident));
    if (unresolved) return delivered(unresolved, `incident ${unresolved.number} already open`);
    const resolved = active.at(-1);
    if (resolved && settings.reopenResolved) return reopen(table, alert, resolved);
    return create(table, alert, correlationId);
  }

  /** The incident a stored sys_id names, else why it cannot be used. */
  async function stored(table: IncidentTable, ref: string | undefined): Promise<{ incident?: Incident; why?: string }> {
    if (!ref) return {};
    if (!SYS_ID.test(ref)) return { why: `reference ${ref} is not a sys_id` };
    const incident = await table.get(ref);
    return incident ? { incident } : { why: `incident ${ref} not found` };
  }

  async function open(table: IncidentTable, alert: Alert, correlationId: string, ref?: string): Promise<Outcome> {
    const { incident, why } = await stored(table, ref);
    if (incident && isOpen(incident)) return delivered(incident, `incident ${incident.number} already open`);
    if (incident && isActive(incident) && settings.reopenResolved) return reopen(table, alert, incident);
    // Closed, canceled, or resolved and not to be reopened: a new one (the check after create still catches a racer).
    if (incident) return create(table, alert, correlationId);
    return afterStaleRef(ref, why, await openByQuery(table, alert, correlationId));
  }

  /** The stored incident when `usable` says it is, else the reason, for the fallback query. */
  async function storedIf(table: IncidentTable, ref: string | undefined, usable: (incident: Incident) => boolean, state: string) {
    const { incident, why } = await stored(table, ref);
    if (!incident) return { why };
    return usable(incident) ? { incident } : { why: `incident ${incident.number} ${state}` };
  }

  async function acknowledge(table: IncidentTable, alert: Alert, correlationId: string, ref?: string): Promise<Outcome> {
    const known = await storedIf(table, ref, isOpen, 'not open');
    const incident = known.incident ?? (await table.active(correlationId)).find((candidate) => !isResolved(candidate));
    if (!incident) return afterStaleRef(ref, known.why, skipped(`no open incident with correlation_id ${correlationId}`));
    const state = incident.state === INCIDENT_STATE.new ? { state: INCIDENT_STATE.inProgress } : {};
    await table.update('acknowledge incident', incident, { ...state, work_notes: text(settings.templates.acknowledge, alert) });
    return afterStaleRef(ref, known.why, delivered(incident, `acknowledged ${incident.number}`));
  }

  async function note(table: IncidentTable, alert: Alert, correlationId: string, ref?: string): Promise<Outcome> {
    // A resolved incident is still active: a late comment belongs on it too.
    const known = await storedIf(table, ref, isActive, 'no longer active');
    const [incident] = known.incident ? [known.incident] : await table.active(correlationId);
    if (!incident) return afterStaleRef(ref, known.why, skipped(`no active incident with correlation_id ${correlationId}`));
    await table.update('add work note', incident, { work_notes: text(settings.templates.note, alert) });
    return afterStaleRef(ref, known.why, delivered(incident, `work note on ${incident.number}`));
  }

  async function resolve(table: IncidentTable, alert: Alert, correlationId: string, ref?: string): Promise<Outcome> {
    const known = await storedIf(table, ref, isOpen, 'not open');
    // Without a stored incident, all of them: a lost create race may have left two.
    const open = known.incident ? [known.incident] : (await table.active(correlationId)).filter((incident) => !isResolved(incident));
    if (open.length === 0) return afterStaleRef(ref, known.why, skipped(`no open incident with correlation_id ${correlationId}`));
    for (const incident of open) await table.update('resolve incident', incident, resolveFields(alert, settings));
    return afterStaleRef(ref, known.why, delivered(open[0] as Incident, `resolved ${open.map((incident) => incident.number).join(', ')}`));
  }

  const steps = { open, acknowledge, note, resolve } as const;

  return {
    async send(alert: Alert, ctx: { signal: AbortSignal; ref?: string }): Promise<Outcome> {
      const action = lifecycleAction(alert, settings.actions);
      if (action === 'skip') return skippedByMapping(alert);
      const table = new IncidentTable(settings, auth, ctx.signal);
      return runSteps(() => steps[action](table, alert, serviceNowCorrelationId(alert.dedupKey), ctx.ref));
    },
  };
}

export default defineTarget({
  type: 'servicenow',
  settings: serviceNowSettings,
  secretKeys: ['password', 'token'],
  render(alert, settings) {
    const action = lifecycleAction(alert, settings.actions);
    const correlationId = serviceNowCorrelationId(alert.dedupKey);
    switch (action) {
      case 'skip':
        return { action, detail: skippedByMapping(alert).detail };
      case 'open':
        return { action, correlationId, create: createFields(alert, settings, correlationId) };
      case 'acknowledge':
        return { action, correlationId, update: { state: INCIDENT_STATE.inProgress, work_notes: text(settings.templates.acknowledge, alert) } };
      case 'note':
        return { action, correlationId, update: { work_notes: text(settings.templates.note, alert) } };
      case 'resolve':
        return { action, correlationId, update: resolveFields(alert, settings) };
    }
  },
  create: (settings) => serviceNowTarget(settings),
});
