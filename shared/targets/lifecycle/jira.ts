// Jira Cloud (REST API v3) and Jira Data Center / Server (REST API v2): one issue per alert
// lifecycle. The issue key the target returned before (AttemptContext.ref, from the alert
// state) is read directly; without one, or when that issue is gone, the issue is found again
// by a label derived from dedupKey (`alert-router-<hash>`) through JQL, as Alertmanager's Jira
// integration does. open: the open issue, else reopen a recently resolved one (reopenWindow),
// else create; acknowledge/note: comment; resolve: comment and transition, filling the fields
// the transition's screen requires (a resolution).
// docs/targets/jira.md describes the settings, docs/targets/idempotency.md the create race.
import { z } from 'zod';
import type { Alert } from '../../model/alert';
import { SEVERITIES } from '../../model/alert';
import { sha256Hex } from '../../hash';
import { registerSecret } from '../../log';
import { defineTarget, type Outcome } from '../contract';
import { allowPrivateNetworkSetting, refineUrl } from '../http/client';
import { jsonAt } from '../../http';
import { RESOLVE_TEMPLATE, RecentMap, StepFailed, TICKET_TEMPLATES, actionsSetting, afterStaleRef, apiCall, apiLookup, basicAuth, lifecycleAction, runSteps, singleLine, skipped, skippedByMapping, ticketText, truncate } from './kit';
import { templatesSetting } from '../template';

/** Limits Jira enforces: summary length, text fields (description, comment body), labels. */
export const JIRA_LIMITS = { summary: 255, text: 32_767, label: 255 } as const;

/** The label that carries an alert's identity: short, stable, valid in JQL without escaping. */
export function jiraDedupLabel(dedupKey: string): string {
  return `alert-router-${sha256Hex(dedupKey).slice(0, 16)}`;
}

export const JIRA_TEMPLATES = { ...TICKET_TEMPLATES, resolve: RESOLVE_TEMPLATE } as const;

/** Fields the target sets itself; `fields:` may add any other (priority, components, customfield_...). */
const OWN_FIELDS = ['project', 'issuetype', 'summary', 'description', 'labels'];

const label = z
  .string()
  .min(1)
  .max(JIRA_LIMITS.label)
  .regex(/^\S+$/, 'a Jira label cannot contain spaces');

export const JIRA_DEPLOYMENTS = ['cloud', 'datacenter'] as const;

/** The resolution a resolve transition sets when its screen requires one and none is configured. */
export const DEFAULT_RESOLUTION = 'Done';

export const jiraSettings = z
  .object({
    url: z.string().describe('Site URL, e.g. https://your-domain.atlassian.net or https://jira.example.com'),
    allowPrivateNetwork: allowPrivateNetworkSetting,
    deployment: z
      .enum(JIRA_DEPLOYMENTS)
      .default('cloud')
      .describe('cloud: Jira Cloud, REST API v3, email + API token; datacenter: Jira Data Center / Server, REST API v2, personal access token'),
    email: z.string().min(1).optional().describe('Atlassian account email, user of the API token (cloud only)'),
    apiToken: z.string().min(1).describe('cloud: Atlassian API token of email; datacenter: personal access token (a secret)'),
    project: z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'a Jira project key, e.g. OPS'),
    issueType: z.string().min(1).default('Task'),
    labels: z.array(label).default([]).describe('Labels added to every created issue'),
    fields: z.record(z.string(), z.unknown()).default({}).describe('Extra fields of a created issue'),
    priorities: z
      .partialRecord(z.enum(SEVERITIES), z.string().min(1))
      .optional()
      .describe('Priority name per severity, e.g. {critical: Highest}; unset: Jira default priority'),
    resolveTransition: z.string().min(1).default('Done').describe('Transition (or target status) name that resolves'),
    resolution: z
      .string()
      .min(1)
      .optional()
      .describe(`Resolution set by the resolve transition when its screen has the field; unset: ${DEFAULT_RESOLUTION} when the screen requires one`),
    resolveFields: z
      .record(z.string(), z.unknown())
      .default({})
      .describe('Other fields set by the resolve transition when they are on its screen, e.g. {customfield_10050: {value: Monitoring}}'),
    reopenTransition: z
      .string()
      .min(1)
      .optional()
      .describe('Transition that reopens; default: the first one into a to-do status'),
    reopenWindow: z
      .number()
      .int()
      .min(0)
      .default(0)
      .describe('Minutes after resolution during which a new firing reopens the issue; 0: always create anew'),
    templates: templatesSetting(JIRA_TEMPLATES),
    actions: actionsSetting,
  })
  .strict()
  .superRefine(refineUrl('url'))
  .superRefine((settings, ctx) => {
    for (const key of OWN_FIELDS) {
      if (Object.hasOwn(settings.fields, key)) {
        ctx.addIssue({ code: 'custom', path: ['fields', key], message: `${key} is set by the target (use project, issueType, labels or templates)` });
      }
    }
    if (Object.hasOwn(settings.resolveFields, 'resolution')) {
      ctx.addIssue({ code: 'custom', path: ['resolveFields', 'resolution'], message: 'use the resolution setting' });
    }
    if (settings.deployment === 'cloud' && settings.email === undefined) {
      ctx.addIssue({ code: 'custom', path: ['email'], message: 'required on Jira Cloud: the account of the API token' });
    }
    if (settings.deployment === 'datacenter' && settings.email !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['email'], message: 'not used on Data Center: a personal access token is sent alone, as a bearer token' });
    }
  });

