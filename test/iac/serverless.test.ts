// serverless.yml, proven offline: the real `serverless package` (v3) on a real build, once
// with the default router.yaml and once with AWS targets and the deploy-time parameters;
// the generated CloudFormation is checked resource by resource, every sample event is
// routed through the generated rules, and every handler is deployed by exactly one of
// serverless.yml and s.yaml.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { join, normalize, relative, resolve as resolvePath } from 'node:path';
import { promisify } from 'node:util';
import type { BuildResult } from '../../scripts/build';
import { compileRouterJson } from '../../scripts/router-json';
import { serverlessArgs } from '../../scripts/serverless';
import { validateTemplate } from './cloudformation-spec';
import { readSYaml } from '../../scripts/s-yaml';
import { matchesPattern, type EventPattern } from '../support/event-pattern';
import { CLOUDWATCH_DETAIL_TYPES } from '../../shared/normalize/cloudwatch';
import {
  DEFAULT_CONFIG,
  FIXTURES,
  ROOT,
  evaluateCfn,
  handlerEventTypes,
  readZip,
  removeTemporaryDirectories,
  resourcesOfType,
  sampleEvents,
  serverless,
  serverlessPackage,
  serviceDirectory,
  temporaryDirectory,
  type CfnResource,
  type Packaged,
} from './support';

const run = promisify(execFile);
const AWS_TARGETS = join(FIXTURES, 'router-aws-targets.yaml');
const ALARM_TOPIC = 'arn:aws:sns:eu-west-1:111122223333:ops';
const NARROWED_ACCOUNT = '111122223333';
const NARROWED_PREFIX = 'prod-';
const FAILED_QUEUE = { 'Fn::GetAtt': ['FailedInvocationsQueue', 'Arn'] };
const UNDELIVERED_QUEUE = { 'Fn::GetAtt': ['UndeliveredEventsQueue', 'Arn'] };
const ALARM_NOTIFICATION_TOPICS = ['arn:aws:sns:eu-west-1:111122223333:alarms', 'arn:aws:sns:eu-west-1:111122223333:legacy-alarms'];
const boundTypes = handlerEventTypes('aws');
/** The handlers EventBridge rules invoke; the others are invoked by SNS and by alarm actions. */
const ruleHandlers = [...boundTypes].filter(([, type]) => (CLOUDWATCH_DETAIL_TYPES as readonly string[]).includes(type)).map(([name]) => name);

interface Service {
  dir: string;
  build: BuildResult;
  packaged: Packaged;
  stage: string;
}
let plain: Service;
let narrowed: Service;

beforeAll(async () => {
  const plainDir = serviceDirectory('sls');
  const narrowedDir = serviceDirectory('sls-narrowed');
  // One after the other: each runs a build and a serverless process, heavy on a shared machine.
  const plainPackage = await serverlessPackage(plainDir, ['--stage', 'test']);
  const narrowedPackage = await serverlessPackage(
    narrowedDir,
    [
      '--stage',
      'prod',
      '--param=secretVersionId=3f2a9c1e-0000-4000-8000-00000000abcd',
      `--param=account=${NARROWED_ACCOUNT}`,
      `--param=alarmNamePrefix=${NARROWED_PREFIX}`,
      `--param=alarmTopicArn=${ALARM_TOPIC}`,
      `--param=alarmNotificationTopicArns=${ALARM_NOTIFICATION_TOPICS.join(', ')}`,
    ],
    AWS_TARGETS,
  );
  plain = { dir: plainDir, build: plainPackage.build, packaged: plainPackage, stage: 'test' };
  narrowed = { dir: narrowedDir, build: narrowedPackage.build, packaged: narrowedPackage, stage: 'prod' };
}, 240_000);

afterAll(removeTemporaryDirectories);

/** handler name -> [logical id, function resource] */
function lambdas(service: Service): Map<string, [string, CfnResource]> {
  const prefix = `alert-router-${service.stage}-`;
  return new Map(
    resourcesOfType(service.packaged.template, 'AWS::Lambda::Function').map(([id, fn]) => [String(fn.Properties.FunctionName).replace(prefix, ''), [id, fn]]),
  );
}

