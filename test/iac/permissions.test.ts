// The permissions generated from a router.yaml's targets and state store: the actions the
// target and store types perform, on exactly the resources their settings name, and nothing
// for other types.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { alibabaRamStatements, awsIamStatements, type CfnValue } from '../../scripts/permissions';
import { BuildConfigError, type RouterTarget } from '../../scripts/router-targets';
import type { TargetType } from '../../shared/targets/contract';
import { loadStoreType, storeTypes } from '../../shared/state/registry';
import { loadTargetType, targetTypes } from '../../shared/targets/registry';
import { ROOT } from '../support/samples';
import { evaluateCfn } from './support';

const FILE = 'router.yaml';
const target = (name: string, type: string, settings: Record<string, unknown>): RouterTarget => ({ name, type, settings });

const evaluate = (value: CfnValue): string => evaluateCfn(value) as string;

async function awsGrants(targets: RouterTarget[]): Promise<Record<string, string[]>> {
  return Object.fromEntries((await awsIamStatements(targets, FILE)).map((s) => [s.Action.join(','), s.Resource.map(evaluate)]));
}

describe('awsIamStatements', () => {
  it('grants nothing for targets that call no AWS API', async () => {
    expect(await awsIamStatements([target('file', 'file', { path: 'out/a.jsonl' }), target('hook', 'webhook', { url: '${env:URL}' })], FILE)).toEqual([]);
  });

  it('grants sns:Publish on each named topic, once', async () => {
    const topics = ['arn:aws:sns:us-east-1:111122223333:b', 'arn:aws:sns:us-east-1:111122223333:a'];
    const grants = await awsGrants([
      target('t1', 'sns', { topicArn: topics[0] }),
      target('t2', 'sns', { topicArn: topics[1] }),
      target('t3', 'sns', { topicArn: topics[0], subject: 'x' }),
    ]);
    expect(grants).toEqual({ 'sns:Publish': [topics[1], topics[0]] });
  });

  it.each([
    ['a bus name, in the function region', { eventBusName: 'ops' }, 'arn:aws:events:eu-central-1:999988887777:event-bus/ops'],
    ['a bus name in another region', { eventBusName: 'ops', region: 'us-west-2' }, 'arn:aws:events:us-west-2:999988887777:event-bus/ops'],
    ['a bus ARN', { eventBusName: 'arn:aws:events:ap-south-1:123412341234:event-bus/x' }, 'arn:aws:events:ap-south-1:123412341234:event-bus/x'],
  ])('grants events:PutEvents on %s', async (_name, settings, arn) => {
    expect(await awsGrants([target('bus', 'aws-eventbridge', settings)])).toEqual({ 'events:PutEvents': [arn] });
  });

  it.each([
    [
      'a name: the function and its versions and aliases',
      { functionName: 'fix-it' },
      ['arn:aws:lambda:eu-central-1:999988887777:function:fix-it', 'arn:aws:lambda:eu-central-1:999988887777:function:fix-it:*'],
    ],
    ['a name with a qualifier setting', { functionName: 'fix-it', qualifier: 'live' }, ['arn:aws:lambda:eu-central-1:999988887777:function:fix-it:live']],
    ['a name:qualifier', { functionName: 'fix-it:7' }, ['arn:aws:lambda:eu-central-1:999988887777:function:fix-it:7']],
    [
      'a partial ARN of another account',
      { functionName: '123412341234:function:fix-it', region: 'us-east-2' },
      ['arn:aws:lambda:us-east-2:123412341234:function:fix-it', 'arn:aws:lambda:us-east-2:123412341234:function:fix-it:*'],
    ],
    [
      'a full ARN with a qualifier',
      { functionName: 'arn:aws:lambda:us-east-1:123412341234:function:fix-it:prod' },
      ['arn:aws:lambda:us-east-1:123412341234:function:fix-it:prod'],
    ],
  ])('grants lambda:InvokeFunction on %s', async (_name, settings, arns) => {
    expect((await awsGrants([target('fn', 'lambda-invoke', settings)]))['lambda:InvokeFunction']?.sort()).toEqual([...arns].sort());
  });

  it('never grants on "*" (only the qualifiers of a named function)', async () => {
    const statements = await awsIamStatements(
      [target('a', 'sns', { topicArn: 'arn:aws:sns:us-east-1:111122223333:a' }), target('b', 'aws-eventbridge', { eventBusName: 'default' }), target('c', 'lambda-invoke', { functionName: 'f' })],
      FILE,
    );
    for (const resource of statements.flatMap((s) => s.Resource.map(evaluate))) {
      expect(resource.replace(/:function:f:\*$/, ':function:f')).not.toContain('*');
    }
  });

  it.each([
    ['a topic written as a reference', target('t', 'sns', { topicArn: '${env:TOPIC}' }), /targets\.t\.topicArn: must be written literally/],
    ['a topic that is not an ARN', target('t', 'sns', { topicArn: 'alerts' }), /targets\.t\.topicArn: required, an SNS topic ARN/],
    ['a missing bus', target('b', 'aws-eventbridge', {}), /targets\.b\.eventBusName: required/],
    ['a malformed function name', target('f', 'lambda-invoke', { functionName: 'a/b' }), /targets\.f\.functionName: not a Lambda function name or ARN/],
    ['a function name that is not a string', target('f', 'lambda-invoke', { functionName: 42 }), /targets\.f\.functionName: expected a string/],
  ])('refuses %s, naming the file and the setting', async (_name, bad, message) => {
    await expect(awsIamStatements([bad], FILE)).rejects.toThrow(BuildConfigError);
    await expect(awsIamStatements([bad], FILE)).rejects.toThrow(message);
  });
});

