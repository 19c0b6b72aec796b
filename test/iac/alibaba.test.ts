// The Alibaba deployment, proven offline (neither Serverless Devs' components nor ROS run
// here): s.yaml against the project's fc3/ros schema, the ROS templates of deploy/alibaba
// (as the build writes them) against the documented resource types, every reference in
// them resolved, every sample event through the rules' patterns to exactly the function
// that handles it, and the three steps agreeing on every name they share.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Ajv from 'ajv';
import { parse } from 'yaml';
import type { BuildResult } from '../../scripts/build';
import { compileRouterJson } from '../../scripts/router-json';
import { tablestoreSettings } from '../../shared/state/settings';
import { tablestoreConnection } from '../../shared/state/tablestore';
import { readRouterConfig } from '../../scripts/router-targets';
import { readSYaml, resolveSYaml, SYamlError, type SYaml } from '../../scripts/s-yaml';
import { matchesPattern, type EventPattern } from '../support/event-pattern';
import sYamlSchema from './fc3-s-yaml.schema.json';
import rosSchema from './ros-template.schema.json';
import { DEFAULT_CONFIG, FIXTURES, ROOT, buildService, handlerEventTypes, removeTemporaryDirectories, sampleEvents, temporaryDirectory } from './support';

const run = promisify(execFile);
const ACCOUNT = '1234567890123456';
const REGION = 'cn-hangzhou';
const PSEUDO: Record<string, string> = { 'ALIYUN::Region': REGION, 'ALIYUN::AccountId': ACCOUNT, 'ALIYUN::StackName': 'stack', 'ALIYUN::StackId': 'stack-id' };
const boundTypes = handlerEventTypes('alibaba');

const ajv = new Ajv({ allErrors: true, strictTuples: false });
ajv.addVocabulary(['x-attributes', 'x-documentation']);
const validateSYaml = ajv.compile(sYamlSchema);
const validateRos = ajv.compile(rosSchema);
const ATTRIBUTES = rosSchema['x-attributes'] as Record<string, string[]>;

type Intrinsic = { Ref?: string; 'Fn::Sub'?: string; 'Fn::GetAtt'?: [string, string] };
interface RosResource {
  Type: string;
  Properties: Record<string, unknown>;
}
interface RosTemplate {
  Parameters?: Record<string, { Type: string; Default?: unknown }>;
  Resources: Record<string, RosResource>;
  Outputs?: Record<string, { Value: unknown }>;
}

const rawSYaml = readSYaml(join(ROOT, 's.yaml'));
/** What every deployment exports: the state stack's instance and table (no defaults: the instance name is unique in the region). */
const DEPLOY_ENV = { TABLESTORE_INSTANCE: 'myrouter', TABLESTORE_TABLE: 'alert_router_state' };
const resolveS = (env: Record<string, string> = {}): SYaml => resolveSYaml(rawSYaml, { env: { ...DEPLOY_ENV, ...env }, accountId: ACCOUNT });
const sYaml = resolveS();
const vars = sYaml.vars as Record<string, string>;
const rulesTemplate = parse(readFileSync(join(ROOT, 'deploy', 'alibaba', 'rules.yaml'), 'utf8')) as RosTemplate;
const stateTemplate = parse(readFileSync(join(ROOT, 'deploy', 'alibaba', 'tablestore.yaml'), 'utf8')) as RosTemplate;

let serviceDir: string;
let infra: RosTemplate;
let infraWithTargets: RosTemplate;
let build: BuildResult;

beforeAll(async () => {
  serviceDir = temporaryDirectory('alibaba');
  build = await buildService(serviceDir, DEFAULT_CONFIG);
  infra = parse(readFileSync(join(serviceDir, 'dist', 'alibaba', 'infra.yaml'), 'utf8')) as RosTemplate;
  const targetsDir = temporaryDirectory('alibaba-targets');
  await buildService(targetsDir, join(FIXTURES, 'router-alibaba-targets.yaml'));
  infraWithTargets = parse(readFileSync(join(targetsDir, 'dist', 'alibaba', 'infra.yaml'), 'utf8')) as RosTemplate;
}, 120_000);

