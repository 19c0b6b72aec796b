// shared/aws.ts against the real thing: its signature against the AWS SDK's own signer
// (@smithy/signature-v4), its credentials against the SDK's chain reading a profile.
import { createHash, createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignatureV4 } from '@smithy/signature-v4';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SNSClient } from '@aws-sdk/client-sns';
import { awsCredentials, awsEndpoint, awsRequest, resolveAwsEndpoint, sigV4Headers, type AwsCredentials } from '../shared/aws';
import { AWS_CREDENTIALS, AWS_ENV, verifySigV4 } from './support/fakes/aws';
import { startScriptedServer } from './support/http-server';

const KEYS: AwsCredentials = { accessKeyId: AWS_CREDENTIALS.accessKeyId, secretAccessKey: AWS_CREDENTIALS.secretAccessKey };

/** node:crypto as the signer's hash constructor (an HMAC when given a key). */
type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytes = (data: SourceData) => (typeof data === 'string' ? Buffer.from(data, 'utf8') : ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.from(data));
class NodeSha256 {
  private readonly hash;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: SourceData) {
    this.hash.update(bytes(data));
  }
  digest() {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
}

/** The authorization the AWS SDK's own signer (@smithy/signature-v4) gives the same request. */
async function sdkAuthorization(url: URL, headers: Record<string, string>, body: string, service: string, region: string, credentials: AwsCredentials, now: Date) {
  const signer = new SignatureV4({ service, region, credentials, sha256: NodeSha256, applyChecksum: false });
  const signed = await signer.sign(
    {
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: { host: url.host, ...headers },
      body,
    },
    { signingDate: now },
  );
  return signed.headers.authorization;
}
describe('AWS: the signature', () => {
  const now = new Date('2026-11-30T05:06:07.089Z');
  const cases: [string, string, Record<string, string>, string, string, AwsCredentials][] = [
    ['a Query call (SNS)', 'https://sns.us-east-1.amazonaws.com/', { 'content-type': 'application/x-www-form-urlencoded' }, 'Action=Publish&Message=%C3%9Cberlast%20%2A%28%29', 'sns', { ...KEYS, sessionToken: AWS_CREDENTIALS.sessionToken }],
    ['a JSON 1.1 call (EventBridge), no session token', 'https://events.eu-central-1.amazonaws.com/', { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSEvents.PutEvents' }, '{"Entries":[{"Detail":"東京  two  spaces"}]}', 'events', KEYS],
    [
      'a REST call (Lambda) to an ARN with a qualifier, on a port',
      `http://127.0.0.1:4566/2015-03-31/functions/${encodeURIComponent('arn:aws:lambda:ap-northeast-1:123456789012:function:fix')}/invocations?Qualifier=live`,
      { 'content-type': 'application/octet-stream', 'x-amz-invocation-type': 'Event' },
      '{"alert":{}}',
      'lambda',
      { ...KEYS, sessionToken: AWS_CREDENTIALS.sessionToken },
    ],
    ['a query whose names prefix one another (sorted by name, then value)', 'https://lambda.us-east-1.amazonaws.com/x?a=1&a1=2&a-b=3&a.c=4&Z=5', { 'content-type': 'application/octet-stream' }, '', 'lambda', KEYS],
    ['China, a header value with inner runs of spaces', 'https://sns.cn-north-1.amazonaws.com.cn/', { 'content-type': 'application/x-www-form-urlencoded', 'x-amz-meta': '  a   b  ' }, '', 'sns', KEYS],
  ];

  it.each(cases)('signs %s exactly as the AWS SDK signer does', async (_label, href, headers, body, service, credentials) => {
    const url = new URL(href);
    const region = url.hostname.split('.')[1] ?? 'us-east-1';
    const ours = sigV4Headers({ method: 'POST', url, headers, body, service, region, credentials, now });

    expect(ours.authorization).toBe(await sdkAuthorization(url, headers, body, service, region, credentials, now));
    expect(ours['x-amz-date']).toBe('20261130T050607Z');
    expect(ours.host).toBe(url.host);
    expect(ours['x-amz-security-token']).toBe(credentials.sessionToken);
  });
});

describe('AWS: endpoints and credentials', () => {
  it("names the endpoint of every partition, FIPS or not, as the SDK clients' endpoint rules do", () => {
    type Rules = { config: { endpointProvider(params: object): { url: URL } } };
    const sdk: Record<string, Rules> = {
      sns: new SNSClient({ region: 'us-east-1' }) as unknown as Rules,
      events: new EventBridgeClient({ region: 'us-east-1' }) as unknown as Rules,
      lambda: new LambdaClient({ region: 'us-east-1' }) as unknown as Rules,
      dynamodb: new DynamoDBClient({ region: 'us-east-1' }) as unknown as Rules,
    };
    const regions = ['us-east-1', 'eu-central-1', 'ap-south-1', 'ca-central-1', 'us-gov-west-1', 'us-gov-east-1', 'cn-north-1', 'cn-northwest-1', 'us-iso-east-1', 'us-isob-east-1', 'eu-isoe-west-1', 'us-isof-south-1', 'eusc-de-east-1'];
    for (const [service, client] of Object.entries(sdk)) {
      for (const region of regions) {
        for (const fips of [false, true]) {
          const expected = client.config.endpointProvider({ Region: region, UseFIPS: fips, UseDualStack: false }).url.href.replace(/\/$/, '');
          expect([service, region, fips, awsEndpoint(service, region, { fips })]).toEqual([service, region, fips, expected]);
        }
      }
    }
  });

  it("takes the endpoint from the setting, else the SDK's environment variables, else the region's", () => {
    const env = { AWS_ENDPOINT_URL: 'http://127.0.0.1:4566', AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:8000' };
    expect(resolveAwsEndpoint('dynamodb', 'eu-west-1', 'https://vpce.example', env)).toBe('https://vpce.example');
    expect(resolveAwsEndpoint('dynamodb', 'eu-west-1', undefined, env)).toBe('http://127.0.0.1:8000');
    expect(resolveAwsEndpoint('events', 'eu-west-1', undefined, env)).toBe('http://127.0.0.1:4566');
    expect(resolveAwsEndpoint('events', 'eu-west-1', undefined, { ...env, AWS_ENDPOINT_URL_EVENTBRIDGE: 'http://127.0.0.1:9000' })).toBe('http://127.0.0.1:9000');
    expect(resolveAwsEndpoint('events', 'eu-west-1', undefined, { ...env, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' })).toBe('https://events.eu-west-1.amazonaws.com');
    expect(resolveAwsEndpoint('lambda', 'us-west-2', undefined, { AWS_USE_FIPS_ENDPOINT: 'true' })).toBe('https://lambda-fips.us-west-2.amazonaws.com');
    expect(resolveAwsEndpoint('sns', undefined, undefined, {})).toBeUndefined();
  });

  it('sends to an endpoint with a path under that path, as the SDK does', async () => {
    const server = await startScriptedServer();
    try {
      await awsRequest(
        { service: 'lambda', region: 'us-east-1', endpoint: `${server.url}/gateway/`, method: 'POST', path: '/2015-03-31/functions/f/invocations?Qualifier=live', headers: {}, body: '{}', signal: AbortSignal.timeout(5000) },
        AWS_ENV,
      );
      expect(server.requests[0]!.url).toBe('/gateway/2015-03-31/functions/f/invocations?Qualifier=live');
      expect(verifySigV4(server.requests[0]!, AWS_CREDENTIALS.secretAccessKey)?.valid).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('reads the keys of the environment at every call, the session token when there is one', async () => {
    expect(await awsCredentials({ AWS_ACCESS_KEY_ID: 'AKIA1', AWS_SECRET_ACCESS_KEY: 's1' })).toEqual({ accessKeyId: 'AKIA1', secretAccessKey: 's1' });
    expect(await awsCredentials({ AWS_ACCESS_KEY_ID: 'ASIA2', AWS_SECRET_ACCESS_KEY: 's2', AWS_SESSION_TOKEN: 't2' })).toEqual({ accessKeyId: 'ASIA2', secretAccessKey: 's2', sessionToken: 't2' });
  });

  it.each([
    ['no keys in the environment', {}],
    ['AWS_PROFILE set, which wins over keys in the environment, as in the SDK', { AWS_ACCESS_KEY_ID: 'AKIASTALE0000000000', AWS_SECRET_ACCESS_KEY: 'stale' }],
  ])('asks the AWS SDK credential chain, which reads the profile: %s', async (_label, keys: Record<string, string>) => {
    const dir = mkdtempSync(join(tmpdir(), 'aws-profile-'));
    const saved = { ...process.env };
    try {
      writeFileSync(join(dir, 'credentials'), '[ops]\naws_access_key_id = AKIAPROFILE0000000001\naws_secret_access_key = profile/secret\naws_session_token = profile-token\n');
      writeFileSync(join(dir, 'config'), '[profile ops]\nregion = eu-west-1\n');
      // The chain reads process.env itself.
      for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) delete process.env[name];
      Object.assign(process.env, keys, { AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'), AWS_CONFIG_FILE: join(dir, 'config'), AWS_PROFILE: 'ops', AWS_EC2_METADATA_DISABLED: 'true' });
      expect(await awsCredentials(process.env)).toEqual({ accessKeyId: 'AKIAPROFILE0000000001', secretAccessKey: 'profile/secret', sessionToken: 'profile-token' });
    } finally {
      process.env = saved;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
