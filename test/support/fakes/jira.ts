// A fake Jira on 127.0.0.1 that speaks Jira Cloud (REST API v3 subset) or Jira Data Center
// (REST API v2 subset): JQL search (Cloud's enhanced search/jql, Data Center's search), read,
// create, comment, list and apply transitions. It checks what Jira checks: the deployment's
// authentication (Cloud: basic with email + API token; Data Center: a personal access token
// as a bearer), the request payloads (each search refuses the other's keys: reconcileIssues
// is Cloud's, startAt Data Center's), bounded JQL in the grammar the target uses, the create
// screen (project, issue type, summary <= 255 characters without newlines, labels without
// spaces, known fields only), text fields as Atlassian Document Format on Cloud and as plain
// strings on Data Center, text limits (32,767 characters), and transition screens: a field
// not on the screen cannot be set, a required one must be, a resolution must be one of the
// allowed values (the 400 bodies Jira answers). Deleted issues answer 404.
// Its search index can lag behind writes (indexLagMs), as Jira's does, except for the issues
// a Cloud search names in reconcileIssues.
import type { ServiceMode } from '../../targets/conformance';
import { Gate, basicCredentials, isRecord, jsonBody, startFakeServer, type FakeReply, type FakeRequest, type FakeServer } from './fake-service';

type CategoryKey = 'new' | 'indeterminate' | 'done';

interface Status {
  name: string;
  category: CategoryKey;
  categoryName: string;
}

const STATUSES: Record<string, Status> = {
  '11': { name: 'To Do', category: 'new', categoryName: 'To Do' },
  '21': { name: 'In Progress', category: 'indeterminate', categoryName: 'In Progress' },
  '31': { name: 'Done', category: 'done', categoryName: 'Done' },
};

export interface JiraIssue {
  id: string;
  key: string;
  project: string;
  issueType: string;
  summary: string;
  /** The description as plain text (paragraphs separated by a blank line). */
  description: string;
  /** The description as sent (ADF). */
  descriptionAdf: unknown;
  labels: string[];
  /** Every field of the create request, as sent. */
  fields: Record<string, unknown>;
  status: Status;
  created: number;
  resolved: number | null;
  /** The resolution name, set when the issue is done. */
  resolution: string | null;
  /** Comments as plain text, oldest first. */
  comments: string[];
  /** Names of the transitions applied, in order. */
  transitions: string[];
  /** The `fields` of each transition request, in order. */
  transitionFields: Record<string, unknown>[];
}

/** A field of the Done transition's screen. */
export interface ScreenField {
  key: string;
  name: string;
  required: boolean;
  /** Values a select field (resolution) allows, by name; their ids are 10000, 10001... */
  allowedValues?: string[];
}

export type JiraDeployment = 'cloud' | 'datacenter';

export interface FakeJiraOptions {
  /** How long a new issue stays invisible to search (unless reconciled). Default 0. */
  indexLagMs?: number;
  /** Issue types of the project. */
  issueTypes?: string[];
  /** Which API the fake speaks. Default cloud. */
  deployment?: JiraDeployment;
  /**
   * The screen of the transitions into Done. Default none: the workflow sets the resolution
   * itself (Done), as Jira's default workflows do.
   */
  doneScreen?: ScreenField[];
}

/** Resolutions of a default Jira instance. */
export const JIRA_RESOLUTIONS = ['Done', "Won't Do", 'Duplicate', 'Cannot Reproduce'];

export interface FakeJira {
  url: string;
  project: string;
  email: string;
  /** The API token (Cloud) or personal access token (Data Center). */
  apiToken: string;
  deployment: JiraDeployment;
  server: FakeServer;
  issues(): JiraIssue[];
  /** Deletes an issue, as a user can: it answers 404 from then on. */
  deleteIssue(key: string): void;
  /** Every JQL query received, in order. */
  queries(): string[];
  /** Holds the next `count` searches until all have arrived: two deliveries racing past the search. */
  holdQueries(count: number): void;
  respondWith(mode: ServiceMode): void;
  stop(): Promise<void>;
}