export type JiraSettings = z.infer<typeof jiraSettings>;

// ---- Atlassian Document Format ---------------------------------------------------------

type AdfInline = { type: 'text'; text: string; marks?: { type: 'link'; attrs: { href: string } }[] } | { type: 'hardBreak' };

const URL_PATTERN = /https?:\/\/[^\s<>"]+/g;

/** Text nodes of one line, with every URL a clickable link (ADF text nodes must not be empty). */
function inlineNodes(line: string): AdfInline[] {
  const nodes: AdfInline[] = [];
  let last = 0;
  for (const match of line.matchAll(URL_PATTERN)) {
    if (match.index > last) nodes.push({ type: 'text', text: line.slice(last, match.index) });
    nodes.push({ type: 'text', text: match[0], marks: [{ type: 'link', attrs: { href: match[0] } }] });
    last = match.index + match[0].length;
  }
  if (last < line.length) nodes.push({ type: 'text', text: line.slice(last) });
  return nodes;
}

/** Plain text as an ADF document (Cloud): blank lines separate paragraphs, newlines are hard breaks. */
export function adfDocument(text: string): Record<string, unknown> {
  const paragraphs = truncate(text, JIRA_LIMITS.text)
    .split(/\n[ \t]*\n/)
    .map((paragraph) => paragraph.trim())
    .filter(Boolean)
    .map((paragraph) => ({
      type: 'paragraph',
      content: paragraph.split('\n').flatMap((line, i) => [...(i > 0 ? [{ type: 'hardBreak' } as const] : []), ...inlineNodes(line)]),
    }));
  return { type: 'doc', version: 1, content: paragraphs.length > 0 ? paragraphs : [{ type: 'paragraph', content: [] }] };
}

// ---- requests --------------------------------------------------------------------------

interface IssueRef {
  id: string;
  key: string;
}

/** An issue read by its key: where it stands. */
interface IssueState extends IssueRef {
  done: boolean;
  /** When it was resolved (epoch ms), or null. */
  resolvedAt: number | null;
}

/** A field of a transition's screen (expand=transitions.fields). */
interface FieldMeta {
  required?: boolean;
  name?: string;
  hasDefaultValue?: boolean;
  allowedValues?: { id?: string; name?: string; value?: string }[];
}

interface Transition {
  id: string;
  name: string;
  to?: { name?: string; statusCategory?: { key?: string } };
  fields?: Record<string, FieldMeta>;
}

/** What a transition may set, and what to tell the user when its screen wants more. */
interface TransitionInput {
  resolution?: string;
  fields: Record<string, unknown>;
  /** The setting that would supply a missing required field. */
  hint: string;
}

const NO_INPUT: TransitionInput = { fields: {}, hint: 'choose a transition without required fields' };

/** A JQL string literal. */
function jqlString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function sameName(a: string | undefined, b: string): boolean {
  return a !== undefined && a.localeCompare(b, undefined, { sensitivity: 'accent' }) === 0;
}

const NOT_DONE = 'statusCategory != Done';

/** How long an issue this instance created stays known without search (Jira's index lags by seconds). */
const RECENT_TTL_MS = 10 * 60_000;
const RECENT_MAX = 1000;

/** A permanent failure of the action: the same request would fail the same way. */
const refused = (detail: string) => new StepFailed({ outcome: 'failed', retryable: false, detail });

/**
 * The fields a transition is sent with: the configured ones its screen has, the resolution
 * (the configured one, else Done when the screen requires one and offers it), by id when
 * the screen lists the allowed values. A required field left without a value fails the
 * action for good, naming it, before Jira refuses the transition.
 */
export function transitionFields(transition: Transition, issueKey: string, input: TransitionInput): Record<string, unknown> {
  const screen = transition.fields ?? {};
  const where = `transition "${transition.name}" on ${issueKey}`;
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input.fields)) if (Object.hasOwn(screen, key)) fields[key] = value;
  const resolution = screen.resolution;
  if (resolution) {
    const allowed = resolution.allowedValues ?? [];
    const allowedNames = allowed.map((value) => value.name ?? value.value ?? value.id).join(', ') || 'none listed';
    const wanted = input.resolution ?? (resolution.required && !resolution.hasDefaultValue ? DEFAULT_RESOLUTION : undefined);
    const match = wanted === undefined ? undefined : allowed.find((value) => sameName(value.name, wanted));
    if (wanted !== undefined && match?.id) fields.resolution = { id: match.id };
    else if (wanted !== undefined && allowed.length === 0) fields.resolution = { name: wanted };
    else if (input.resolution !== undefined) throw refused(`${where}: resolution "${input.resolution}" is not one of its resolutions (${allowedNames})`);
    else if (wanted !== undefined) throw refused(`${where} requires a resolution and offers no "${DEFAULT_RESOLUTION}": set resolution to one of ${allowedNames}`);
  }
  const missing = Object.entries(screen).filter(([key, meta]) => meta.required === true && meta.hasDefaultValue !== true && !Object.hasOwn(fields, key));
  if (missing.length > 0) {
    const names = missing.map(([key, meta]) => (meta.name && meta.name !== key ? `${meta.name} (${key})` : key)).join(', ');
    throw refused(`${where} requires ${names}: ${input.hint}`);
  }
  return fields;
}