/** The rules that target a function, by handler name. */
function rulesOf(service: Service, name: string): CfnResource[] {
  const [id] = lambdas(service).get(name)!;
  return resourcesOfType(service.packaged.template, 'AWS::Events::Rule')
    .map(([, rule]) => rule)
    .filter((rule) => (rule.Properties.Targets as { Arn: unknown }[]).some((t) => JSON.stringify(t.Arn) === JSON.stringify({ 'Fn::GetAtt': [id, 'Arn'] })));
}

function rolePolicy(service: Service): { Action: string | string[]; Resource: unknown }[] {
  const [[, role]] = resourcesOfType(service.packaged.template, 'AWS::IAM::Role') as [[string, CfnResource]];
  const policies = role.Properties.Policies as { PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] } }[];
  return policies.flatMap((p) => p.PolicyDocument.Statement);
}

const actionsOf = (statement: { Action: string | string[] }) => [statement.Action].flat();

/** Resources granted for an action, evaluated and sorted. */
function granted(service: Service, action: string): string[] {
  return rolePolicy(service)
    .filter((s) => actionsOf(s).includes(action))
    .flatMap((s) => [s.Resource].flat().map((r) => JSON.stringify(evaluateCfn(r))))
    .sort();
}

/** Functions (by handler name) whose rules match the event. */
function matchingFunctions(service: Service, event: unknown): string[] {
  return [...lambdas(service).keys()].filter((name) => rulesOf(service, name).some((rule) => matchesPattern(rule.Properties.EventPattern as EventPattern, event)));
}