export const JIRA_TEXT_LIMIT = 32_767;
const SCREEN_FIELDS = new Set(['project', 'issuetype', 'summary', 'description', 'labels', 'priority', 'assignee', 'components', 'customfield_10001']);
const PRIORITIES = new Set(['Highest', 'High', 'Medium', 'Low', 'Lowest']);
const SEARCH_KEYS: Record<JiraDeployment, Set<string>> = {
  cloud: new Set(['jql', 'nextPageToken', 'maxResults', 'fields', 'expand', 'properties', 'fieldsByKeys', 'failFast', 'reconcileIssues']),
  datacenter: new Set(['jql', 'startAt', 'maxResults', 'fields', 'expand', 'validateQuery', 'properties', 'fieldsByKeys']),
};

const errorReply = (status: number, errorMessages: string[], errors: Record<string, string> = {}): FakeReply => ({
  status,
  body: { errorMessages, errors },
});

// ---- Atlassian Document Format -----------------------------------------------------------

const MARKS = new Set(['link', 'strong', 'em', 'code']);

/** Why a value is not an ADF document (in the subset: paragraphs of text and hard breaks), or undefined. */
export function adfProblem(doc: unknown): string | undefined {
  if (!isRecord(doc) || doc.type !== 'doc' || doc.version !== 1 || !Array.isArray(doc.content)) return 'not a doc of version 1 with content';
  for (const block of doc.content) {
    if (!isRecord(block) || block.type !== 'paragraph') return 'only paragraph blocks are supported';
    if (block.content === undefined) continue;
    if (!Array.isArray(block.content)) return 'paragraph content must be an array';
    for (const inline of block.content) {
      if (!isRecord(inline)) return 'inline node must be an object';
      if (inline.type === 'hardBreak') continue;
      if (inline.type !== 'text') return `unsupported inline node ${String(inline.type)}`;
      if (typeof inline.text !== 'string' || inline.text.length === 0) return 'text nodes must have non-empty text';
      if (inline.marks === undefined) continue;
      if (!Array.isArray(inline.marks)) return 'marks must be an array';
      for (const mark of inline.marks) {
        if (!isRecord(mark) || typeof mark.type !== 'string' || !MARKS.has(mark.type)) return 'unsupported mark';
        if (mark.type === 'link' && !(isRecord(mark.attrs) && typeof mark.attrs.href === 'string')) return 'link marks need attrs.href';
      }
    }
  }
  return undefined;
}

/** The plain text of a valid ADF document. */
export function adfText(doc: unknown): string {
  if (!isRecord(doc) || !Array.isArray(doc.content)) return '';
  return doc.content
    .map((block) =>
      isRecord(block) && Array.isArray(block.content)
        ? block.content.map((inline) => (isRecord(inline) ? (inline.type === 'hardBreak' ? '\n' : String(inline.text ?? '')) : '')).join('')
        : '',
    )
    .join('\n\n');
}

// ---- JQL -----------------------------------------------------------------------------------

type Token = { kind: 'word' | 'string' | 'op' | 'comma'; value: string };

class JqlError extends Error {}

function tokenize(jql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < jql.length) {
    const c = jql[i] as string;
    if (/\s/.test(c)) {
      i += 1;
    } else if (c === '"') {
      let value = '';
      i += 1;
      while (i < jql.length && jql[i] !== '"') {
        if (jql[i] === '\\') i += 1;
        value += jql[i] ?? '';
        i += 1;
      }
      if (i >= jql.length) throw new JqlError('unterminated string');
      tokens.push({ kind: 'string', value });
      i += 1;
    } else if (c === ',') {
      tokens.push({ kind: 'comma', value: c });
      i += 1;
    } else {
      const op = /^(!=|>=|<=|=|>|<)/.exec(jql.slice(i));
      if (op) {
        tokens.push({ kind: 'op', value: op[0] });
        i += op[0].length;
        continue;
      }
      const word = /^[A-Za-z0-9_.-]+/.exec(jql.slice(i));
      if (!word) throw new JqlError(`unexpected character '${c}' at position ${i}`);
      tokens.push({ kind: 'word', value: word[0] });
      i += word[0].length;
    }
  }
  return tokens;
}

interface Clause {
  field: string;
  op: string;
  value: string;
}

interface Query {
  clauses: Clause[];
  order: { field: string; desc: boolean }[];
}

const CLAUSE_FIELDS = new Set(['project', 'labels', 'statuscategory', 'resolved']);
const ORDER_FIELDS = new Set(['created', 'key', 'resolved']);