describe('awsIamStatements of a state store', () => {
  const hook = target('hook', 'webhook', { url: '${env:URL}' });
  const grants = async (state: { store: string; settings: Record<string, unknown> }) =>
    Object.fromEntries((await awsIamStatements([hook], FILE, state)).map((s) => [s.Action.join(','), s.Resource.map(evaluate)]));

  it('grants GetItem and PutItem on the DynamoDB table, in its region when the settings name one', async () => {
    expect(await grants({ store: 'dynamodb', settings: { table: 'router-state' } })).toEqual({
      'dynamodb:GetItem': ['arn:aws:dynamodb:eu-central-1:999988887777:table/router-state'],
      'dynamodb:PutItem': ['arn:aws:dynamodb:eu-central-1:999988887777:table/router-state'],
    });
    expect((await grants({ store: 'dynamodb', settings: { table: 'router-state', region: 'eu-west-1' } }))['dynamodb:GetItem']).toEqual([
      'arn:aws:dynamodb:eu-west-1:999988887777:table/router-state',
    ]);
  });

  it('grants nothing for the local store', async () => {
    expect(await awsIamStatements([hook], FILE, { store: 'local', settings: {} })).toEqual([]);
  });

  it.each([
    ['a table written as a reference', { table: '${env:TABLE}' }, /state\.table: must be written literally/],
    ['no table', {}, /state\.table: required/],
  ])('refuses %s, naming the file and the setting', async (_name, settings, message) => {
    await expect(awsIamStatements([hook], FILE, { store: 'dynamodb', settings })).rejects.toThrow(message);
  });

  it.each(Object.keys(storeTypes))('%s: declares the grants of the SDK calls it makes, or gets them from its own stack', async (kind) => {
    const type = (await loadStoreType(kind))!;
    const declares = Boolean(type.permissions?.aws ?? type.permissions?.alibaba);
    // Tablestore's grant is in deploy/alibaba/tablestore.yaml, with the instance it names.
    if ((type.sdk ?? []).length > 0 && kind !== 'tablestore') expect(declares).toBe(true);
  });
});

describe('alibabaRamStatements', () => {
  const deployment = { region: 'cn-hangzhou', accountId: '5555', logProject: 'proj', logStore: 'store', deadLetterQueue: 'dlq' };

  it('always lets the functions write their logs and dead-letter their failures, and nothing else without targets', async () => {
    expect(await alibabaRamStatements([target('file', 'file', {})], FILE, deployment)).toEqual([
      { Effect: 'Allow', Action: ['log:PostLogStoreLogs'], Resource: ['acs:log:cn-hangzhou:5555:project/proj/logstore/store'] },
      { Effect: 'Allow', Action: ['mns:SendMessage'], Resource: ['acs:mns:cn-hangzhou:5555:/queues/dlq/messages'] },
    ]);
  });

  it('grants PutEvents on the named bus and InvokeFunction on the named function', async () => {
    const statements = await alibabaRamStatements(
      [
        target('bus', 'alibaba-eventbridge', { eventBusName: 'remediation', accountId: '1234567890', region: 'cn-shanghai' }),
        target('local-bus', 'alibaba-eventbridge', { eventBusName: 'ops', endpoint: 'x.example.com' }),
        target('fn', 'fc-invoke', { accountId: '1234567890', region: 'cn-beijing', functionName: 'fix' }),
        target('fn-prod', 'fc-invoke', { accountId: '1234567890', region: 'cn-beijing', functionName: 'fix', qualifier: 'prod' }),
      ],
      FILE,
      deployment,
    );
    const grants = Object.fromEntries(statements.map((s) => [s.Action[0], s.Resource]));
    expect(grants['eventbridge:PutEvents']).toEqual(['acs:eventbridge:cn-hangzhou:5555:eventbus/ops', 'acs:eventbridge:cn-shanghai:1234567890:eventbus/remediation']);
    expect(grants['fc:InvokeFunction']).toEqual(['acs:fc:cn-beijing:1234567890:functions/fix']);
  });

  it('refuses an fc-invoke target without its function', async () => {
    await expect(alibabaRamStatements([target('fn', 'fc-invoke', { qualifier: 'prod' })], FILE, deployment)).rejects.toThrow(/targets\.fn\.functionName: required/);
  });
});

describe('the permissions a target type declares', () => {
  const declares = (type: TargetType<unknown>) => Boolean(type.permissions?.aws ?? type.permissions?.alibaba);

  it.each(Object.keys(targetTypes))('%s: declares the grants of the SDK calls it makes (when it imports an SDK)', async (name) => {
    const type = (await loadTargetType(name))!;
    if ((type.sdk ?? []).length > 0) expect(declares(type)).toBe(true);
  });

  it('every cloud target (shared/targets/cloud/) declares its grants, with or without an SDK', async () => {
    const dir = join(ROOT, 'shared', 'targets', 'cloud');
    const modules = await Promise.all(readdirSync(dir).filter((file) => file.endsWith('.ts')).map(async (file) => [file, ((await import(join(dir, file))) as { default?: unknown }).default] as const));
    const targets = modules.filter((entry): entry is readonly [string, TargetType<unknown>] => typeof (entry[1] as TargetType<unknown> | undefined)?.create === 'function');
    expect(targets.map(([file]) => file).sort()).toEqual(['alibaba-eventbridge.ts', 'aws-eventbridge.ts', 'fc-invoke.ts', 'lambda-invoke.ts', 'sns.ts']);
    for (const [file, type] of targets) expect([file, declares(type)]).toEqual([file, true]);
  });

  it('refuses a target type the registry does not know, naming it', async () => {
    await expect(awsIamStatements([target('x', 'carrier-pigeon', {})], FILE)).rejects.toThrow(/targets\.x: unknown target type "carrier-pigeon"/);
  });
});