afterAll(removeTemporaryDirectories);

const resourcesOf = (doc: SYaml, component: string) => Object.entries(doc.resources).filter(([, r]) => r.component === component);
const stackParameters = (key: string, doc: SYaml = sYaml) => doc.resources[key]!.props.parameters as Record<string, string>;

/** A ROS value evaluated as ROS would, with the stack's parameters and the pseudo parameters. */
function evaluate(value: unknown, template: RosTemplate, parameters: Record<string, string>): unknown {
  const lookup = (name: string): string => {
    if (name in PSEUDO) return PSEUDO[name]!;
    const given = parameters[name] ?? template.Parameters?.[name]?.Default;
    if (typeof given !== 'string') throw new Error(`no value for parameter ${name}`);
    return given;
  };
  if (Array.isArray(value)) return value.map((item) => evaluate(item, template, parameters));
  if (typeof value !== 'object' || value === null) return value;
  const intrinsic = value as Intrinsic;
  if (typeof intrinsic.Ref === 'string') return lookup(intrinsic.Ref);
  if (typeof intrinsic['Fn::Sub'] === 'string') return intrinsic['Fn::Sub'].replace(/\$\{([^}]+)\}/g, (_all, name: string) => lookup(name));
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, evaluate(item, template, parameters)]));
}

/** Every name a template's intrinsic functions refer to, with where. */
function references(value: unknown, at: string): { at: string; kind: 'Ref' | 'GetAtt'; name: string; attribute?: string }[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => references(item, `${at}[${i}]`));
  if (typeof value !== 'object' || value === null) return [];
  const intrinsic = value as Intrinsic;
  if (typeof intrinsic.Ref === 'string') return [{ at, kind: 'Ref', name: intrinsic.Ref }];
  if (typeof intrinsic['Fn::Sub'] === 'string') {
    return [...intrinsic['Fn::Sub'].matchAll(/\$\{([^}]+)\}/g)].map((m) => {
      const [name, attribute] = m[1]!.split(/\.(.*)/s);
      return attribute === undefined || m[1]!.startsWith('ALIYUN::') ? { at, kind: 'Ref' as const, name: m[1]! } : { at, kind: 'GetAtt' as const, name: name!, attribute };
    });
  }
  if (Array.isArray(intrinsic['Fn::GetAtt'])) return [{ at, kind: 'GetAtt', name: intrinsic['Fn::GetAtt'][0], attribute: intrinsic['Fn::GetAtt'][1] }];
  return Object.entries(value).flatMap(([key, item]) => references(item, `${at}.${key}`));
}

function unresolved(template: RosTemplate): string[] {
  return references({ Resources: template.Resources, Outputs: template.Outputs }, '').flatMap((ref) => {
    if (ref.kind === 'Ref') return ref.name in PSEUDO || ref.name in (template.Parameters ?? {}) || ref.name in template.Resources ? [] : [`${ref.at}: ${ref.name}`];
    const type = template.Resources[ref.name]?.Type;
    return type !== undefined && ATTRIBUTES[type]?.includes(ref.attribute!) ? [] : [`${ref.at}: ${ref.name}.${ref.attribute}`];
  });
}