describe('serverless.yml packaged with the default router.yaml', () => {
  it('deploys one function per CloudWatch handler, each from its own artifact of the build', () => {
    const functions = lambdas(plain);
    expect([...functions.keys()].sort()).toEqual([...boundTypes.keys()].sort());
    for (const [name, [, fn]] of functions) {
      const bundle = plain.build.bundles.find((b) => b.cloud === 'aws' && b.name === name)!;
      expect(plain.packaged.state.service.functions[name]?.package?.artifact).toBe(`dist/${bundle.artifact}`);
      expect(fn.Properties).toMatchObject({ Runtime: 'nodejs24.x', Handler: 'index.handler' });
      expect((fn.Properties.Code as { S3Key: string }).S3Key).toMatch(new RegExp(`/${name}\\.zip$`));
    }
  });

  it('ships the router.json compiled from router.yaml in each zip and points ROUTER_CONFIG at it', async () => {
    const config = JSON.parse(JSON.stringify(await compileRouterJson(DEFAULT_CONFIG, 'router.yaml'))) as unknown;
    for (const [name, [, fn]] of lambdas(plain)) {
      const zip = readZip(readFileSync(join(plain.dir, 'dist', 'aws', `${name}.zip`)));
      expect([...zip.keys()].sort()).toEqual(['index.js', 'router.json']);
      expect(JSON.parse(zip.get('router.json')!.toString('utf8'))).toEqual(config);
      expect(fn.Properties.Environment).toEqual({ Variables: { ROUTER_CONFIG: '/var/task/router.json', ROUTER_DATA_DIR: '/tmp' } });
    }
  });

  it('triggers each EventBridge function from one rule on the default bus matching exactly its source and detail-type', () => {
    expect(ruleHandlers.sort()).toEqual(['alarm-configuration-change', 'alarm-contributor-state-change', 'alarm-state-change']);
    for (const name of lambdas(plain).keys()) {
      if (!ruleHandlers.includes(name)) {
        expect(rulesOf(plain, name)).toEqual([]);
        continue;
      }
      const rules = rulesOf(plain, name);
      expect(rules).toHaveLength(1);
      expect(rules[0]!.Properties.EventBusName ?? 'default').toBe('default');
      expect(rules[0]!.Properties.State).toBe('ENABLED');
      expect(rules[0]!.Properties.EventPattern).toEqual({ source: ['aws.cloudwatch'], 'detail-type': [boundTypes.get(name)] });
    }
  });

  it('retries undeliverable events, then puts them in a queue that only these rules may write to', () => {
    const ruleArns: string[] = [];
    for (const name of ruleHandlers) {
      const [rule] = rulesOf(plain, name);
      const [target] = rule!.Properties.Targets as Record<string, unknown>[];
      expect(target!.RetryPolicy).toEqual({ MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 });
      expect(target!.DeadLetterConfig).toEqual({ Arn: UNDELIVERED_QUEUE });
      ruleArns.push(`arn:aws:events:eu-central-1:999988887777:rule/${String(rule!.Properties.Name)}`);
    }
    const [[, policy]] = resourcesOfType(plain.packaged.template, 'AWS::SQS::QueuePolicy') as [[string, CfnResource]];
    expect(policy.Properties.Queues).toEqual([{ Ref: 'UndeliveredEventsQueue' }]);
    const [statement] = (policy.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement;
    expect(statement).toMatchObject({ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: UNDELIVERED_QUEUE });
    const sources = (statement!.Condition as { ArnEquals: { 'aws:SourceArn': unknown[] } }).ArnEquals['aws:SourceArn'].map((arn) => evaluateCfn(arn));
    expect(sources.sort()).toEqual(ruleArns.sort());
  });

  it('retries failed invocations, then sends them to the on-failure queue', () => {
    const configs = resourcesOfType(plain.packaged.template, 'AWS::Lambda::EventInvokeConfig').map(([, c]) => c.Properties);
    for (const [id] of lambdas(plain).values()) {
      const config = configs.find((c) => JSON.stringify(c.FunctionName) === JSON.stringify({ Ref: id }));
      expect(config).toMatchObject({ MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600, DestinationConfig: { OnFailure: { Destination: FAILED_QUEUE } } });
    }
    expect(rolePolicy(plain).filter((s) => actionsOf(s).includes('sqs:SendMessage')).map((s) => s.Resource)).toContainEqual(FAILED_QUEUE);
  });

  it('keeps failed events for 14 days, encrypted, and alarms as soon as a queue holds one', () => {
    const { template } = plain.packaged;
    const alarms = resourcesOfType(template, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
    for (const queue of ['FailedInvocationsQueue', 'UndeliveredEventsQueue']) {
      expect(template.Resources[queue]).toMatchObject({ Type: 'AWS::SQS::Queue', Properties: { MessageRetentionPeriod: 1209600, SqsManagedSseEnabled: true } });
      const alarm = alarms.find((a) => JSON.stringify(a.Dimensions) === JSON.stringify([{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue, 'QueueName'] } }]));
      expect(alarm).toMatchObject({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
      });
      expect((alarm!.AlarmActions as { 'Fn::If': unknown[] })['Fn::If'][0]).toBe('HasAlarmTopic');
    }
    // Without the alarmTopicArn parameter the condition is false: the alarms notify no one.
    expect(template.Conditions?.HasAlarmTopic).toEqual({ 'Fn::Not': [{ 'Fn::Equals': ['', ''] }] });
  });

  it('sets the log retention of every function', () => {
    const groups = resourcesOfType(plain.packaged.template, 'AWS::Logs::LogGroup');
    expect(groups).toHaveLength(lambdas(plain).size);
    for (const [, group] of groups) expect(group.Properties.RetentionInDays).toBe(30);
  });

  it('grants no target action when no target needs one, and nothing on "*"', () => {
    const actions = rolePolicy(plain).flatMap(actionsOf);
    expect(actions.filter((a) => !a.startsWith('logs:') && a !== 'sqs:SendMessage')).toEqual([]);
    for (const statement of rolePolicy(plain)) expect([statement.Resource].flat()).not.toContain('*');
  });
});

