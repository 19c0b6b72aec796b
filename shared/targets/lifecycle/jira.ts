// Jira Cloud REST API v3: one issue per alert lifecycle, found again by a label derived from
// dedupKey (`alert-router-<hash>`) through JQL, without a database (as Alertmanager's Jira
// integration does). open: find the open issue, else reopen a recently resolved one
// (reopenWindow), else create; acknowledge/note: comment; resolve: comment and transition.
// docs/targets/jira.md describes the settings, docs/targets/idempotency.md the create race.
import { z } from 'zod';
import type { Alert } from '../../model/alert';
import { SEVERITIES } from '../../model/alert';
import { sha256Hex } from '../../hash';
import { registerSecret } from '../../log';
import { defineTarget, type Outcome } from '../contract';
import { allowPrivateNetworkSetting, refineUrl } from '../http/client';
import { RESOLVE_TEMPLATE, RecentMap, StepFailed, TICKET_TEMPLATES, actionsSetting, apiCall, basicAuth, lifecycleAction, runSteps, singleLine, skipped, skippedByMapping, ticketText, truncate } from './kit';
import { templatesSetting } from '../template';

/** Limits Jira Cloud enforces: summary length, text fields (description, comment body), labels. */
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

export const jiraSettings = z
  .object({
    url: z.string().describe('Site URL, e.g. https://your-domain.atlassian.net'),
    allowPrivateNetwork: allowPrivateNetworkSetting,
    email: z.string().min(1).describe('Atlassian account email, user of the API token'),
    apiToken: z.string().min(1).describe('Atlassian API token (a secret)'),
    project: z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'a Jira project key, e.g. OPS'),
    issueType: z.string().min(1).default('Task'),
    labels: z.array(label).default([]).describe('Labels added to every created issue'),
    fields: z.record(z.string(), z.unknown()).default({}).describe('Extra fields of a created issue'),
    priorities: z
      .partialRecord(z.enum(SEVERITIES), z.string().min(1))
      .optional()
      .describe('Priority name per severity, e.g. {critical: Highest}; unset: Jira default priority'),
    resolveTransition: z.string().min(1).default('Done').describe('Transition (or target status) name that resolves'),
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

/** Plain text as an ADF document: blank lines separate paragraphs, newlines are hard breaks. */
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

interface Transition {
  id: string;
  name: string;
  to?: { name?: string; statusCategory?: { key?: string } };
}

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

class JiraClient {
  private readonly base: string;

  constructor(
    private readonly settings: JiraSettings,
    private readonly auth: string,
    private readonly signal: AbortSignal,
  ) {
    this.base = settings.url.replace(/\/+$/, '');
  }

  private async call<T>(step: string, method: 'GET' | 'POST', path: string, body?: object): Promise<T | undefined> {
    const res = await apiCall(step, {
      method,
      url: `${this.base}${path}`,
      headers: { authorization: this.auth, accept: 'application/json' },
      body,
      signal: this.signal,
      allowPrivateNetwork: this.settings.allowPrivateNetwork,
    });
    return res.text ? res.json<T>() : undefined;
  }

  /** Issues of the project carrying `label` that match `condition`, oldest first unless `order` says otherwise. */
  async search(label: string, condition: string, options: { order?: string; reconcile?: IssueRef; max?: number } = {}): Promise<IssueRef[]> {
    const jql = `project = ${jqlString(this.settings.project)} AND labels = ${jqlString(label)} AND ${condition} ORDER BY ${options.order ?? 'created ASC, key ASC'}`;
    const result = await this.call<{ issues?: IssueRef[] }>('search issues', 'POST', '/rest/api/3/search/jql', {
      jql,
      fields: ['status'],
      maxResults: options.max ?? 10,
      // Strong consistency for an issue we created a moment ago, which the index may not have yet.
      ...(options.reconcile && { reconcileIssues: [Number(options.reconcile.id)] }),
    });
    return (result?.issues ?? []).map(({ id, key }) => ({ id, key }));
  }

  async create(fields: Record<string, unknown>): Promise<IssueRef> {
    const created = await this.call<IssueRef>('create issue', 'POST', '/rest/api/3/issue', { fields });
    if (!created?.key || !created.id) throw new StepFailed({ outcome: 'failed', retryable: false, detail: 'create issue: no issue key in the response' });
    return { id: String(created.id), key: created.key };
  }

  async comment(issue: IssueRef, text: string): Promise<void> {
    await this.call('add comment', 'POST', `/rest/api/3/issue/${encodeURIComponent(issue.key)}/comment`, { body: adfDocument(text) });
  }

  /**
   * Applies the transition named `name` (or leading to a status of that name); without a
   * name, the one `fallback` picks from the issue's available transitions.
   */
  async transition(issue: IssueRef, name: string | undefined, fallback: (list: Transition[]) => Transition | undefined = () => undefined): Promise<void> {
    const path = `/rest/api/3/issue/${encodeURIComponent(issue.key)}/transitions`;
    const list = (await this.call<{ transitions?: Transition[] }>('list transitions', 'GET', path))?.transitions ?? [];
    const chosen = name ? list.find((t) => sameName(t.name, name) || sameName(t.to?.name, name)) : fallback(list);
    if (!chosen) {
      const available = list.map((t) => t.name).join(', ') || 'none';
      throw new StepFailed({
        outcome: 'failed',
        retryable: false,
        detail: `transition ${name ? `"${name}" ` : ''}not available on ${issue.key} (available: ${available})`,
      });
    }
    await this.call('transition issue', 'POST', path, { transition: { id: chosen.id } });
  }
}

/** The default reopen transition: into a to-do status, else into any status not done. */
function reopening(list: Transition[]): Transition | undefined {
  const category = (t: Transition) => t.to?.statusCategory?.key;
  return list.find((t) => category(t) === 'new') ?? list.find((t) => category(t) !== 'done');
}

function createFields(alert: Alert, settings: JiraSettings, dedupLabel: string): Record<string, unknown> {
  const priority = settings.priorities?.[alert.severity];
  return {
    ...settings.fields,
    project: { key: settings.project },
    issuetype: { name: settings.issueType },
    summary: truncate(singleLine(ticketText(settings.templates.summary, alert)) || alert.name, JIRA_LIMITS.summary),
    description: adfDocument(ticketText(settings.templates.description, alert)),
    labels: [...new Set([...settings.labels, dedupLabel])],
    ...(priority && { priority: { name: priority } }),
  };
}

function delivered(issue: IssueRef, detail: string): Outcome {
  return { outcome: 'delivered', ref: issue.key, detail };
}

/** The lifecycle of one target instance: `recent` remembers what it created while the index catches up. */
function jiraTarget(settings: JiraSettings) {
  const auth = basicAuth(settings.email, settings.apiToken);
  registerSecret(settings.apiToken);
  registerSecret(auth.slice('Basic '.length));
  const recent = new RecentMap<IssueRef>(RECENT_TTL_MS, RECENT_MAX);

  /** Open issues of the alert, oldest first; the oldest is the alert's issue. */
  const openIssues = (jira: JiraClient, alert: Alert, dedupLabel: string) => {
    const known = recent.get(alert.dedupKey);
    return jira.search(dedupLabel, NOT_DONE, known ? { reconcile: known } : {});
  };

  async function open(jira: JiraClient, alert: Alert, dedupLabel: string): Promise<Outcome> {
    const [existing] = await openIssues(jira, alert, dedupLabel);
    if (existing) return delivered(existing, `issue ${existing.key} already open`);

    if (settings.reopenWindow > 0) {
      const within = `statusCategory = Done AND resolved >= ${jqlString(`-${settings.reopenWindow}m`)}`;
      const [resolved] = await jira.search(dedupLabel, within, { order: 'resolved DESC', max: 1 });
      if (resolved) {
        await jira.transition(resolved, settings.reopenTransition, reopening);
        await jira.comment(resolved, ticketText(settings.templates.reopen, alert));
        recent.set(alert.dedupKey, resolved);
        return delivered(resolved, `reopened ${resolved.key}`);
      }
    }

    const created = await jira.create(createFields(alert, settings, dedupLabel));
    recent.set(alert.dedupKey, created);
    // Two deliveries of one firing that raced past the search both create: the oldest open
    // issue wins everywhere, and the newer one closes itself as a duplicate.
    const [oldest] = await jira.search(dedupLabel, NOT_DONE, { reconcile: created });
    if (oldest && oldest.key !== created.key) {
      await jira.comment(created, `Duplicate of ${oldest.key}: the same alert was delivered twice at the same time.`);
      await jira.transition(created, settings.resolveTransition);
      recent.set(alert.dedupKey, oldest);
      return delivered(oldest, `issue ${oldest.key} already open; duplicate ${created.key} closed`);
    }
    return delivered(created, `created ${created.key}`);
  }

  async function comment(jira: JiraClient, alert: Alert, dedupLabel: string, template: string): Promise<Outcome> {
    const [issue] = await openIssues(jira, alert, dedupLabel);
    if (!issue) return skipped(`no open issue labelled ${dedupLabel}`);
    await jira.comment(issue, ticketText(template, alert));
    return delivered(issue, `commented on ${issue.key}`);
  }

  async function resolve(jira: JiraClient, alert: Alert, dedupLabel: string): Promise<Outcome> {
    // All of them: a lost create race may have left more than one open.
    const issues = await openIssues(jira, alert, dedupLabel);
    if (issues.length === 0) return skipped(`no open issue labelled ${dedupLabel}`);
    const text = ticketText(settings.templates.resolve, alert);
    for (const issue of issues) {
      // Comment first: a retry after a failed transition may comment twice, but never loses the solution.
      await jira.comment(issue, text);
      await jira.transition(issue, settings.resolveTransition);
    }
    recent.delete(alert.dedupKey);
    return delivered(issues[0] as IssueRef, `resolved ${issues.map((issue) => issue.key).join(', ')}`);
  }

  const steps = {
    open,
    acknowledge: (jira: JiraClient, alert: Alert, dedupLabel: string) => comment(jira, alert, dedupLabel, settings.templates.acknowledge),
    note: (jira: JiraClient, alert: Alert, dedupLabel: string) => comment(jira, alert, dedupLabel, settings.templates.note),
    resolve,
  } as const;

  return {
    async send(alert: Alert, ctx: { signal: AbortSignal }): Promise<Outcome> {
      const action = lifecycleAction(alert, settings.actions);
      if (action === 'skip') return skippedByMapping(alert);
      const jira = new JiraClient(settings, auth, ctx.signal);
      return runSteps(() => steps[action](jira, alert, jiraDedupLabel(alert.dedupKey)));
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
    const comment = (template: string) => ({ body: adfDocument(ticketText(template, alert)) });
    switch (action) {
      case 'skip':
        return { action, detail: skippedByMapping(alert).detail };
      case 'open':
        return { action, label: dedupLabel, create: { fields: createFields(alert, settings, dedupLabel) } };
      case 'acknowledge':
      case 'note':
        return { action, label: dedupLabel, comment: comment(settings.templates[action]) };
      case 'resolve':
        return { action, label: dedupLabel, comment: comment(settings.templates.resolve), transition: settings.resolveTransition };
    }
  },
  create: (settings) => jiraTarget(settings),
});