describe('the ROS templates', () => {
  const templates = () => ({ infra, infraWithTargets, rules: rulesTemplate });

  it.each(['infra', 'infraWithTargets', 'rules'] as const)('%s is valid against the documented resource types', (name) => {
    const template = templates()[name];
    expect(validateRos(template) ? [] : validateRos.errors).toEqual([]);
  });

  it.each(['infra', 'infraWithTargets', 'rules'] as const)('%s refers only to its parameters, pseudo parameters and attributes its resources have', (name) => {
    expect(unresolved(templates()[name])).toEqual([]);
  });

  const mutate = (change: (template: RosTemplate) => void): RosTemplate => {
    const copy = structuredClone(rulesTemplate);
    change(copy);
    return copy;
  };
  const firstRule = (t: RosTemplate) => Object.values(t.Resources)[0]!.Properties as { Targets: Record<string, unknown>[] } & Record<string, unknown>;
  it.each([
    ['an unknown resource type', (t: RosTemplate) => (Object.values(t.Resources)[0]!.Type = 'ALIYUN::EventBridge::Rules')],
    ['a rule without its bus', (t: RosTemplate) => delete firstRule(t).EventBusName],
    ['a misspelt property', (t: RosTemplate) => (firstRule(t).FilterPatern = {})],
    ['a pattern that is a JSON string, not a map', (t: RosTemplate) => (firstRule(t).FilterPattern = '{"type":["x"]}')],
    ['a target without its parameters', (t: RosTemplate) => delete firstRule(t).Targets[0]!.ParamList],
    ['an unknown retry strategy', (t: RosTemplate) => (firstRule(t).Targets[0]!.PushRetryStrategy = 'FOREVER')],
    ['a status that is not ENABLE or DISABLE', (t: RosTemplate) => (firstRule(t).Status = 'ENABLED')],
    ['an unknown parameter type', (t: RosTemplate) => (t.Parameters!.Prefix!.Type = 'Text')],
  ])('refuses %s', (_name, change) => {
    expect(validateRos(mutate(change))).toBe(false);
  });

  it('refuses a reference to an attribute a resource does not have', () => {
    const copy = structuredClone(infra);
    copy.Outputs!.RoleArn!.Value = { 'Fn::GetAtt': ['FunctionRole', 'ARN'] };
    expect(unresolved(copy)).toEqual(['.Outputs.RoleArn.Value: FunctionRole.ARN']);
  });

  it('grants the FC role exactly its logs, its dead-letter queue and the targets of router.yaml', () => {
    const statements = (t: RosTemplate) =>
      (t.Resources.FunctionRole!.Properties.Policies as { PolicyDocument: { Statement: { Action: string[]; Resource: unknown[] }[] } }[])[0]!.PolicyDocument.Statement;
    const granted = (t: RosTemplate) => Object.fromEntries(statements(t).map((s) => [s.Action.join(), evaluate(s.Resource, t, { Prefix: 'ar' })]));
    expect(granted(infra)).toEqual({
      'log:PostLogStoreLogs': [`acs:log:${REGION}:${ACCOUNT}:project/ar-${ACCOUNT}/logstore/functions`],
      'mns:SendMessage': [`acs:mns:${REGION}:${ACCOUNT}:/queues/ar-dead-letters/messages`],
    });
    expect(granted(infraWithTargets)).toMatchObject({
      'eventbridge:PutEvents': ['acs:eventbridge:cn-shanghai:1234567890123456:eventbus/remediation'],
      'fc:InvokeFunction': ['acs:fc:cn-hangzhou:1234567890123456:functions/open-ticket'],
    });
    for (const t of [infra, infraWithTargets]) expect(JSON.stringify(statements(t))).not.toMatch(/"\*"|:\*"/);
    // Only Function Compute may assume the role.
    expect(infra.Resources.FunctionRole!.Properties.AssumeRolePolicyDocument).toEqual({
      Version: '1',
      Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: ['fc.aliyuncs.com'] } }],
    });
  });
});