describe('serverless.yml packaged with AWS targets and the deploy-time parameters', () => {
  it('narrows every rule to the account and the alarm name prefix given', () => {
    for (const name of ruleHandlers) {
      expect(rulesOf(narrowed, name)[0]!.Properties.EventPattern).toEqual({
        source: ['aws.cloudwatch'],
        'detail-type': [boundTypes.get(name)],
        account: [NARROWED_ACCOUNT],
        detail: { alarmName: [{ prefix: NARROWED_PREFIX }] },
      });
    }
  });

  it('grants exactly the actions the targets perform, on the resources they name', () => {
    expect(granted(narrowed, 'sns:Publish')).toEqual(['"arn:aws:sns:eu-west-1:111122223333:audit"', '"arn:aws:sns:eu-west-1:111122223333:ops-alerts"']);
    expect(granted(narrowed, 'events:PutEvents')).toEqual(['"arn:aws:events:eu-central-1:999988887777:event-bus/incidents"', '"arn:aws:events:us-west-2:444455556666:event-bus/partner"']);
    expect(granted(narrowed, 'lambda:InvokeFunction')).toEqual([
      '"arn:aws:lambda:eu-central-1:999988887777:function:remediate-alarm"',
      '"arn:aws:lambda:eu-central-1:999988887777:function:remediate-alarm:*"',
      '"arn:aws:lambda:eu-west-1:111122223333:function:ticket-bot:live"',
    ]);
    for (const statement of rolePolicy(narrowed)) expect([statement.Resource].flat()).not.toContain('*');
  });

  it('notifies the alarm topic given', () => {
    const { template } = narrowed.packaged;
    expect(template.Conditions?.HasAlarmTopic).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [ALARM_TOPIC, ''] }] });
    for (const [, alarm] of resourcesOfType(template, 'AWS::CloudWatch::Alarm')) {
      expect(alarm.Properties.AlarmActions).toEqual({ 'Fn::If': ['HasAlarmTopic', [ALARM_TOPIC], { Ref: 'AWS::NoValue' }] });
    }
  });

  it('subscribes the SNS handler to each topic given, and lets only those topics invoke it', () => {
    const [fnId] = lambdas(narrowed).get('alarm-sns-notification')!;
    const subscriptions = resourcesOfType(narrowed.packaged.template, 'AWS::SNS::Subscription').map(([, sub]) => sub.Properties);
    expect(subscriptions.map((sub) => sub.TopicArn).sort()).toEqual([...ALARM_NOTIFICATION_TOPICS].sort());
    for (const sub of subscriptions) expect(sub).toMatchObject({ Protocol: 'lambda', Endpoint: { 'Fn::GetAtt': [fnId, 'Arn'] } });
    const permissions = resourcesOfType(narrowed.packaged.template, 'AWS::Lambda::Permission')
      .map(([, permission]) => permission.Properties)
      .filter((permission) => permission.Principal === 'sns.amazonaws.com');
    expect(permissions.map((permission) => permission.SourceArn).sort()).toEqual([...ALARM_NOTIFICATION_TOPICS].sort());
    for (const permission of permissions) expect(permission.FunctionName).toEqual({ 'Fn::GetAtt': [fnId, 'Arn'] });
  });

  it('lets CloudWatch invoke the alarm action handler for the alarms of its account, region and name prefix only', () => {
    const [fnId] = lambdas(narrowed).get('alarm-lambda-action')!;
    const permissions = resourcesOfType(narrowed.packaged.template, 'AWS::Lambda::Permission')
      .map(([, permission]) => permission.Properties)
      .filter((permission) => permission.Principal === 'lambda.alarms.cloudwatch.amazonaws.com');
    expect(permissions).toHaveLength(1);
    expect(permissions[0]).toMatchObject({ Action: 'lambda:InvokeFunction', FunctionName: { 'Fn::GetAtt': [fnId, 'Arn'] }, SourceAccount: { Ref: 'AWS::AccountId' } });
    expect(evaluateCfn(permissions[0]!.SourceArn)).toBe(`arn:aws:cloudwatch:eu-central-1:999988887777:alarm:${NARROWED_PREFIX}*`);
  });

  it('subscribes to no topic when none is given', () => {
    expect(resourcesOfType(plain.packaged.template, 'AWS::SNS::Subscription')).toEqual([]);
  });

  it('sets each secret router.yaml references as a Secrets Manager reference to the version given, never a value', () => {
    for (const [, [, fn]] of lambdas(narrowed)) {
      expect((fn.Properties.Environment as { Variables: Record<string, string> }).Variables).toEqual({
        ROUTER_CONFIG: '/var/task/router.json',
        ROUTER_DATA_DIR: '/tmp',
        PAGER_WEBHOOK_URL: '{{resolve:secretsmanager:alert-router/prod:SecretString:PAGER_WEBHOOK_URL::3f2a9c1e-0000-4000-8000-00000000abcd}}',
      });
    }
  });
});

