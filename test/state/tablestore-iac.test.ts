// deploy/alibaba/tablestore.yaml, proven offline (ROS does not run here): only documented
// resource types and properties, every reference resolved, the table the adapter writes
// (primary key, one version, a TTL no shorter than the records' default lifetimes), and a
// policy on the functions' role that grants exactly the operations a function's store calls
// (GetRow, PutRow; GetRange, the command line's listing, is an operator's): the adapter and
// the real FC handler run against the local Tablestore server that allows only those.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { DeliveryReport } from '../../shared/dispatch/types';
import { readSYaml, resolveSYaml } from '../../scripts/s-yaml';
import { DEFAULT_ALERT_TTL_DAYS, DEFAULT_LEDGER_TTL_HOURS, DEFAULT_TABLESTORE_TABLE, tablestoreSettings } from '../../shared/state/settings';
import tablestoreStore, { COLUMNS, PRIMARY_KEY } from '../../shared/state/tablestore';
import { ALIBABA_CREDENTIALS } from '../support/fakes/alibaba';
import { captureLogs } from '../support/logs';
import { startTablestoreServer } from '../support/fakes/tablestore';

const ROOT = join(__dirname, '..', '..');
const REGION = 'cn-hangzhou';
const ACCOUNT = '1234567890123456';
const INSTANCE = 'alert-router';

interface Parameter {
  Type: string;
  Default?: string | number;
  AllowedPattern?: string;
  MinValue?: number;
}
interface Template {
  ROSTemplateFormatVersion: string;
  Parameters: Record<string, Parameter>;
  Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
  Outputs: Record<string, { Value: unknown }>;
}

const logs = captureLogs();
afterAll(() => logs.restore());

const template = parse(readFileSync(join(ROOT, 'deploy', 'alibaba', 'tablestore.yaml'), 'utf8')) as Template;

/**
 * The resource types as ROS documents them (help.aliyun.com/zh/ros/developer-reference:
 * aliyun-ots-instance, aliyun-ots-table, aliyun-ram-managedpolicy): properties, the
 * required ones, and the attributes Fn::GetAtt can read.
 */
const ROS_TYPES: Record<string, { properties: string[]; required: string[]; attributes: string[] }> = {
  'ALIYUN::OTS::Instance': {
    properties: ['Network', 'ClusterType', 'InstanceName', 'Description', 'Tags'],
    required: ['InstanceName'],
    attributes: ['PrivateEndpoint', 'PublicEndpoint', 'VpcEndpoint', 'InstanceName'],
  },
  'ALIYUN::OTS::Table': {
    properties: ['ReservedThroughput', 'MaxVersions', 'TableName', 'SecondaryIndices', 'DeviationCellVersionInSec', 'TimeToLive', 'InstanceName', 'PrimaryKey', 'Columns'],
    required: ['TableName', 'InstanceName', 'PrimaryKey'],
    attributes: ['TableName'],
  },
  'ALIYUN::RAM::ManagedPolicy': {
    properties: ['PolicyName', 'Description', 'Roles', 'PolicyDocumentUnchecked', 'PolicyDocument', 'Groups', 'Users', 'IgnoreExisting'],
    required: ['PolicyName'],
    attributes: ['PolicyName'],
  },
};

const PSEUDO: Record<string, string> = { 'ALIYUN::Region': REGION, 'ALIYUN::AccountId': ACCOUNT };

/** The template's values with parameters (defaults, then `given`) and pseudo parameters substituted. */
function resolve(value: unknown, given: Record<string, string | number> = {}): unknown {
  const parameters: Record<string, string | number> = {
    ...Object.fromEntries(Object.entries(template.Parameters).flatMap(([name, p]) => (p.Default === undefined ? [] : [[name, p.Default]]))),
    ...given,
  };
  const lookup = (name: string): string => {
    if (name in PSEUDO) return PSEUDO[name]!;
    if (name in parameters) return String(parameters[name]);
    throw new Error(`unresolved reference ${name}`);
  };
  if (Array.isArray(value)) return value.map((item) => resolve(item, given));
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value);
    if (entries.length === 1 && entries[0]![0] === 'Ref') return lookup(entries[0]![1] as string);
    if (entries.length === 1 && entries[0]![0] === 'Fn::Sub') return (entries[0]![1] as string).replace(/\$\{([^}]+)\}/g, (_, name: string) => lookup(name));
    return Object.fromEntries(entries.map(([key, item]) => [key, resolve(item, given)]));
  }
  return value;
}