describe('s.yaml', () => {
  it('is valid against the schema once its variables take their defaults, and with every variable set', () => {
    expect(validateSYaml(sYaml) ? [] : validateSYaml.errors).toEqual([]);
    const custom = resolveS({ ALIBABA_CLOUD_REGION: 'cn-shanghai', ALERT_ROUTER_PREFIX: 'alerts-prod', ARMS_EVENT_BUS: 'ops-bus', ARMS_EVENT_SOURCE: 'arms-prod' });
    expect(validateSYaml(custom) ? [] : validateSYaml.errors).toEqual([]);
    expect(resourcesOf(custom, 'fc3').every(([, r]) => r.props.region === 'cn-shanghai' && String(r.props.functionName).startsWith('alerts-prod-'))).toBe(true);
    expect(stackParameters('rules', custom)).toEqual({ Prefix: 'alerts-prod', EventBusName: 'ops-bus', EventSourceName: 'arms-prod' });
  });

  it.each([
    ['a missing functionName', (d: SYaml) => delete d.resources['arms-alarm-create']!.props.functionName],
    ['an unknown runtime', (d: SYaml) => (d.resources['arms-alarm-create']!.props.runtime = 'nodejs99')],
    ['a memory size off the 64 MB grid', (d: SYaml) => (d.resources['arms-alarm-create']!.props.memorySize = 200)],
    ['a stack without its template', (d: SYaml) => delete d.resources.rules!.props.template],
    ['an unknown component', (d: SYaml) => (d.resources.rules!.component = 'terraform')],
  ])('refuses %s', (_name, change) => {
    const copy = structuredClone(sYaml);
    change(copy);
    expect(validateSYaml(copy)).toBe(false);
  });

  it('deploys, in order, the infra stack (after the build), the state stack, each ARMS handler once from its build directory, then the rules stack', async () => {
    expect(Object.keys(sYaml.resources)).toEqual(['infra', 'state', ...[...boundTypes.keys()].sort((a, b) => rawOrder(a) - rawOrder(b)), 'rules']);
    expect(sYaml.resources.state!.props.template).toBe('./deploy/alibaba/tablestore.yaml');
    expect(sYaml.resources.infra!.props).toMatchObject({ template: './dist/alibaba/infra.yaml', parameters: { Prefix: vars.prefix } });
    expect((sYaml.resources.infra as unknown as { actions: unknown }).actions).toEqual({ 'pre-deploy': [{ run: 'npm run -s build -- --cloud alibaba', path: './' }] });
    expect(sYaml.resources.rules!.props.template).toBe('./deploy/alibaba/rules.yaml');
    const config = JSON.parse(JSON.stringify(await compileRouterJson(DEFAULT_CONFIG, 'router.yaml'))) as unknown;
    for (const [key, { props }] of resourcesOf(sYaml, 'fc3')) {
      const bundle = build.bundles.find((b) => b.cloud === 'alibaba' && `./dist/${b.artifact}` === props.code);
      expect(bundle?.name).toBe(key);
      expect(props).toMatchObject({ functionName: `${vars.prefix}-${key}`, runtime: 'nodejs20', handler: 'index.handler' });
      expect(JSON.parse(readFileSync(join(serviceDir, String(props.code), 'router.json'), 'utf8'))).toEqual(config);
      expect((props.environmentVariables as Record<string, string>).ROUTER_CONFIG).toBe('/code/router.json');
    }
  });

  it("builds for FC before the infra stack: a router.yaml whose state store cannot run there (DynamoDB) fails the deployment, naming the file", async () => {
    const [preDeploy] = (sYaml.resources.infra as unknown as { actions: { 'pre-deploy': { run: string; path: string }[] } }).actions['pre-deploy'];
    const config = join(temporaryDirectory('alibaba-dynamodb'), 'router.yaml');
    writeFileSync(config, 'version: 1\ntargets:\n  t: { type: console }\nroute: { targets: [t] }\nstate: { store: dynamodb, table: alert-router-prod-state }\n');
    const out = join(temporaryDirectory('alibaba-dynamodb-out'), 'dist');
    // The action's command as Serverless Devs runs it (a shell in `path`), ROUTER_CONFIG from the deploying shell.
    const failure = run('sh', ['-c', `${preDeploy!.run} --out ${out}`], { cwd: join(ROOT, preDeploy!.path), env: { ...process.env, ROUTER_CONFIG: config }, timeout: 60_000 });
    await expect(failure).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining(`build: ${config}: state.store: dynamodb runs on AWS (Lambda) only, not on Alibaba Cloud (FC 3.0)`) });
    expect(existsSync(out)).toBe(false);
  }, 60_000);

  it('needs the state instance and table from the deploying shell, as Serverless Devs does (env() without default)', () => {
    expect(() => resolveSYaml(rawSYaml, { env: {}, accountId: ACCOUNT })).toThrow(SYamlError);
    expect(() => resolveSYaml(rawSYaml, { env: {}, accountId: ACCOUNT })).toThrow(/TABLESTORE_INSTANCE is not set/);
  });

  it('takes every other environment variable from the deploying shell, never as a value, and each one router.yaml references', () => {
    const referenced = readRouterConfig(DEFAULT_CONFIG).envReferences;
    for (const [, { props }] of resourcesOf(rawSYaml, 'fc3')) {
      const { ROUTER_CONFIG: _config, ROUTER_DATA_DIR: dataDir, ...others } = props.environmentVariables as Record<string, string>;
      expect(dataDir).toBe('/tmp');
      for (const [name, value] of Object.entries(others)) expect(value).toBe(`\${env('${name}')}`);
      expect(Object.keys(others).sort()).toEqual(expect.arrayContaining(referenced));
    }
  });
});