describe('sample events through the generated rules', () => {
  // SNS notifications and Lambda alarm actions reach their functions without a rule.
  const isEventBridge = (event: Record<string, unknown>) => typeof event['detail-type'] === 'string';
  const awsSamples = sampleEvents('aws').filter((s) => isEventBridge(s.event));
  const otherAwsSamples = sampleEvents('aws').filter((s) => !isEventBridge(s.event));
  const alibabaSamples = sampleEvents('alibaba');

  it('has samples to check', () => {
    expect(awsSamples.length).toBeGreaterThan(0);
    expect(otherAwsSamples.length).toBeGreaterThan(0);
    expect(alibabaSamples.length).toBeGreaterThan(0);
  });

  it.each(otherAwsSamples.map((s) => [s.label, s] as const))('%s matches no rule', (_label, { event }) => {
    expect(matchingFunctions(plain, event)).toEqual([]);
  });

  it.each(awsSamples.map((s) => [s.label, s] as const))('%s reaches exactly the function that handles it', (_label, { event }) => {
    const handling = [...boundTypes].filter(([, type]) => event.source === 'aws.cloudwatch' && event['detail-type'] === type).map(([name]) => name);
    expect(handling).toHaveLength(1);
    expect(matchingFunctions(plain, event)).toEqual(handling);
  });

  it.each(awsSamples.map((s) => [s.label, s] as const))('%s passes the narrowed rules only from the account and prefix given', (_label, { event }) => {
    const detail = event.detail as { alarmName?: unknown } | undefined;
    const admitted = event.account === NARROWED_ACCOUNT && String(detail?.alarmName ?? '').startsWith(NARROWED_PREFIX);
    expect(matchingFunctions(narrowed, event)).toEqual(admitted ? matchingFunctions(plain, event) : []);
    const moved = { ...event, account: NARROWED_ACCOUNT, detail: { ...detail, alarmName: `${NARROWED_PREFIX}${String(detail?.alarmName)}` } };
    expect(matchingFunctions(narrowed, moved)).toEqual(matchingFunctions(plain, event));
  });

  it.each(alibabaSamples.map((s) => [s.label, s] as const))('%s reaches no Lambda function', (_label, { event }) => {
    expect(matchingFunctions(plain, event)).toEqual([]);
  });
});

describe('serverless.yml and s.yaml together', () => {
  it('deploy every handler in functions/ exactly once', () => {
    const bySource = new Map(plain.build.bundles.map((b) => [b.source, 0]));
    const count = (deployed: string) => {
      const bundle = plain.build.bundles.find((b) => normalize(join('dist', b.artifact)) === normalize(deployed));
      if (!bundle) throw new Error(`${deployed} is not the artifact of any handler`);
      bySource.set(bundle.source, bySource.get(bundle.source)! + 1);
    };
    for (const fn of Object.values(plain.packaged.state.service.functions)) count(fn.package!.artifact!);
    for (const resource of Object.values(readSYaml(join(ROOT, 's.yaml')).resources).filter((r) => r.component === 'fc3')) count(String(resource.props.code));
    expect(Object.fromEntries(bySource)).toEqual(Object.fromEntries(plain.build.bundles.map((b) => [b.source, 1])));
  });
});