/** Every reference in a value: Ref names, Fn::Sub variables, Fn::GetAtt pairs. */
function references(value: unknown, out: { refs: string[]; getAtts: [string, string][] } = { refs: [], getAtts: [] }) {
  if (Array.isArray(value)) value.forEach((item) => references(item, out));
  else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      if (key === 'Ref') out.refs.push(item as string);
      else if (key === 'Fn::Sub') out.refs.push(...[...(item as string).matchAll(/\$\{([^}]+)\}/g)].map((m) => m[1]!));
      else if (key === 'Fn::GetAtt') out.getAtts.push(item as [string, string]);
      else references(item, out);
    }
  }
  return out;
}

const resourcesOf = (type: string) => Object.values(template.Resources).filter((r) => r.Type === type);
const table = resourcesOf('ALIYUN::OTS::Table')[0]!;
const policy = resourcesOf('ALIYUN::RAM::ManagedPolicy')[0]!;
/** The Tablestore operations the policy grants the functions' role. */
const policyOperations = () => (policy.Properties.PolicyDocument as { Statement: { Action: string[] }[] }).Statement[0]!.Action.map((action) => action.replace(/^ots:/, ''));

describe('deploy/alibaba/tablestore.yaml', () => {
  test('is a ROS template of documented resource types and properties only', () => {
    expect(template.ROSTemplateFormatVersion).toBe('2015-09-01');
    expect(Object.values(template.Resources).map((r) => r.Type).sort()).toEqual(['ALIYUN::OTS::Instance', 'ALIYUN::OTS::Table', 'ALIYUN::RAM::ManagedPolicy']);
    for (const [name, resource] of Object.entries(template.Resources)) {
      const type = ROS_TYPES[resource.Type]!;
      for (const property of Object.keys(resource.Properties)) expect(`${name}.${property}: ${type.properties.includes(property)}`).toBe(`${name}.${property}: true`);
      for (const property of type.required) expect(resource.Properties).toHaveProperty(property);
    }
  });

  test('every reference resolves to a parameter, a pseudo parameter, or a documented attribute', () => {
    const { refs, getAtts } = references([template.Resources, template.Outputs]);
    for (const ref of refs) expect([...Object.keys(template.Parameters), ...Object.keys(PSEUDO)]).toContain(ref);
    for (const [resource, attribute] of getAtts) {
      expect(Object.keys(template.Resources)).toContain(resource);
      expect(ROS_TYPES[template.Resources[resource]!.Type]!.attributes).toContain(attribute);
    }
    for (const [name, parameter] of Object.entries(template.Parameters)) {
      if (parameter.AllowedPattern && parameter.Default !== undefined) expect(`${name}=${parameter.Default}`).toMatch(new RegExp(`^${name}=${parameter.AllowedPattern.slice(1)}`));
    }
    expect(INSTANCE).toMatch(new RegExp(template.Parameters.InstanceName!.AllowedPattern!));
  });

  test('creates the table the adapter writes: its primary key, one version, a TTL that outlives the records', () => {
    expect(table.Properties.PrimaryKey).toEqual([{ Name: PRIMARY_KEY, Type: 'STRING' }]);
    expect(table.Properties.MaxVersions).toBe(1);
    expect(template.Parameters.TableName!.Default).toBe(DEFAULT_TABLESTORE_TABLE);
    const ttl = Number(resolve(table.Properties.TimeToLive));
    expect(ttl).toBeGreaterThanOrEqual(Math.max(DEFAULT_ALERT_TTL_DAYS * 86400, DEFAULT_LEDGER_TTL_HOURS * 3600));
    // The service's minimum.
    expect(template.Parameters.TimeToLive!.MinValue).toBe(86400);
  });

  test("the policy is on the functions' role and names only the state table", () => {
    const properties = resolve(policy.Properties, { InstanceName: INSTANCE }) as {
      Roles: string[];
      PolicyDocument: { Statement: { Effect: string; Action: string[]; Resource: string[] }[] };
    };
    const sYaml = resolveSYaml(readSYaml(join(ROOT, 's.yaml')), { env: { TABLESTORE_INSTANCE: INSTANCE, TABLESTORE_TABLE: DEFAULT_TABLESTORE_TABLE }, accountId: ACCOUNT });
    const roles = new Set(Object.values(sYaml.resources).flatMap((r) => (typeof r.props.role === 'string' ? [r.props.role.replace(/^.*:role\//, '')] : [])));
    expect([...roles]).toEqual(properties.Roles);
    expect(properties.PolicyDocument.Statement).toEqual([
      { Effect: 'Allow', Action: expect.any(Array), Resource: [`acs:ots:${REGION}:${ACCOUNT}:instance/${INSTANCE}/table/${DEFAULT_TABLESTORE_TABLE}`] },
    ]);
  });

  test("grants exactly the operations a function's store calls: each store operation works with them, and each is used", async () => {
    const operations = policyOperations();
    const server = await startTablestoreServer({ instance: INSTANCE, credentials: ALIBABA_CREDENTIALS, allowedOperations: operations });
    server.createTable(DEFAULT_TABLESTORE_TABLE, { primaryKey: [{ name: PRIMARY_KEY, type: 'STRING' }], timeToLive: 31 * 86400, maxVersions: 1 });
    const store = await tablestoreStore.create(tablestoreSettings.parse({ store: 'tablestore', endpoint: server.endpoint, instance: INSTANCE }), {
      dataDir: '/',
      alibabaCredentials: () => ALIBABA_CREDENTIALS,
    });
    try {
      const now = Date.now();
      const soon = Math.floor(now / 1000) + 60;
      await store.put({ space: 'ledger', key: 'evt/t', value: { s: 1 }, expect: { absent: true }, expiresAt: soon, now });
      await store.put({ space: 'ledger', key: 'evt/t', value: { s: 2 }, expect: { version: 1 }, expiresAt: soon, now });
      // Taking over an expired record: PutRow, GetRow, conditional PutRow.
      await store.put({ space: 'ledger', key: 'evt/t', value: { s: 3 }, expect: { absent: true }, expiresAt: soon + 3600, now: (soon + 1) * 1000 });
      await store.get('alerts', 'a', now);
      // Listing is the command line's (router state list), with an operator's credentials: the role cannot.
      await expect(store.list('alerts', now)).rejects.toThrow(/GetRange on table alert_router_state failed: OTSNoPermissionAccess/);
    } finally {
      await store.close?.();
      await server.stop();
    }
    expect(server.handled.filter((r) => r.status !== 200 && r.code !== 'OTSConditionCheckFail' && r.operation !== 'GetRange')).toEqual([]);
    expect([...new Set(server.handled.map((r) => r.operation).filter((operation) => operation !== 'GetRange'))].sort()).toEqual([...operations].sort());
    // The columns the template's comment documents are those the adapter writes.
    expect(server.rows(DEFAULT_TABLESTORE_TABLE).flatMap((row) => Object.keys(row.columns))).toEqual([...COLUMNS]);
  });

  test("is all the real FC handler needs: an event and its retry, with the role's grant only, record and skip (the ledger is used, never listed)", async () => {
    const operations = policyOperations();
    const server = await startTablestoreServer({ instance: INSTANCE, credentials: ALIBABA_CREDENTIALS, allowedOperations: operations });
    server.createTable(DEFAULT_TABLESTORE_TABLE, { primaryKey: [{ name: PRIMARY_KEY, type: 'STRING' }], timeToLive: 31 * 86400, maxVersions: 1 });
    const dir = mkdtempSync(join(tmpdir(), 'router-tablestore-iac-'));
    const config = join(dir, 'router.yaml');
    writeFileSync(
      config,
      [
        'version: 1',
        'targets:',
        '  out: { type: file, path: alerts.jsonl }',
        'route: { targets: [out] }',
        `state: { store: tablestore, endpoint: ${JSON.stringify(server.endpoint)}, instance: ${INSTANCE}, table: ${DEFAULT_TABLESTORE_TABLE} }`,
      ].join('\n'),
    );
    const saved = { ROUTER_CONFIG: process.env.ROUTER_CONFIG, ROUTER_DATA_DIR: process.env.ROUTER_DATA_DIR };
    Object.assign(process.env, { ROUTER_CONFIG: config, ROUTER_DATA_DIR: dir });
    try {
      const { handler } = await import('../../functions/alibaba/arms-alarm-create');
      const event = readFileSync(join(ROOT, 'events', 'alibaba', 'arms-alarm-create.json'));
      // FC 3.0: the event as a Buffer, the role's temporary credentials in the context.
      const context = () => ({ requestId: `req-${Math.random()}`, function: { name: 'arms-alarm-create', timeout: 30 }, credentials: ALIBABA_CREDENTIALS }) as never;
      const first = (await handler(event, context())) as DeliveryReport;
      const retry = (await handler(event, context())) as DeliveryReport;
      expect(first.state).toMatchObject({ store: 'tablestore', ledger: 'used', recorded: true });
      expect(first.deliveries.map((d) => `${d.target}:${d.reason ?? d.outcome}`)).toEqual(['out:delivered']);
      expect(retry.state).toMatchObject({ store: 'tablestore', ledger: 'used' });
      expect(retry.deliveries.map((d) => `${d.target}:${d.reason ?? d.outcome}`)).toEqual(['out:already-delivered']);
      expect(readFileSync(join(dir, 'alerts.jsonl'), 'utf8').trim().split('\n')).toHaveLength(1);
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
    expect(server.handled.filter((r) => r.status !== 200 && r.code !== 'OTSConditionCheckFail')).toEqual([]);
    expect([...new Set(server.handled.map((r) => r.operation))].sort()).toEqual([...operations].sort());
  });
});