/** Position of a resource in s.yaml as written. */
const rawOrder = (key: string) => Object.keys(rawSYaml.resources).indexOf(key);

describe('the three steps agree', () => {
  const infraParameters = () => stackParameters('infra');
  const rulesParameters = () => stackParameters('rules');
  const rules = () => Object.values(rulesTemplate.Resources).map((r) => evaluate(r.Properties, rulesTemplate, rulesParameters()) as Record<string, unknown>);
  type Target = { Type: string; Endpoint: string; PushRetryStrategy: string; ErrorsTolerance: string; DeadLetterQueue: { Arn: string }; ParamList: { ResourceKey: string; Form: string; Value?: string }[] };
  const targetOf = (rule: Record<string, unknown>) => (rule.Targets as Target[])[0]!;
  const param = (target: Target, key: string) => target.ParamList.find((p) => p.ResourceKey === key);
  const queueName = () => String(evaluate(infra.Resources.DeadLetterQueue!.Properties.QueueName, infra, infraParameters()));

  it('points the functions at the Tablestore table the state stack creates, on the role it grants', () => {
    const parameters = stackParameters('state');
    const role = evaluate(infra.Resources.FunctionRole!.Properties.RoleName, infra, infraParameters());
    const policy = evaluate(stateTemplate.Resources.StatePolicy!.Properties, stateTemplate, parameters) as {
      Roles: string[];
      PolicyDocument: { Statement: { Resource: string[] }[] };
    };
    const instance = evaluate(stateTemplate.Resources.StateInstance!.Properties.InstanceName, stateTemplate, parameters);
    const table = evaluate(stateTemplate.Resources.StateTable!.Properties.TableName, stateTemplate, parameters);
    expect(policy.Roles).toEqual([role]);
    for (const [, { props }] of resourcesOf(sYaml, 'fc3')) {
      const env = props.environmentVariables as Record<string, string>;
      // The store as it starts on FC: these variables, and the region FC sets (FC_REGION).
      const connection = tablestoreConnection(tablestoreSettings.parse({ store: 'tablestore' }), { dataDir: '/' }, { ...env, FC_REGION: String(props.region) });
      expect(connection).toMatchObject({ instance, table, endpoint: `https://${String(instance)}.${REGION}.ots.aliyuncs.com` });
      expect(policy.PolicyDocument.Statement[0]!.Resource).toEqual([`acs:ots:${REGION}:${ACCOUNT}:instance/${connection.instance}/table/${connection.table}`]);
    }
    // Another instance and table, exported before `s deploy`, reach both the stack and the functions.
    const custom = resolveS({ TABLESTORE_INSTANCE: 'router-prod', TABLESTORE_TABLE: 'router_prod_state' });
    expect(stackParameters('state', custom)).toMatchObject({ InstanceName: 'router-prod', TableName: 'router_prod_state' });
    for (const [, { props }] of resourcesOf(custom, 'fc3')) {
      expect(props.environmentVariables).toMatchObject({ TABLESTORE_INSTANCE: 'router-prod', TABLESTORE_TABLE: 'router_prod_state' });
    }
  });

  it('runs the functions as the role the infra stack creates, logging to its store', () => {
    const role = evaluate(infra.Resources.FunctionRole!.Properties.RoleName, infra, infraParameters());
    const project = evaluate(infra.Resources.LogProject!.Properties.Name, infra, infraParameters());
    for (const [, { props }] of resourcesOf(sYaml, 'fc3')) {
      expect(props.role).toBe(`acs:ram::${ACCOUNT}:role/${String(role)}`);
      expect(props.logConfig).toMatchObject({ project, logstore: infra.Resources.LogStore!.Properties.LogstoreName });
    }
  });

  it('sends failed invocations, after FC retries them, to the infra stack queue that the role may write to', () => {
    for (const [, { props }] of resourcesOf(sYaml, 'fc3')) {
      expect(props.asyncInvokeConfig).toEqual({
        maxAsyncRetryAttempts: 2,
        maxAsyncEventAgeInSeconds: 3600,
        destinationConfig: { onFailure: { destination: `acs:mns:${vars.region}:${ACCOUNT}:/queues/${queueName()}/messages` } },
      });
    }
  });

  it('puts one rule per ARMS event type on the custom bus, pushing asynchronously to that type\'s function, retrying, then dead-lettering', () => {
    const functionNames = resourcesOf(sYaml, 'fc3').map(([, { props }]) => String(props.functionName));
    expect(rules()).toHaveLength(boundTypes.size);
    for (const rule of rules()) {
      expect(rule.EventBusName).toBe(vars.eventBusName);
      expect(rule.Status).toBe('ENABLE');
      const [type] = (rule.FilterPattern as { type: string[] }).type;
      const handler = [...boundTypes].find(([, bound]) => bound === type)![0];
      const target = targetOf(rule);
      expect(rule.RuleName).toBe(`${vars.prefix}-${handler}`);
      expect(target.Type).toBe('acs.fc.function');
      expect(param(target, 'functionName')).toEqual({ ResourceKey: 'functionName', Form: 'CONSTANT', Value: `${vars.prefix}-${handler}` });
      expect(functionNames).toContain(param(target, 'functionName')!.Value);
      expect(target.Endpoint).toBe(`acs:fc:${REGION}:${ACCOUNT}:functions/${vars.prefix}-${handler}`);
      expect(param(target, 'InvocationType')).toEqual({ ResourceKey: 'InvocationType', Form: 'CONSTANT', Value: 'Async' });
      expect(param(target, 'Body')).toEqual({ ResourceKey: 'Body', Form: 'ORIGINAL' });
      expect(target).toMatchObject({ PushRetryStrategy: 'EXPONENTIAL_DECAY_RETRY', ErrorsTolerance: 'ALL', DeadLetterQueue: { Arn: `acs:mns:${REGION}:${ACCOUNT}:/queues/${queueName()}` } });
    }
  });
});

