// The AWS targets' client (shared/targets/cloud/aws-client.ts, over shared/aws.ts) against
// the real thing: their requests against those the SDK clients send to the same fakes, their
// failures, a reply cut off, a server that echoes the request.
import { createServer, type Server, type Socket } from 'node:net';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { ResponseHeaders, type HttpResponse } from '../../../shared/http';
import { setLogSink } from '../../../shared/log';
import type { TargetType } from '../../../shared/targets/contract';
import { awsApi, awsFailure, xmlText } from '../../../shared/targets/cloud/aws-client';
import awsEventBridge from '../../../shared/targets/cloud/aws-eventbridge';
import lambdaInvoke from '../../../shared/targets/cloud/lambda-invoke';
import sns from '../../../shared/targets/cloud/sns';
import { AWS_CREDENTIALS, AWS_ENV, startEventBridgeFake, startLambdaFake, startSnsFake, verifySigV4 } from '../../support/fakes/aws';
import { deliverOne, prepare, sampleAlert, useEnv } from '../../support/fakes/deliver';
import { startScriptedServer, type RecordedRequest, type ScriptedServer } from '../../support/http-server';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:alerts';

describe('AWS targets: what each sends', () => {
  useEnv(AWS_ENV);
  const fakes: ScriptedServer[] = [];
  beforeAll(() => {
    setLogSink(() => undefined);
  });
  afterAll(async () => {
    for (const fake of fakes) await fake.close();
  });

  /** The request a target sends and the one its SDK client sends for the input render() shows. */
  async function both<S>(type: TargetType<S>, start: () => Promise<ScriptedServer>, settings: Record<string, unknown>, sdkSend: (endpoint: string, input: never) => Promise<unknown>) {
    const fake = await start();
    fakes.push(fake);
    const alert = sampleAlert('aws/state-change-single-metric.json');
    const target = await prepare(type, { ...settings, endpoint: fake.url });
    expect(await deliverOne(target, alert)).toMatchObject({ outcome: 'delivered' });
    const input = type.render!(alert, type.settings.parse({ ...settings, endpoint: fake.url }), 'sdk') as never;
    await sdkSend(fake.url, input);
    const [ours, theirs] = fake.requests as [RecordedRequest, RecordedRequest];
    for (const request of [ours, theirs]) expect(verifySigV4(request, AWS_CREDENTIALS.secretAccessKey)?.valid).toBe(true);
    return { ours, theirs };
  }
  const credentials = { accessKeyId: AWS_CREDENTIALS.accessKeyId, secretAccessKey: AWS_CREDENTIALS.secretAccessKey, sessionToken: AWS_CREDENTIALS.sessionToken };
  const same = (ours: RecordedRequest, theirs: RecordedRequest, headers: string[]) => {
    expect([ours.method, ours.url]).toEqual([theirs.method, theirs.url]);
    for (const name of headers) expect([name, ours.headers[name]]).toEqual([name, theirs.headers[name]]);
    expect(verifySigV4(ours, 'x')?.signedHeaders).toEqual(expect.arrayContaining(['host', 'x-amz-date', 'x-amz-security-token']));
  };

  it('sns: the same Publish form as @aws-sdk/client-sns (FIFO ids included)', async () => {
    const { ours, theirs } = await both(sns, startSnsFake, { topicArn: `${TOPIC}.fifo` }, (endpoint, input) =>
      new SNSClient({ endpoint, region: 'us-east-1', credentials, maxAttempts: 1 }).send(new PublishCommand(input)),
    );
    same(ours, theirs, ['content-type']);
    const form = (request: RecordedRequest) => [...new URLSearchParams(request.body)].sort();
    expect(form(ours)).toEqual(form(theirs));
    expect(form(ours).map(([key]) => key)).toContain('MessageDeduplicationId');
  });

  it('aws-eventbridge: the same PutEvents body as @aws-sdk/client-eventbridge (Time in epoch seconds)', async () => {
    const { ours, theirs } = await both(awsEventBridge, startEventBridgeFake, { eventBusName: 'alerts' }, (endpoint, input) =>
      new EventBridgeClient({ endpoint, region: 'us-east-1', credentials, maxAttempts: 1 }).send(new PutEventsCommand({ Entries: [input] })),
    );
    same(ours, theirs, ['content-type', 'x-amz-target']);
    expect(ours.json()).toEqual(theirs.json());
  });

  it('lambda-invoke: the same Invoke as @aws-sdk/client-lambda, to an ARN with a qualifier', async () => {
    const functionName = 'arn:aws:lambda:us-east-1:123456789012:function:remediate';
    const { ours, theirs } = await both(lambdaInvoke, startLambdaFake, { functionName, qualifier: 'live', invocationType: 'Event' }, (endpoint, input: { Payload: unknown }) =>
      new LambdaClient({ endpoint, region: 'us-east-1', credentials, maxAttempts: 1 }).send(new InvokeCommand({ ...(input as object), Payload: Buffer.from(JSON.stringify(input.Payload)) } as never)),
    );
    same(ours, theirs, ['x-amz-invocation-type']);
    expect(ours.json()).toEqual(theirs.json());
  });
});