describe('serverless commands straight from the repository', () => {
  it('invoke local runs the built handler on a sample event and delivers to the file target', async () => {
    const dir = serviceDirectory('sls-invoke');
    const data = temporaryDirectory('sls-invoke-data');
    const event = join(ROOT, 'events', 'aws', 'state-change-single-metric.json');
    const { stdout } = await serverless(dir, ['invoke', 'local', '-f', 'alarm-state-change', '-p', event], { ROUTER_DATA_DIR: data });
    const report = JSON.parse(stdout.slice(stdout.indexOf('\n{') + 1)) as { ok: boolean; deliveries: { target: string; outcome: string }[] };
    expect(report.ok).toBe(true);
    expect(report.deliveries).toContainEqual(expect.objectContaining({ target: 'local-file', outcome: 'delivered' }));
    const written = readFileSync(join(data, 'out', 'alerts.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { name: string });
    expect(written.map((alert) => alert.name)).toEqual([JSON.parse(readFileSync(event, 'utf8')).detail.alarmName]);
    // The build it ran is the one in the service directory, with the default router.yaml compiled beside it.
    const compiled = JSON.parse(JSON.stringify(await compileRouterJson(DEFAULT_CONFIG, 'router.yaml'))) as unknown;
    expect(JSON.parse(readFileSync(join(dir, 'dist', 'aws', 'alarm-state-change', 'router.json'), 'utf8'))).toEqual(compiled);
  }, 120_000);

  it('npm run package -- --config FILE builds and ships that router.yaml', async () => {
    const dir = serviceDirectory('sls-npm-package');
    const tsx = join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
    await run(process.execPath, [tsx, join(ROOT, 'scripts', 'serverless.ts'), 'package', '--config', AWS_TARGETS, '--stage', 'ci'], {
      cwd: dir,
      env: { ...process.env, HOME: dir, SLS_NOTIFICATIONS_MODE: 'off' },
      timeout: 180_000,
    });
    const manifest = JSON.parse(readFileSync(join(dir, 'dist', 'manifest.json'), 'utf8')) as BuildResult;
    expect(manifest.targetTypes).toEqual(expect.arrayContaining(['sns', 'aws-eventbridge', 'lambda-invoke']));
    const zip = readZip(readFileSync(join(dir, 'dist', 'aws', 'alarm-state-change.zip')));
    const compiled = JSON.parse(JSON.stringify(await compileRouterJson(AWS_TARGETS, relative(ROOT, AWS_TARGETS)))) as unknown;
    expect(JSON.parse(zip.get('router.json')!.toString('utf8'))).toEqual(compiled);
    const template = JSON.parse(readFileSync(join(dir, '.serverless', 'cloudformation-template-update-stack.json'), 'utf8')) as Packaged['template'];
    expect(resourcesOfType(template, 'AWS::Lambda::Function')).toHaveLength(handlerEventTypes('aws').size);
  }, 180_000);

  it('refuses to package a router.yaml whose state store cannot run on Lambda (Tablestore), naming the file', async () => {
    const dir = serviceDirectory('sls-tablestore');
    const config = join(temporaryDirectory('sls-tablestore-config'), 'router.yaml');
    writeFileSync(config, 'version: 1\ntargets:\n  t: { type: console }\nroute: { targets: [t] }\nstate: { store: tablestore }\n');
    await expect(serverless(dir, ['package'], { ROUTER_CONFIG: config })).rejects.toThrow(
      `build: ${config}: state.store: tablestore runs on Alibaba Cloud (FC 3.0) only, not on AWS (Lambda)`,
    );
    expect(existsSync(join(dir, '.serverless'))).toBe(false);
  }, 120_000);

  it('passes --config to the build and everything else to serverless', () => {
    expect(serverlessArgs('package', ['--config', 'x/router.yaml', '--stage', 'prod'])).toEqual(['package', '--stage', 'prod', `--param=routerConfig=${resolvePath('x/router.yaml')}`]);
    expect(serverlessArgs('deploy', ['--stage', 'prod'])).toEqual(['deploy', '--stage', 'prod']);
    expect(() => serverlessArgs('package', ['--config'])).toThrow(/needs a file/);
  });
});

describe('the packaged CloudFormation against the CloudFormation resource specification', () => {
  it.each([
    ['default router.yaml', () => plain],
    ['AWS targets and parameters', () => narrowed],
  ])('is valid with the %s', (_name, service) => {
    expect(validateTemplate(service().packaged.template)).toEqual([]);
  });

  const mutated = (change: (resources: Packaged['template']['Resources']) => void) => {
    const template = structuredClone(plain.packaged.template);
    change(template.Resources);
    return validateTemplate(template);
  };
  const firstOf = (resources: Packaged['template']['Resources'], type: string) => Object.values(resources).find((r) => r.Type === type)!;

  it.each([
    ['a misspelt property', (r: Packaged['template']['Resources']) => (firstOf(r, 'AWS::SQS::Queue').Properties.MessageRetention = 60), /unknown property MessageRetention/],
    ['a missing required property', (r: Packaged['template']['Resources']) => delete firstOf(r, 'AWS::Lambda::Function').Properties.Code, /missing required property Code/],
    ['a number where a string goes', (r: Packaged['template']['Resources']) => (firstOf(r, 'AWS::Lambda::Function').Properties.Handler = 3), /Handler: expected a string/],
    ['a value outside the allowed ones', (r: Packaged['template']['Resources']) => (firstOf(r, 'AWS::Events::Rule').Properties.State = 'ON'), /ON is not one of/],
    ['an attribute the resource does not have', (r: Packaged['template']['Resources']) => (firstOf(r, 'AWS::Events::Rule').Properties.Targets = [{ Id: 't', Arn: { 'Fn::GetAtt': ['FailedInvocationsQueue', 'Url'] } }]), /AWS::SQS::Queue has no attribute Url/],
    ['an unknown resource type', (r: Packaged['template']['Resources']) => (firstOf(r, 'AWS::SQS::Queue').Type = 'AWS::SQS::Queues'), /unknown resource type AWS::SQS::Queues/],
  ])('refuses %s', (_name, change, problem) => {
    expect(mutated(change).join('\n')).toMatch(problem);
  });
});