describe('sample events through the rules on the ARMS bus', () => {
  /** The functions (by handler) whose rule matches the event, for a deployment listening to `source`. */
  function reached(event: Record<string, unknown>, source: string): string[] {
    const parameters = { ...stackParameters('rules'), EventSourceName: source };
    return Object.values(rulesTemplate.Resources)
      .map((r) => evaluate(r.Properties, rulesTemplate, parameters) as { FilterPattern: EventPattern; Targets: { ParamList: { ResourceKey: string; Value?: string }[] }[] })
      .filter((rule) => matchesPattern(rule.FilterPattern, event))
      .map((rule) => rule.Targets[0]!.ParamList.find((p) => p.ResourceKey === 'functionName')!.Value!.replace(`${vars.prefix}-`, ''));
  }
  const alibabaSamples = sampleEvents('alibaba');

  it.each(alibabaSamples.map((s) => [s.label, s] as const))('%s reaches exactly the function that handles it', (_label, { event }) => {
    const handling = [...boundTypes].filter(([, type]) => event.type === type).map(([name]) => name);
    expect(handling).toHaveLength(1);
    expect(reached(event, String(event.source))).toEqual(handling);
  });

  it.each(alibabaSamples.map((s) => [s.label, s] as const))('%s reaches nothing when the deployment listens to another source', (_label, { event }) => {
    expect(reached(event, `${String(event.source)}-other`)).toEqual([]);
  });

  it.each(sampleEvents('aws').map((s) => [s.label, s] as const))('%s reaches no FC function', (_label, { event }) => {
    expect(reached(event, vars.eventSource!)).toEqual([]);
  });
});