describe('AWS targets: region', () => {
  it('takes the region from the setting, else the ARN, else AWS_REGION, and names what is missing', async () => {
    const server = await startSnsFake();
    try {
      const env = { ...AWS_ENV, AWS_REGION: 'eu-west-1' };
      const regionOf = async (settings: { region?: string }, arn?: string, environment: NodeJS.ProcessEnv = env) => {
        server.requests.length = 0;
        await awsApi('sns', { ...settings, endpoint: server.url }, arn, environment).send({ method: 'POST', path: '/', headers: {}, body: '' }, AbortSignal.timeout(5000));
        return verifySigV4(server.requests[0]!, AWS_CREDENTIALS.secretAccessKey)?.region;
      };
      expect(await regionOf({ region: 'ap-south-1' }, TOPIC)).toBe('ap-south-1');
      expect(await regionOf({}, TOPIC)).toBe('us-east-1');
      expect(await regionOf({}, 'alerts')).toBe('eu-west-1');
      expect(await regionOf({}, undefined, { ...AWS_ENV, AWS_REGION: '', AWS_DEFAULT_REGION: 'sa-east-1' })).toBe('sa-east-1');
      const { AWS_REGION: _, ...noRegion } = AWS_ENV;
      await expect(regionOf({}, 'alerts', noRegion)).rejects.toThrow("no AWS region for sns: set the target's region, or AWS_REGION");
    } finally {
      await server.close();
    }
  });

});

describe('AWS targets: failed answers', () => {
  const answer = (status: number, text: string, headers: Record<string, string> = {}): HttpResponse => ({
    status,
    headers: new ResponseHeaders(headers),
    text,
    truncated: false,
    json: () => JSON.parse(text) as unknown,
  });

  it('reads the Query protocol error, entities decoded', () => {
    const xml = '<ErrorResponse><Error><Type>Sender</Type><Code>InvalidParameter</Code><Message>Invalid parameter: Subject &lt;&quot;x&quot; &amp; &#252;&#x4E1C;&gt;</Message></Error></ErrorResponse>';
    expect(awsFailure(answer(400, xml), 'query')).toEqual({ outcome: 'failed', retryable: false, detail: 'HTTP 400: InvalidParameter: Invalid parameter: Subject <"x" & ü东>' });
    expect(xmlText('<a><MessageId>m-1</MessageId></a>', 'MessageId')).toBe('m-1');
    expect(xmlText('<a/>', 'MessageId')).toBeUndefined();
  });

  it('reads the JSON protocols error type from the header or the body, without its namespace or suffix', () => {
    expect(awsFailure(answer(404, '{"Type":"User","message":"Function not found"}', { 'x-amzn-errortype': 'ResourceNotFoundException:http://internal.amazon.com/coral/' }), 'json')).toEqual({
      outcome: 'failed',
      retryable: false,
      detail: 'HTTP 404: ResourceNotFoundException: Function not found',
    });
    expect(awsFailure(answer(400, '{"__type":"com.amazonaws.events#ThrottlingException","message":"Rate exceeded"}'), 'json')).toMatchObject({ retryable: true, detail: 'HTTP 400: ThrottlingException: Rate exceeded' });
  });

  it('judges a gateway page by its status, and keeps Retry-After of a retryable answer', () => {
    expect(awsFailure(answer(502, '<html><body>Bad Gateway</body></html>'), 'query')).toEqual({ outcome: 'failed', retryable: true, detail: 'HTTP 502: <html><body>Bad Gateway</body></html>' });
    expect(awsFailure(answer(403, ''), 'json')).toEqual({ outcome: 'failed', retryable: false, detail: 'HTTP 403' });
    expect(awsFailure(answer(429, '{"message":"slow down"}', { 'retry-after': '3' }), 'json')).toMatchObject({ retryable: true, retryAfterMs: 3000 });
  });
});

