// A fake ServiceNow Table API for the incident table (/api/now/table/incident) on 127.0.0.1:
// list with an encoded query, read one by sys_id, create, update. It checks what an instance checks: basic auth
// or an OAuth bearer token, JSON bodies, choice values (state, urgency, impact, close_code),
// the data policy that a resolved incident has a close code and close notes (403), and it
// computes `active` (false once Closed or Canceled) and the INC number. Two places are
// stricter than a real instance, so that tests catch what an instance would hide: string
// fields longer than the dictionary allows are refused (an instance truncates them), and a
// query term it does not know is refused (an instance may ignore it and match everything).
import type { ServiceMode } from '../../targets/conformance';
import { Gate, basicCredentials, isRecord, jsonBody, startFakeServer, type FakeReply, type FakeRequest, type FakeServer } from './fake-service';

export interface SnowIncident {
  sys_id: string;
  number: string;
  state: string;
  active: string;
  sys_created_on: string;
  /** Every other field as last written. */
  fields: Record<string, string>;
  /** Work notes journal, oldest first. */
  workNotes: string[];
  /** Query parameters of the create request (sysparm_input_display_value...). */
  createdWith: Record<string, string>;
}

export interface FakeServiceNow {
  url: string;
  username: string;
  password: string;
  token: string;
  server: FakeServer;
  incidents(): SnowIncident[];
  /** Deletes an incident, as an administrator can: reading it answers 404 from then on. */
  deleteIncident(sysId: string): void;
  /** Every sysparm_query received, in order. */
  queries(): string[];
  /**
   * Holds the next `count` list requests until all of them have arrived, then answers them
   * together: two deliveries racing past the lookup, deterministically.
   */
  holdQueries(count: number): void;
  respondWith(mode: ServiceMode): void;
  stop(): Promise<void>;
}

/** Dictionary lengths of the base system incident table. */
export const SNOW_FIELD_LENGTHS: Readonly<Record<string, number>> = {
  short_description: 160,
  description: 4000,
  correlation_id: 100,
  correlation_display: 100,
  close_code: 40,
  close_notes: 4000,
  work_notes: 4000,
  category: 40,
};

const STATES = new Set(['1', '2', '3', '6', '7', '8']);
const INACTIVE_STATES = new Set(['7', '8']);
const LEVELS = new Set(['1', '2', '3']);
/** The incident close_code choice list of current releases (the `Solved (...)` values are gone). */
const CLOSE_CODES = new Set([
  'Duplicate',
  'Known error',
  'No resolution provided',
  'Resolved by caller',
  'Resolved by change',
  'Resolved by problem',
  'Resolved by request',
  'Solution provided',
  'User error',
  'Workaround provided',
]);
const QUERY_FIELDS = new Set(['correlation_id', 'active', 'state', 'number', 'sys_id', 'short_description', 'sys_created_on']);

const failure = (status: number, message: string, detail: string): FakeReply => ({
  status,
  body: { error: { message, detail }, status: 'failure' },
});

interface Term {
  field: string;
  op: '=' | '!=';
  value: string;
}

interface EncodedQuery {
  terms: Term[];
  order: { field: string; desc: boolean }[];
}

function parseQuery(query: string): EncodedQuery | string {
  const parsed: EncodedQuery = { terms: [], order: [] };
  for (const part of query.split('^').filter(Boolean)) {
    const order = /^ORDERBY(DESC)?([a-z_]+)$/.exec(part);
    if (order) {
      if (!QUERY_FIELDS.has(order[2] as string)) return `unknown field ${order[2]}`;
      parsed.order.push({ field: order[2] as string, desc: order[1] !== undefined });
      continue;
    }
    const term = /^([a-z_]+)(!=|=)(.*)$/.exec(part);
    if (!term || !QUERY_FIELDS.has(term[1] as string)) return `unsupported query term ${part}`;
    parsed.terms.push({ field: term[1] as string, op: term[2] as '=' | '!=', value: term[3] as string });
  }
  return parsed;
}

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}

/** sys_created_on: `YYYY-MM-DD HH:mm:ss` UTC, one-second precision like the platform. */
function glideDateTime(date: Date): string {
  return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
}

