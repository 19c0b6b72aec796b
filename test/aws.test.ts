// shared/aws.ts against the real thing: its signature against the AWS SDK's own signer
// (@smithy/signature-v4), its credentials against the SDK's chain reading a profile.
import { createHash, createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignatureV4 } from '@smithy/signature-v4';
import { awsCredentials, awsEndpoint, sigV4Headers, type AwsCredentials } from '../shared/aws';
import { AWS_CREDENTIALS } from './support/fakes/aws';

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
  it('names the regional endpoint of each partition', () => {
    expect(awsEndpoint('sns', 'us-east-1')).toBe('https://sns.us-east-1.amazonaws.com');
    expect(awsEndpoint('events', 'us-gov-west-1')).toBe('https://events.us-gov-west-1.amazonaws.com');
    expect(awsEndpoint('lambda', 'cn-northwest-1')).toBe('https://lambda.cn-northwest-1.amazonaws.com.cn');
    expect(awsEndpoint('sns', 'us-iso-east-1')).toBe('https://sns.us-iso-east-1.c2s.ic.gov');
    expect(awsEndpoint('sns', 'us-isob-east-1')).toBe('https://sns.us-isob-east-1.sc2s.sgov.gov');
  });

  it('reads the keys of the environment at every call, the session token when there is one', async () => {
    expect(await awsCredentials({ AWS_ACCESS_KEY_ID: 'AKIA1', AWS_SECRET_ACCESS_KEY: 's1' })).toEqual({ accessKeyId: 'AKIA1', secretAccessKey: 's1' });
    expect(await awsCredentials({ AWS_ACCESS_KEY_ID: 'ASIA2', AWS_SECRET_ACCESS_KEY: 's2', AWS_SESSION_TOKEN: 't2' })).toEqual({ accessKeyId: 'ASIA2', secretAccessKey: 's2', sessionToken: 't2' });
  });

  it('without keys in the environment, asks the AWS SDK credential chain, which reads a profile', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aws-profile-'));
    const saved = { ...process.env };
    try {
      writeFileSync(join(dir, 'credentials'), '[ops]\naws_access_key_id = AKIAPROFILE0000000001\naws_secret_access_key = profile/secret\naws_session_token = profile-token\n');
      writeFileSync(join(dir, 'config'), '[profile ops]\nregion = eu-west-1\n');
      // The chain reads process.env itself.
      for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) delete process.env[name];
      Object.assign(process.env, { AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'), AWS_CONFIG_FILE: join(dir, 'config'), AWS_PROFILE: 'ops', AWS_EC2_METADATA_DISABLED: 'true' });
      expect(await awsCredentials({})).toEqual({ accessKeyId: 'AKIAPROFILE0000000001', secretAccessKey: 'profile/secret', sessionToken: 'profile-token' });
    } finally {
      process.env = saved;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