/** An issue's id and key as Jira answers them (the id is text; a number is taken too). */
function issueRefOf(step: string, value: unknown): IssueRef {
  const id = jsonAt(value, 'id');
  const key = jsonAt(value, 'key');
  if (!key || typeof key !== 'string' || (typeof id !== 'string' && typeof id !== 'number')) throw refused(`${step}: no issue key in the response`);
  return { id: String(id), key };
}

/** A transition that can be applied: it has its id and name (the rest is read with care where used). */
function isTransition(value: unknown): value is Transition {
  return typeof jsonAt(value, 'id') === 'string' && typeof jsonAt(value, 'name') === 'string';
}

/** Jira's resolutiondate (`2024-05-01T10:00:00.000+0000`) as epoch ms, or null. */
function resolvedAt(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const ms = Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isNaN(ms) ? null : ms;
}

class JiraClient {
  private readonly api: string;
  private readonly cloud: boolean;

  constructor(
    private readonly settings: JiraSettings,
    private readonly auth: string,
    private readonly signal: AbortSignal,
  ) {
    this.cloud = settings.deployment === 'cloud';
    this.api = `${settings.url.replace(/\/+$/, '')}/rest/api/${this.cloud ? 3 : 2}`;
  }

  private request(method: 'GET' | 'POST', path: string, body?: object) {
    return {
      method,
      url: `${this.api}${path}`,
      headers: { authorization: this.auth, accept: 'application/json' },
      body,
      signal: this.signal,
      allowPrivateNetwork: this.settings.allowPrivateNetwork,
    };
  }

  private async call(step: string, method: 'GET' | 'POST', path: string, body?: object): Promise<unknown> {
    const res = await apiCall(step, this.request(method, path, body));
    return res.text ? res.json() : undefined;
  }