describe('AWS targets: a reply cut off in its body', () => {
  useEnv(AWS_ENV);
  let server: Server;
  let url: string;
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    setLogSink(() => undefined);
    // Headers promise 500 bytes of XML; 20 come, then the connection drops.
    server = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.once('data', () => {
        socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 500\r\n\r\n<PublishResponse xmln');
        setImmediate(() => socket.destroy());
      });
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('no port');
    url = `http://127.0.0.1:${address.port}`;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((done) => server.close(() => done()));
  });

  it('is a retryable network failure of the delivery', async () => {
    const target = await prepare(sns, { topicArn: TOPIC, endpoint: url }, { policy: { timeoutMs: 2000, retries: 0 } });

    const result = await deliverOne(target, sampleAlert('aws/state-change-single-metric.json'));

    expect(result).toMatchObject({ outcome: 'failed', retryable: true, attempts: 1 });
    expect(result.detail).toMatch(/ECONNRESET|closed before the response ended/);
  });
});

describe('AWS targets: credentials the service does not know', () => {
  useEnv({ ...AWS_ENV, AWS_SECRET_ACCESS_KEY: 'not/the0secret0of0this0key0abcdefghij' });
  beforeAll(() => {
    setLogSink(() => undefined);
  });

  it.each([
    ['sns', sns, startSnsFake, { topicArn: TOPIC }, 'SignatureDoesNotMatch'],
    ['aws-eventbridge', awsEventBridge, startEventBridgeFake, { eventBusName: 'alerts' }, 'InvalidSignatureException'],
    ['lambda-invoke', lambdaInvoke, startLambdaFake, { functionName: 'remediate' }, 'InvalidSignatureException'],
  ] as const)('%s: failed at once, not retried, the error named', async (_name, type, start, settings, code) => {
    const fake = await start();
    try {
      const target = await prepare(type as TargetType<unknown>, { ...settings, endpoint: fake.url });
      const result = await deliverOne(target, sampleAlert('aws/state-change-single-metric.json'));
      expect(result).toMatchObject({ outcome: 'failed', retryable: false, attempts: 1 });
      expect(result.detail).toContain(code);
      expect(fake.requests).toHaveLength(1);
    } finally {
      await fake.close();
    }
  });
});

describe('AWS targets: a server that echoes the request', () => {
  // Credentials of this test alone: nothing but the client can have registered them for redaction.
  const env = { AWS_ACCESS_KEY_ID: 'ASIAECHO0TEST0000001', AWS_SECRET_ACCESS_KEY: 'echo/secret+key0only0here0abcdef', AWS_SESSION_TOKEN: 'echo-session-token-5d2f7a9c1e', AWS_REGION: 'us-east-1' };
  useEnv(env);
  let server: ScriptedServer;
  beforeAll(async () => {
    setLogSink(() => undefined);
    // A proxy in front of SNS, not SNS: it answers whatever the signature.
    server = await startScriptedServer();
  });
  afterAll(() => server.close());

  it('gets neither the secret key nor the session token into the delivery, in any wire form', async () => {
    server.respondWith('echo');
    const target = await prepare(sns, { topicArn: TOPIC, endpoint: server.url });

    const result = await deliverOne(target, sampleAlert('aws/state-change-single-metric.json'));

    expect(result).toMatchObject({ outcome: 'failed', retryable: false });
    expect(server.requests[0]!.headers['x-amz-security-token']).toBe(env.AWS_SESSION_TOKEN);
    const report = JSON.stringify(result);
    expect(report).toContain('x-amz-security-token: [REDACTED]');
    for (const secret of [env.AWS_SECRET_ACCESS_KEY, env.AWS_SESSION_TOKEN]) {
      for (const form of [secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64')]) expect(report).not.toContain(form);
    }
  });
});
