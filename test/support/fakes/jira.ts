// A fake Jira Cloud (REST API v3 subset) on 127.0.0.1: enhanced JQL search, create issue,
// comment, list and apply transitions. It checks what Jira checks: basic auth (email + API
// token), the request payloads (search/jql refuses unknown keys such as startAt), bounded JQL
// in the grammar the target uses, the create screen (project, issue type, summary <= 255
// characters without newlines, labels without spaces, known fields only), Atlassian Document
// Format for descriptions and comments, and text limits (32,767 characters).
// Its search index can lag behind writes (indexLagMs), as Jira's does, except for the issues
// a search names in reconcileIssues.
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
  /** Comments as plain text, oldest first. */
  comments: string[];
  /** Names of the transitions applied, in order. */
  transitions: string[];
}

export interface FakeJiraOptions {
  /** How long a new issue stays invisible to search (unless reconciled). Default 0. */
  indexLagMs?: number;
  /** Issue types of the project. */
  issueTypes?: string[];
}

export interface FakeJira {
  url: string;
  project: string;
  email: string;
  apiToken: string;
  server: FakeServer;
  issues(): JiraIssue[];
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
const SEARCH_KEYS = new Set(['jql', 'nextPageToken', 'maxResults', 'fields', 'expand', 'properties', 'fieldsByKeys', 'failFast', 'reconcileIssues']);

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

export async function startFakeJira(options: FakeJiraOptions = {}): Promise<FakeJira> {
  const project = 'OPS';
  const email = 'alert-router@example.com';
  const apiToken = 'ATATT3xFfGF0-fake-jira-api-token-5c1d';
  const issueTypes = options.issueTypes ?? ['Task', 'Bug', 'Incident'];
  const lag = options.indexLagMs ?? 0;
  const issues: JiraIssue[] = [];
  const queries: string[] = [];
  const gate = new Gate();
  let base = '';
  let clock = 0;
  // Strictly increasing times, so that "created" orders issues created in the same millisecond.
  const now = () => (clock = Math.max(clock + 1, Date.now()));

  const find = (key: string) => issues.find((issue) => issue.key === key || issue.id === key);
  const issueJson = (issue: JiraIssue) => ({
    id: issue.id,
    key: issue.key,
    self: `${base}/rest/api/3/issue/${issue.id}`,
    fields: { status: { name: issue.status.name, statusCategory: { key: issue.status.category, name: issue.status.categoryName } } },
  });

  async function search(body: Record<string, unknown>): Promise<FakeReply> {
    const unknown = Object.keys(body).filter((key) => !SEARCH_KEYS.has(key));
    if (unknown.length > 0 || typeof body.jql !== 'string') {
      return errorReply(400, ['Invalid request payload. Refer to the REST API documentation and try again.']);
    }
    queries.push(body.jql);
    let query: Query;
    try {
      query = parseJql(body.jql);
    } catch (err) {
      return errorReply(400, [`Error in the JQL Query: ${(err as Error).message}`]);
    }
    if (!query.clauses.some((clause) => clause.field === 'project' && clause.op === '=')) {
      return errorReply(400, ['Unbounded JQL queries are not allowed here. Please add a search restriction to your query.']);
    }
    await gate.pass();
    const reconcile = Array.isArray(body.reconcileIssues) ? body.reconcileIssues.map(String) : [];
    const at = Date.now();
    try {
      const found = issues
        .filter((issue) => issue.created + lag <= at || reconcile.includes(issue.id))
        .filter((issue) => query.clauses.every((clause) => matches(issue, clause, at)));
      for (const { field, desc } of [...query.order].reverse()) {
        found.sort((a, b) => (sortKey(a, field) - sortKey(b, field)) * (desc ? -1 : 1));
      }
      const max = typeof body.maxResults === 'number' ? body.maxResults : 50;
      return { status: 200, read: true, body: { issues: found.slice(0, max).map(issueJson), isLast: found.length <= max } };
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
      const problem = adfProblem(description);
      if (problem) errors.description = `Operation value must be an Atlassian Document (see the Atlassian Document Format): ${problem}`;
      else if (adfText(description).length > JIRA_TEXT_LIMIT) errors.description = `The entered text is too long. It exceeds the allowed limit of ${JIRA_TEXT_LIMIT} characters.`;
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
      description: adfText(description),
      descriptionAdf: description,
      labels: (labels as string[] | undefined) ?? [],
      fields,
      status: STATUSES['11'] as Status,
      created: now(),
      resolved: null,
      comments: [],
      transitions: [],
    };
    issues.push(issue);
    return { status: 201, body: { id, key: issue.key, self: `${base}/rest/api/3/issue/${id}` } };
  }

  function comment(issue: JiraIssue, body: Record<string, unknown>): FakeReply {
    const problem = adfProblem(body.body);
    if (problem) return errorReply(400, [], { comment: `Comment body is not valid ADF: ${problem}` });
    const text = adfText(body.body);
    if (text.trim() === '') return errorReply(400, [], { comment: 'Comment body can not be empty!' });
    if (text.length > JIRA_TEXT_LIMIT) return errorReply(400, [], { comment: `The entered text is too long. It exceeds the allowed limit of ${JIRA_TEXT_LIMIT} characters.` });
    issue.comments.push(text);
    return { status: 201, body: { id: String(issue.comments.length), body: body.body, created: new Date().toISOString() } };
  }

  const availableTransitions = (issue: JiraIssue) =>
    Object.entries(STATUSES)
      .filter(([, status]) => status.name !== issue.status.name)
      .map(([id, status]) => ({ id, name: status.name, to: { name: status.name, statusCategory: { key: status.category, name: status.categoryName } } }));

  function transition(issue: JiraIssue, body: Record<string, unknown>): FakeReply {
    const id = isRecord(body.transition) ? String(body.transition.id) : '';
    const chosen = availableTransitions(issue).find((t) => t.id === id);
    if (!chosen) return errorReply(400, [`Transition id '${id}' is not valid for this issue.`]);
    issue.status = STATUSES[id] as Status;
    issue.resolved = issue.status.category === 'done' ? now() : null;
    issue.transitions.push(chosen.name);
    return { status: 204 };
  }

  function handle(req: FakeRequest): FakeReply | Promise<FakeReply> {
    const credentials = basicCredentials(req);
    if (credentials?.user !== email || credentials.password !== apiToken) {
      return errorReply(401, ['Client must be authenticated to access this resource.']);
    }
    const body = req.method === 'POST' ? jsonBody(req) : {};
    if (!isRecord(body)) return errorReply(400, ['Unexpected character in the JSON body']);
    if (req.method === 'POST' && req.path === '/rest/api/3/search/jql') return search(body);
    if (req.method === 'POST' && req.path === '/rest/api/3/issue') return create(body);
    const match = /^\/rest\/api\/3\/issue\/([^/]+)\/(comment|transitions)$/.exec(req.path);
    const issue = match ? find(decodeURIComponent(match[1] as string)) : undefined;
    if (!match) return errorReply(404, ['No such resource']);
    if (!issue) return errorReply(404, ['Issue does not exist or you do not have permission to see it.']);
    if (req.method === 'POST' && match[2] === 'comment') return comment(issue, body);
    if (req.method === 'GET' && match[2] === 'transitions') return { status: 200, read: true, body: { transitions: availableTransitions(issue) } };
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
    server,
    issues: () => issues,
    queries: () => queries,
    holdQueries: (count) => gate.hold(count),
    respondWith: (mode) => server.respondWith(mode),
    stop: () => server.close(),
  };
}