  /** A text field's value: an ADF document on Cloud (v3), the text itself on Data Center (v2). */
  text(text: string): unknown {
    return this.cloud ? adfDocument(text) : truncate(text, JIRA_LIMITS.text);
  }

  /** Issues of the project carrying `label` that match `condition`, oldest first unless `order` says otherwise. */
  async search(label: string, condition: string, options: { order?: string; reconcile?: IssueRef; max?: number } = {}): Promise<IssueRef[]> {
    const jql = `project = ${jqlString(this.settings.project)} AND labels = ${jqlString(label)} AND ${condition} ORDER BY ${options.order ?? 'created ASC, key ASC'}`;
    const query = { jql, fields: ['status'], maxResults: options.max ?? 10 };
    const result = this.cloud
      ? await this.call('search issues', 'POST', '/search/jql', {
          ...query,
          // Strong consistency for an issue we created a moment ago, which the index may not have yet.
          ...(options.reconcile && { reconcileIssues: [Number(options.reconcile.id)] }),
        })
      : await this.call('search issues', 'POST', '/search', query);
    const issues = jsonAt(result, 'issues');
    return (Array.isArray(issues) ? issues : []).map((issue: unknown) => issueRefOf('search issues', issue));
  }

  /** The issue a stored key names, or undefined when Jira no longer has it (deleted, or not visible). */
  async issue(key: string): Promise<IssueState | undefined> {
    const res = await apiLookup('read issue', this.request('GET', `/issue/${encodeURIComponent(key)}?fields=status,resolutiondate`));
    if (!res) return undefined;
    const issue = res.json();
    return {
      ...issueRefOf(`read issue ${key}`, issue),
      done: jsonAt(issue, 'fields', 'status', 'statusCategory', 'key') === 'done',
      resolvedAt: resolvedAt(jsonAt(issue, 'fields', 'resolutiondate')),
    };
  }

  async create(fields: Record<string, unknown>): Promise<IssueRef> {
    return issueRefOf('create issue', await this.call('create issue', 'POST', '/issue', { fields }));
  }

  async comment(issue: IssueRef, text: string): Promise<void> {
    await this.call('add comment', 'POST', `/issue/${encodeURIComponent(issue.key)}/comment`, { body: this.text(text) });
  }

  /**
   * Applies the transition named `name` (or leading to a status of that name); without a
   * name, the one `fallback` picks from the issue's available transitions. Its screen's
   * fields come with the list (expand=transitions.fields) and are filled from `input`.
   */
  async transition(issue: IssueRef, name: string | undefined, input: TransitionInput, fallback: (list: Transition[]) => Transition | undefined = () => undefined): Promise<void> {
    const path = `/issue/${encodeURIComponent(issue.key)}/transitions`;
    const listed = jsonAt(await this.call('list transitions', 'GET', `${path}?expand=transitions.fields`), 'transitions');
    const list = Array.isArray(listed) ? listed.filter(isTransition) : [];
    const chosen = name ? list.find((t) => sameName(t.name, name) || sameName(t.to?.name, name)) : fallback(list);
    if (!chosen) {
      const available = list.map((t) => t.name).join(', ') || 'none';
      throw refused(`transition ${name ? `"${name}" ` : ''}not available on ${issue.key} (available: ${available})`);
    }
    const fields = transitionFields(chosen, issue.key, input);
    await this.call('transition issue', 'POST', path, { transition: { id: chosen.id }, ...(Object.keys(fields).length > 0 && { fields }) });
  }
}

/** The default reopen transition: into a to-do status, else into any status not done. */
function reopening(list: Transition[]): Transition | undefined {
  const category = (t: Transition) => t.to?.statusCategory?.key;
  return list.find((t) => category(t) === 'new') ?? list.find((t) => category(t) !== 'done');
}

function createFields(alert: Alert, settings: JiraSettings, dedupLabel: string, text: (text: string) => unknown): Record<string, unknown> {
  const priority = settings.priorities?.[alert.severity];
  return {
    ...settings.fields,
    project: { key: settings.project },
    issuetype: { name: settings.issueType },
    summary: truncate(singleLine(ticketText(settings.templates.summary, alert)) || alert.name, JIRA_LIMITS.summary),
    description: text(ticketText(settings.templates.description, alert)),
    labels: [...new Set([...settings.labels, dedupLabel])],
    ...(priority && { priority: { name: priority } }),
  };
}