function parseJql(jql: string): Query {
  const tokens = tokenize(jql);
  let pos = 0;
  const next = () => tokens[pos++];
  const isWord = (token: Token | undefined, word: string) => token?.kind === 'word' && token.value.toLowerCase() === word;
  const clauses: Clause[] = [];
  const order: Query['order'] = [];
  for (;;) {
    const field = next();
    const op = next();
    const value = next();
    if (field?.kind !== 'word' || op?.kind !== 'op' || (value?.kind !== 'word' && value?.kind !== 'string')) {
      throw new JqlError(`expected a clause at token ${pos}`);
    }
    if (!CLAUSE_FIELDS.has(field.value.toLowerCase())) throw new JqlError(`Field '${field.value}' does not exist or you do not have permission to view it.`);
    clauses.push({ field: field.value.toLowerCase(), op: op.value, value: value.value });
    if (pos >= tokens.length) break;
    if (isWord(tokens[pos], 'and')) {
      pos += 1;
      continue;
    }
    if (isWord(tokens[pos], 'order') && isWord(tokens[pos + 1], 'by')) {
      pos += 2;
      for (;;) {
        const orderField = next();
        if (orderField?.kind !== 'word' || !ORDER_FIELDS.has(orderField.value.toLowerCase())) throw new JqlError('invalid ORDER BY field');
        let desc = false;
        if (isWord(tokens[pos], 'asc') || isWord(tokens[pos], 'desc')) desc = next()?.value.toLowerCase() === 'desc';
        order.push({ field: orderField.value.toLowerCase(), desc });
        if (tokens[pos]?.kind !== 'comma') break;
        pos += 1;
      }
      if (pos < tokens.length) throw new JqlError(`unexpected '${tokens[pos]?.value}' after ORDER BY`);
      break;
    }
    throw new JqlError(`expected AND or ORDER BY, got '${tokens[pos]?.value}'`);
  }
  return { clauses, order };
}

/** A relative date such as -30m, -2h, -1d as epoch ms from `now`. */
function relativeDate(value: string, now: number): number {
  const match = /^-(\d+)([mhdw])$/.exec(value);
  if (!match) throw new JqlError(`Date value '${value}' for field 'resolved' is invalid.`);
  const unit = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[match[2] as 'm' | 'h' | 'd' | 'w'];
  return now - Number(match[1]) * unit;
}

function compare(a: number, op: string, b: number): boolean {
  switch (op) {
    case '=':
      return a === b;
    case '!=':
      return a !== b;
    case '>=':
      return a >= b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    default:
      return a < b;
  }
}

function matches(issue: JiraIssue, clause: Clause, now: number): boolean {
  const equal = (actual: boolean) => {
    if (clause.op !== '=' && clause.op !== '!=') throw new JqlError(`operator '${clause.op}' is not supported for field '${clause.field}'`);
    return clause.op === '=' ? actual : !actual;
  };
  switch (clause.field) {
    case 'project':
      return equal(issue.project.toLowerCase() === clause.value.toLowerCase());
    case 'labels':
      return equal(issue.labels.includes(clause.value));
    case 'statuscategory': {
      const value = clause.value.toLowerCase();
      return equal(issue.status.category === value || issue.status.categoryName.toLowerCase() === value);
    }
    default:
      return issue.resolved !== null && compare(issue.resolved, clause.op, relativeDate(clause.value, now));
  }
}

function sortKey(issue: JiraIssue, field: string): number {
  if (field === 'created') return issue.created;
  if (field === 'resolved') return issue.resolved ?? 0;
  return Number(issue.key.split('-')[1]);
}

// ---- the fake ------------------------------------------------------------------------------

