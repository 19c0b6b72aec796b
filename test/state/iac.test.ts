// The DynamoDB state store as deployed: the real build and the real `serverless package`
// with a router.yaml whose state: section names the stack's table. The table is on demand
// with its TTL attribute; the role may GetItem and PutItem on that table and nothing else of
// DynamoDB; no bundle holds an AWS SDK (the store signs its own requests).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildService, DEFAULT_CONFIG, removeTemporaryDirectories, resourcesOfType, serverlessPackage, serviceDirectory, temporaryDirectory, type Packaged } from '../iac/support';
import type { BuildResult } from '../../scripts/build';

jest.setTimeout(300_000);

let build: BuildResult;
let plainBuild: BuildResult;
let packaged: Packaged;

beforeAll(async () => {
  const dir = serviceDirectory('sls-state');
  const config = join(dir, 'router.yaml');
  writeFileSync(
    config,
    [
      'version: 1',
      'targets:',
      '  ops-hook:',
      '    type: webhook',
      '    url: https://hooks.example.com/alerts',
      'route:',
      '  targets: [ops-hook]',
      'state:',
      '  store: dynamodb',
      '  table: alert-router-test-state',
    ].join('\n'),
  );
  // serverless package runs the build with this config (ROUTER_CONFIG).
  packaged = await serverlessPackage(dir, ['--stage', 'test'], config);
  build = packaged.build;
  plainBuild = await buildService(temporaryDirectory('sls-state-plain'), DEFAULT_CONFIG);
});
afterAll(() => removeTemporaryDirectories());

test('the table: on demand, partition key pk, TTL on expiresAt, named for the stage', () => {
  const tables = resourcesOfType(packaged.template, 'AWS::DynamoDB::Table');
  expect(tables.map(([name]) => name)).toEqual(['StateTable']);
  expect(tables[0]![1].Properties).toEqual({
    TableName: 'alert-router-test-state',
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
  });
});

test('the role: GetItem and PutItem on that table only', () => {
  const statements = resourcesOfType(packaged.template, 'AWS::IAM::Role').flatMap(([, role]) =>
    ((role.Properties.Policies as { PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown[] }[] } }[]) ?? []).flatMap((p) => p.PolicyDocument.Statement),
  );
  const dynamodb = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('dynamodb:')));
  const tableArn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':dynamodb:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':table/alert-router-test-state']] };
  expect(dynamodb).toEqual([
    { Effect: 'Allow', Action: ['dynamodb:GetItem'], Resource: [tableArn] },
    { Effect: 'Allow', Action: ['dynamodb:PutItem'], Resource: [tableArn] },
  ]);
});

test('the DynamoDB store brings no SDK: the bundles of this config hold no AWS SDK package, as the default ones', () => {
  for (const bundle of [...build.bundles, ...plainBuild.bundles]) {
    expect(bundle.packages.filter((name) => name.startsWith('@aws-sdk/') || name.startsWith('@smithy/'))).toEqual([]);
    expect(bundle.sdk).toEqual([]);
  }
});