/** A text field as the deployment's API takes it, without a client (render()). */
function textFor(settings: JiraSettings): (text: string) => unknown {
  return settings.deployment === 'cloud' ? adfDocument : (text) => truncate(text, JIRA_LIMITS.text);
}

function delivered(issue: IssueRef, detail: string): Outcome {
  return { outcome: 'delivered', ref: issue.key, detail };
}

/** The Authorization header: basic with email and API token on Cloud, the personal access token as a bearer on Data Center. */
function authorization(settings: JiraSettings): string {
  registerSecret(settings.apiToken);
  if (settings.deployment === 'datacenter') return `Bearer ${settings.apiToken}`;
  const auth = basicAuth(settings.email ?? '', settings.apiToken);
  registerSecret(auth.slice('Basic '.length));
  return auth;
}

/** The lifecycle of one target instance: `recent` remembers what it created while the index catches up. */
function jiraTarget(settings: JiraSettings) {
  const auth = authorization(settings);
  const recent = new RecentMap<IssueRef>(RECENT_TTL_MS, RECENT_MAX);
  const resolveInput: TransitionInput = {
    ...(settings.resolution !== undefined && { resolution: settings.resolution }),
    fields: settings.resolveFields,
    hint: 'set it in resolveFields',
  };

  /** Open issues of the alert, oldest first; the oldest is the alert's issue. */
  const openIssues = (jira: JiraClient, alert: Alert, dedupLabel: string) => {
    const known = recent.get(alert.dedupKey);
    return jira.search(dedupLabel, NOT_DONE, known ? { reconcile: known } : {});
  };

  async function reopen(jira: JiraClient, alert: Alert, issue: IssueRef): Promise<Outcome> {
    await jira.transition(issue, settings.reopenTransition, NO_INPUT, reopening);
    await jira.comment(issue, ticketText(settings.templates.reopen, alert));
    recent.set(alert.dedupKey, issue);
    return delivered(issue, `reopened ${issue.key}`);
  }

  async function create(jira: JiraClient, alert: Alert, dedupLabel: string): Promise<Outcome> {
    const created = await jira.create(createFields(alert, settings, dedupLabel, (text) => jira.text(text)));
    recent.set(alert.dedupKey, created);
    // Two deliveries of one firing that raced past the search both create: the oldest open
    // issue wins everywhere, and the newer one closes itself as a duplicate.
    const [oldest] = await jira.search(dedupLabel, NOT_DONE, { reconcile: created });
    if (oldest && oldest.key !== created.key) {
      await jira.comment(created, `Duplicate of ${oldest.key}: the same alert was delivered twice at the same time.`);
      await jira.transition(created, settings.resolveTransition, resolveInput);
      recent.set(alert.dedupKey, oldest);
      return delivered(oldest, `issue ${oldest.key} already open; duplicate ${created.key} closed`);
    }
    return delivered(created, `created ${created.key}`);
  }

  async function openBySearch(jira: JiraClient, alert: Alert, dedupLabel: string): Promise<Outcome> {
    const [existing] = await openIssues(jira, alert, dedupLabel);
    if (existing) return delivered(existing, `issue ${existing.key} already open`);
    if (settings.reopenWindow > 0) {
      const within = `statusCategory = Done AND resolved >= ${jqlString(`-${settings.reopenWindow}m`)}`;
      const [resolved] = await jira.search(dedupLabel, within, { order: 'resolved DESC', max: 1 });
      if (resolved) return reopen(jira, alert, resolved);
    }
    return create(jira, alert, dedupLabel);
  }

  const withinReopenWindow = (issue: IssueState) =>
    settings.reopenWindow > 0 && issue.resolvedAt !== null && Date.now() - issue.resolvedAt <= settings.reopenWindow * 60_000;

  async function open(jira: JiraClient, alert: Alert, dedupLabel: string, ref?: string): Promise<Outcome> {
    const stored = ref ? await jira.issue(ref) : undefined;
    if (stored && !stored.done) return delivered(stored, `issue ${stored.key} already open`);
    if (stored && withinReopenWindow(stored)) return reopen(jira, alert, stored);
    // Its issue resolved for good: a new one (the check after create still catches a racer).
    if (stored) return create(jira, alert, dedupLabel);
    return afterStaleRef(ref, `issue ${ref} not found`, await openBySearch(jira, alert, dedupLabel));
  }

  /** The open issue a stored key names, else why it cannot be used. */
  async function storedOpen(jira: JiraClient, ref: string | undefined): Promise<{ issue?: IssueState; why?: string }> {
    if (!ref) return {};
    const stored = await jira.issue(ref);
    if (!stored) return { why: `issue ${ref} not found` };
    return stored.done ? { why: `issue ${stored.key} already resolved` } : { issue: stored };
  }

  async function comment(jira: JiraClient, alert: Alert, dedupLabel: string, template: string, ref?: string): Promise<Outcome> {
    const { issue: stored, why } = await storedOpen(jira, ref);
    const [issue] = stored ? [stored] : await openIssues(jira, alert, dedupLabel);
    if (!issue) return afterStaleRef(ref, why, skipped(`no open issue labelled ${dedupLabel}`));
    await jira.comment(issue, ticketText(template, alert));
    return afterStaleRef(ref, why, delivered(issue, `commented on ${issue.key}`));
  }

  async function resolve(jira: JiraClient, alert: Alert, dedupLabel: string, ref?: string): Promise<Outcome> {
    const { issue: stored, why } = await storedOpen(jira, ref);
    // Without a stored issue, all of them: a lost create race may have left more than one open.
    const issues = stored ? [stored] : await openIssues(jira, alert, dedupLabel);
    if (issues.length === 0) return afterStaleRef(ref, why, skipped(`no open issue labelled ${dedupLabel}`));
    const text = ticketText(settings.templates.resolve, alert);
    for (const issue of issues) {
      // Comment first: a retry after a failed transition may comment twice, but never loses the solution.
      await jira.comment(issue, text);
      await jira.transition(issue, settings.resolveTransition, resolveInput);
    }
    recent.delete(alert.dedupKey);
    return afterStaleRef(ref, why, delivered(issues[0] as IssueRef, `resolved ${issues.map((issue) => issue.key).join(', ')}`));
  }

  const steps = {
    open,
    acknowledge: (jira: JiraClient, alert: Alert, dedupLabel: string, ref?: string) => comment(jira, alert, dedupLabel, settings.templates.acknowledge, ref),
    note: (jira: JiraClient, alert: Alert, dedupLabel: string, ref?: string) => comment(jira, alert, dedupLabel, settings.templates.note, ref),
    resolve,
  } as const;

  return {
    async send(alert: Alert, ctx: { signal: AbortSignal; ref?: string }): Promise<Outcome> {
      const action = lifecycleAction(alert, settings.actions);
      if (action === 'skip') return skippedByMapping(alert);
      const jira = new JiraClient(settings, auth, ctx.signal);
      return runSteps(() => steps[action](jira, alert, jiraDedupLabel(alert.dedupKey), ctx.ref));
    },
  };
}

export default defineTarget({
  type: 'jira',
  settings: jiraSettings,
  secretKeys: ['apiToken'],
  render(alert, settings) {
    const action = lifecycleAction(alert, settings.actions);
    const dedupLabel = jiraDedupLabel(alert.dedupKey);
    const text = textFor(settings);
    const comment = (template: string) => ({ body: text(ticketText(template, alert)) });
    switch (action) {
      case 'skip':
        return { action, detail: skippedByMapping(alert).detail };
      case 'open':
        return { action, label: dedupLabel, create: { fields: createFields(alert, settings, dedupLabel, text) } };
      case 'acknowledge':
      case 'note':
        return { action, label: dedupLabel, comment: comment(settings.templates[action]) };
      case 'resolve':
        return {
          action,
          label: dedupLabel,
          comment: comment(settings.templates.resolve),
          transition: settings.resolveTransition,
          ...(settings.resolution !== undefined && { resolution: settings.resolution }),
          ...(Object.keys(settings.resolveFields).length > 0 && { fields: settings.resolveFields }),
        };
    }
  },
  create: (settings) => jiraTarget(settings),
});