export async function startFakeServiceNow(): Promise<FakeServiceNow> {
  const username = 'alert.router';
  const password = 'sn0w-fake-password-7f3a';
  const token = 'sn0w-fake-oauth-token-19bd';
  const incidents: SnowIncident[] = [];
  const queries: string[] = [];
  const gate = new Gate();
  /** Incidents ever created: sys_ids and numbers are never reused, even after a delete. */
  let created = 0;

  const value = (incident: SnowIncident, field: string): string => {
    if (field === 'sys_id' || field === 'number' || field === 'state' || field === 'active' || field === 'sys_created_on') return incident[field];
    return incident.fields[field] ?? '';
  };
  const view = (incident: SnowIncident, fields: string | null) => {
    const names = fields ? fields.split(',') : ['sys_id', 'number', 'state', 'active', 'sys_created_on', ...Object.keys(incident.fields)];
    return Object.fromEntries(names.map((name) => [name, value(incident, name)]));
  };

  /** Problems of the fields of a create or update, as one message, or undefined. */
  function fieldProblem(fields: Record<string, unknown>): string | undefined {
    for (const [name, raw] of Object.entries(fields)) {
      if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') return `${name}: expected a string`;
      const max = SNOW_FIELD_LENGTHS[name];
      if (max !== undefined && String(raw).length > max) return `${name}: ${String(raw).length} characters, the field holds ${max}`;
    }
    if (fields.state !== undefined && !STATES.has(String(fields.state))) return `state: invalid choice ${String(fields.state)}`;
    for (const name of ['urgency', 'impact']) {
      if (fields[name] !== undefined && !LEVELS.has(String(fields[name]))) return `${name}: invalid choice ${String(fields[name])}`;
    }
    if (fields.close_code !== undefined && fields.close_code !== '' && !CLOSE_CODES.has(String(fields.close_code))) return `close_code: invalid choice ${String(fields.close_code)}`;
    return undefined;
  }

  /** Applies a write; the data policy is checked on the resulting record. */
  function write(incident: SnowIncident, fields: Record<string, unknown>): FakeReply | undefined {
    const { work_notes: note, state, ...rest } = fields;
    const nextState = state === undefined ? incident.state : String(state);
    const merged = { ...incident.fields, ...Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, String(v)])) };
    if ((nextState === '6' || nextState === '7') && (!merged.close_code || !merged.close_notes)) {
      return failure(403, 'Operation Failed', 'Data Policy Exception: the following fields are mandatory: Resolution code, Resolution notes');
    }
    incident.fields = merged;
    incident.state = nextState;
    incident.active = INACTIVE_STATES.has(nextState) ? 'false' : 'true';
    if (note !== undefined && String(note) !== '') incident.workNotes.push(String(note));
    return undefined;
  }

  async function list(req: FakeRequest): Promise<FakeReply> {
    const query = req.query.get('sysparm_query') ?? '';
    queries.push(query);
    const parsed = parseQuery(query);
    if (typeof parsed === 'string') return failure(400, 'Invalid query', parsed);
    await gate.pass();
    const found = incidents.filter((incident) =>
      parsed.terms.every((term) => (value(incident, term.field) === term.value) === (term.op === '=')),
    );
    for (const { field, desc } of [...parsed.order].reverse()) {
      found.sort((a, b) => value(a, field).localeCompare(value(b, field)) * (desc ? -1 : 1));
    }
    const limit = Number(req.query.get('sysparm_limit') ?? '10000');
    return { status: 200, read: true, body: { result: found.slice(0, limit).map((incident) => view(incident, req.query.get('sysparm_fields'))) } };
  }

  function create(req: FakeRequest, body: Record<string, unknown>): FakeReply {
    const problem = fieldProblem(body);
    if (problem) return failure(400, 'Invalid field value', problem);
    if (typeof body.short_description !== 'string' || body.short_description.trim() === '') {
      return failure(403, 'Operation Failed', 'Data Policy Exception: the following fields are mandatory: Short description');
    }
    const incident: SnowIncident = {
      sys_id: (created + 1).toString(16).padStart(32, 'a'),
      number: `INC${pad(10_001 + created, 7)}`,
      state: '1',
      active: 'true',
      sys_created_on: glideDateTime(new Date()),
      fields: {},
      workNotes: [],
      createdWith: Object.fromEntries(req.query),
    };
    const refused = write(incident, body);
    if (refused) return refused;
    incidents.push(incident);
    created += 1;
    return { status: 201, headers: { location: `/api/now/table/incident/${incident.sys_id}` }, body: { result: view(incident, req.query.get('sysparm_fields')) } };
  }

  function update(req: FakeRequest, incident: SnowIncident, body: Record<string, unknown>): FakeReply {
    const problem = fieldProblem(body);
    if (problem) return failure(400, 'Invalid field value', problem);
    const refused = write(incident, body);
    return refused ?? { status: 200, body: { result: view(incident, req.query.get('sysparm_fields')) } };
  }

  function authorized(req: FakeRequest): boolean {
    if (req.headers.authorization === `Bearer ${token}`) return true;
    const credentials = basicCredentials(req);
    return credentials?.user === username && credentials.password === password;
  }

  async function handle(req: FakeRequest): Promise<FakeReply> {
    if (!authorized(req)) return failure(401, 'User Not Authenticated', 'Required to provide Auth information');
    const base = '/api/now/table/incident';
    if (req.path === base && req.method === 'GET') return list(req);
    const body = req.method === 'GET' ? {} : jsonBody(req);
    if (!isRecord(body)) return failure(400, 'Exception while reading request', 'The payload is not valid JSON.');
    if (req.path === base && req.method === 'POST') return create(req, body as Record<string, unknown>);
    const match = /^\/api\/now\/table\/incident\/([0-9a-f]{32})$/.exec(req.path);
    if (!match || !['GET', 'PATCH', 'PUT'].includes(req.method)) return failure(400, 'Requested URI does not represent any resource', req.path);
    const incident = incidents.find((candidate) => candidate.sys_id === match[1]);
    if (!incident) return failure(404, 'No Record found', "Record doesn't exist or ACL restricts the record retrieval");
    if (req.method === 'GET') return { status: 200, read: true, body: { result: view(incident, req.query.get('sysparm_fields')) } };
    return update(req, incident, body as Record<string, unknown>);
  }

  const server = await startFakeServer(handle, {
    throttle: failure(429, 'Too Many Requests', 'Rate limit exceeded'),
    'server-error': failure(500, 'Internal Server Error', 'Transaction cancelled'),
    'client-error': failure(400, 'Invalid request', 'Bad request'),
  });

  return {
    url: server.url,
    username,
    password,
    token,
    server,
    incidents: () => incidents,
    deleteIncident: (sysId) => {
      const index = incidents.findIndex((incident) => incident.sys_id === sysId);
      if (index >= 0) incidents.splice(index, 1);
    },
    queries: () => queries,
    holdQueries: (count) => gate.hold(count),
    respondWith: (mode) => server.respondWith(mode),
    stop: () => server.close(),
  };
}