/** Jira's resolutiondate: `2024-05-01T10:00:00.000+0000`. */
function jiraDate(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

export async function startFakeJira(options: FakeJiraOptions = {}): Promise<FakeJira> {
  const deployment = options.deployment ?? 'cloud';
  const cloud = deployment === 'cloud';
  const api = `/rest/api/${cloud ? 3 : 2}`;
  const project = 'OPS';
  const email = 'alert-router@example.com';
  const apiToken = cloud ? 'ATATT3xFfGF0-fake-jira-api-token-5c1d' : 'NjQ2ODk1fake-jira-dc-personal-access-token-Q7';
  const issueTypes = options.issueTypes ?? ['Task', 'Bug', 'Incident'];
  const doneScreen = options.doneScreen ?? [];
  const lag = options.indexLagMs ?? 0;
  const issues: JiraIssue[] = [];
  const deleted = new Set<string>();
  const queries: string[] = [];
  const gate = new Gate();
  let base = '';
  let clock = 0;
  // Strictly increasing times, so that "created" orders issues created in the same millisecond.
  const now = () => (clock = Math.max(clock + 1, Date.now()));

  const find = (key: string) => issues.find((issue) => (issue.key === key || issue.id === key) && !deleted.has(issue.key));
  const statusJson = (status: Status) => ({ name: status.name, statusCategory: { key: status.category, name: status.categoryName } });
  const issueJson = (issue: JiraIssue) => ({
    id: issue.id,
    key: issue.key,
    self: `${base}${api}/issue/${issue.id}`,
    fields: { status: statusJson(issue.status) },
  });

  /** Why a text field's value is not what this API takes, or undefined. */
  function textProblem(value: unknown): string | undefined {
    if (!cloud) {
      if (typeof value !== 'string') return 'Operation value must be a string';
      return value.length > JIRA_TEXT_LIMIT ? `The entered text is too long. It exceeds the allowed limit of ${JIRA_TEXT_LIMIT} characters.` : undefined;
    }
    const problem = adfProblem(value);
    if (problem) return `Operation value must be an Atlassian Document (see the Atlassian Document Format): ${problem}`;
    return adfText(value).length > JIRA_TEXT_LIMIT ? `The entered text is too long. It exceeds the allowed limit of ${JIRA_TEXT_LIMIT} characters.` : undefined;
  }
  const plainText = (value: unknown) => (cloud ? adfText(value) : String(value));

  async function search(body: Record<string, unknown>): Promise<FakeReply> {
    const unknown = Object.keys(body).filter((key) => !SEARCH_KEYS[deployment].has(key));
    if (unknown.length > 0 || typeof body.jql !== 'string') {
      return cloud
        ? errorReply(400, ['Invalid request payload. Refer to the REST API documentation and try again.'])
        : errorReply(400, [`Unrecognized field "${unknown[0] ?? 'jql'}", not marked as ignorable`]);
    }
    queries.push(body.jql);
    let query: Query;
    try {
      query = parseJql(body.jql);
    } catch (err) {
      return errorReply(400, [`Error in the JQL Query: ${(err as Error).message}`]);
    }
    if (cloud && !query.clauses.some((clause) => clause.field === 'project' && clause.op === '=')) {
      return errorReply(400, ['Unbounded JQL queries are not allowed here. Please add a search restriction to your query.']);
    }
    await gate.pass();
    const reconcile = Array.isArray(body.reconcileIssues) ? body.reconcileIssues.map(String) : [];
    const at = Date.now();
    try {
      const found = issues
        .filter((issue) => !deleted.has(issue.key))
        .filter((issue) => issue.created + lag <= at || reconcile.includes(issue.id))
        .filter((issue) => query.clauses.every((clause) => matches(issue, clause, at)));
      for (const { field, desc } of [...query.order].reverse()) {
        found.sort((a, b) => (sortKey(a, field) - sortKey(b, field)) * (desc ? -1 : 1));
      }
      const max = typeof body.maxResults === 'number' ? body.maxResults : 50;
      const page = found.slice(0, max).map(issueJson);
      return { status: 200, read: true, body: cloud ? { issues: page, isLast: found.length <= max } : { startAt: 0, maxResults: max, total: found.length, issues: page } };
    } catch (err) {
      return errorReply(400, [`Error in the JQL Query: ${(err as Error).message}`]);
    }
  }

  function create(body: Record<string, unknown>): FakeReply {
    const fields = isRecord(body.fields) ? body.fields : {};
    const errors: Record<string, string> = {};
    for (const key of Object.keys(fields)) {
      if (!SCREEN_FIELDS.has(key)) errors[key] = `Field '${key}' cannot be set. It is not on the appropriate screen, or unknown.`;
    }
    const projectKey = isRecord(fields.project) ? fields.project.key : undefined;
    if (projectKey !== project) errors.project = 'valid project is required';
    const issueType = isRecord(fields.issuetype) ? fields.issuetype.name : undefined;
    if (typeof issueType !== 'string' || !issueTypes.includes(issueType)) errors.issuetype = 'Specify a valid issue type';
    const { summary, description, labels, priority } = fields;
    if (typeof summary !== 'string' || summary.trim() === '') errors.summary = 'You must specify a summary of the issue.';
    else if (summary.length > 255) errors.summary = 'Summary must be less than 255 characters.';
    else if (/[\r\n]/.test(summary)) errors.summary = 'The summary is invalid because it contains newline characters.';
    if (description !== undefined) {
      const problem = textProblem(description);
      if (problem) errors.description = problem;
    }
    if (labels !== undefined) {
      const bad = !Array.isArray(labels) ? ['(not an array)'] : labels.filter((label) => typeof label !== 'string' || /\s/.test(label) || label.length > 255 || label === '');
      if (bad.length > 0) errors.labels = `The label '${String(bad[0])}' contains spaces which is invalid.`;
    }
    if (priority !== undefined && !(isRecord(priority) && typeof priority.name === 'string' && PRIORITIES.has(priority.name))) {
      errors.priority = 'Specify the Priority (name) in the string format';
    }
    if (Object.keys(errors).length > 0) return errorReply(400, [], errors);

    const id = String(10_000 + issues.length + 1);
    const issue: JiraIssue = {
      id,
      key: `${project}-${issues.length + 1}`,
      project,
      issueType: issueType as string,
      summary: summary as string,
      description: description === undefined ? '' : plainText(description),
      descriptionAdf: description,
      labels: (labels as string[] | undefined) ?? [],
      fields,
      status: STATUSES['11'] as Status,
      created: now(),
      resolved: null,
      resolution: null,
      comments: [],
      transitions: [],
      transitionFields: [],
    };
    issues.push(issue);
    return { status: 201, body: { id, key: issue.key, self: `${base}${api}/issue/${id}` } };
  }

  function read(issue: JiraIssue, query: URLSearchParams): FakeReply {
    const wanted = (query.get('fields') ?? '*all').split(',');
    const all = wanted.includes('*all') || wanted.includes('*navigable');
    const fields: Record<string, unknown> = {};
    if (all || wanted.includes('status')) fields.status = statusJson(issue.status);
    if (all || wanted.includes('resolutiondate')) fields.resolutiondate = issue.resolved === null ? null : jiraDate(issue.resolved);
    if (all || wanted.includes('labels')) fields.labels = issue.labels;
    if (all || wanted.includes('summary')) fields.summary = issue.summary;
    return { status: 200, read: true, body: { id: issue.id, key: issue.key, self: `${base}${api}/issue/${issue.id}`, fields } };
  }

  function comment(issue: JiraIssue, body: Record<string, unknown>): FakeReply {
    const problem = textProblem(body.body);
    if (problem) return errorReply(400, [], { comment: problem });
    const text = plainText(body.body);
    if (text.trim() === '') return errorReply(400, [], { comment: 'Comment body can not be empty!' });
    issue.comments.push(text);
    return { status: 201, body: { id: String(issue.comments.length), body: body.body, created: new Date().toISOString() } };
  }

  const resolutionValues = (field: ScreenField) => (field.allowedValues ?? []).map((name, i) => ({ self: `${base}${api}/resolution/${10_000 + i}`, id: String(10_000 + i), name }));

  /** The screen of a transition into `status`, as expand=transitions.fields lists it. */
  const screenOf = (status: Status): ScreenField[] => (status.category === 'done' ? doneScreen : []);
  const screenJson = (screen: ScreenField[]) =>
    Object.fromEntries(
      screen.map((field) => [
        field.key,
        {
          required: field.required,
          schema: field.key === 'resolution' ? { type: 'resolution', system: 'resolution' } : { type: 'option', custom: 'com.atlassian.jira.plugin.system.customfieldtypes:select' },
          name: field.name,
          key: field.key,
          hasDefaultValue: false,
          operations: ['set'],
          ...(field.allowedValues && { allowedValues: field.key === 'resolution' ? resolutionValues(field) : field.allowedValues.map((value, i) => ({ id: String(20_000 + i), value })) }),
        },
      ]),
    );

  const availableTransitions = (issue: JiraIssue, expandFields: boolean) =>
    Object.entries(STATUSES)
      .filter(([, status]) => status.name !== issue.status.name)
      .map(([id, status]) => ({
        id,
        name: status.name,
        hasScreen: screenOf(status).length > 0,
        to: statusJson(status),
        ...(expandFields && { fields: screenJson(screenOf(status)) }),
      }));

  /** The resolution a transition's `fields.resolution` names ({id} or {name}), or why not. */
  function resolutionOf(value: unknown, field: ScreenField): { name: string } | { error: string } {
    const allowed = resolutionValues(field);
    const match = isRecord(value) ? allowed.find((r) => (value.id !== undefined && r.id === String(value.id)) || (value.name !== undefined && r.name === value.name)) : undefined;
    return match ? { name: match.name } : { error: "Could not find valid 'id' or 'name' in resolution object." };
  }

  function transition(issue: JiraIssue, body: Record<string, unknown>): FakeReply {
    const id = isRecord(body.transition) ? String(body.transition.id) : '';
    const chosen = availableTransitions(issue, false).find((t) => t.id === id);
    if (!chosen) return errorReply(400, [`Transition id '${id}' is not valid for this issue.`]);
    const target = STATUSES[id] as Status;
    const screen = screenOf(target);
    const fields = body.fields === undefined ? {} : body.fields;
    if (!isRecord(fields)) return errorReply(400, ['Can not deserialize instance of java.util.LinkedHashMap out of START_ARRAY token']);
    const errors: Record<string, string> = {};
    for (const key of Object.keys(fields)) {
      if (!screen.some((field) => field.key === key)) errors[key] = `Field '${key}' cannot be set. It is not on the appropriate screen, or unknown.`;
    }
    let resolution: string | null = target.category === 'done' ? 'Done' : null;
    for (const field of screen) {
      const value = fields[field.key];
      if (value === undefined || value === null) {
        if (field.required) errors[field.key] = `${field.name} is required.`;
        continue;
      }
      if (field.key === 'resolution') {
        const found = resolutionOf(value, field);
        if ('error' in found) errors.resolution = found.error;
        else resolution = found.name;
      } else if (field.allowedValues && !(isRecord(value) && field.allowedValues.includes(String(value.value)))) {
        errors[field.key] = `Option value '${isRecord(value) ? String(value.value) : String(value)}' is not valid`;
      }
    }
    if (Object.keys(errors).length > 0) return errorReply(400, [], errors);
    issue.status = target;
    issue.resolved = target.category === 'done' ? now() : null;
    issue.resolution = resolution;
    issue.transitions.push(chosen.name);
    issue.transitionFields.push(fields);
    return { status: 204 };
  }

  function authorized(req: FakeRequest): boolean {
    if (!cloud) return req.headers.authorization === `Bearer ${apiToken}`;
    const credentials = basicCredentials(req);
    return credentials?.user === email && credentials.password === apiToken;
  }

  function handle(req: FakeRequest): FakeReply | Promise<FakeReply> {
    if (!authorized(req)) return errorReply(401, ['Client must be authenticated to access this resource.']);
    if (!req.path.startsWith(`${api}/`)) return errorReply(404, ['No such resource']);
    const path = req.path.slice(api.length);
    const body = req.method === 'POST' ? jsonBody(req) : {};
    if (!isRecord(body)) return errorReply(400, ['Unexpected character in the JSON body']);
    if (req.method === 'POST' && path === (cloud ? '/search/jql' : '/search')) return search(body);
    if (req.method === 'POST' && path === '/issue') return create(body);
    const match = /^\/issue\/([^/]+)(?:\/(comment|transitions))?$/.exec(path);
    if (!match) return errorReply(404, ['No such resource']);
    const issue = find(decodeURIComponent(match[1] as string));
    if (!issue) return errorReply(404, ['Issue does not exist or you do not have permission to see it.']);
    if (req.method === 'GET' && match[2] === undefined) return read(issue, req.query);
    if (req.method === 'POST' && match[2] === 'comment') return comment(issue, body);
    if (req.method === 'GET' && match[2] === 'transitions') {
      const expand = (req.query.get('expand') ?? '').split(',').includes('transitions.fields');
      return { status: 200, read: true, body: { ...(expand && { expand: 'transitions' }), transitions: availableTransitions(issue, expand) } };
    }
    if (req.method === 'POST' && match[2] === 'transitions') return transition(issue, body);
    return errorReply(405, ['Method not allowed']);
  }

  const server = await startFakeServer(handle, {
    throttle: errorReply(429, ['Rate limit exceeded.']),
    'server-error': errorReply(503, ['Service unavailable']),
    'client-error': errorReply(400, ['Bad request']),
  });
  base = server.url;

  return {
    url: server.url,
    project,
    email,
    apiToken,
    deployment,
    server,
    issues: () => issues.filter((issue) => !deleted.has(issue.key)),
    deleteIssue: (key) => deleted.add(key),
    queries: () => queries,
    holdQueries: (count) => gate.hold(count),
    respondWith: (mode) => server.respondWith(mode),
    stop: () => server.close(),
  };
}
