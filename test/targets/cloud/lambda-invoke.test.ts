import type { PreparedTarget } from '../../../shared/dispatch/types';
import { setLogSink } from '../../../shared/log';
import lambdaInvoke from '../../../shared/targets/cloud/lambda-invoke';
import { AWS_CREDENTIALS, AWS_ENV, AWS_SECRETS, LAMBDA_PAYLOAD_LIMITS, LAMBDA_REQUEST_ID, startLambdaFake, verifySigV4 } from '../../support/fakes/aws';
import { deliverOne, prepare, sampleAlert, useEnv } from '../../support/fakes/deliver';
import { asFakeService, type RecordedRequest, type ScriptedServer } from '../../support/http-server';
import { armsAlert, cloudWatchAlert, describeConformance } from '../conformance';

describeConformance({
  type: 'lambda-invoke',
  renderedBody: (rendered) => rendered.Payload,
  env: AWS_ENV,
  async start() {
    const server = await startLambdaFake();
    return asFakeService(server, { functionName: 'remediate', endpoint: server.url }, AWS_SECRETS);
  },
});

describe('lambda-invoke target', () => {
  useEnv(AWS_ENV);
  let server: ScriptedServer;
  let remediate: PreparedTarget;

  beforeAll(async () => {
    setLogSink(() => undefined);
    server = await startLambdaFake();
    remediate = await prepare(lambdaInvoke, { functionName: 'remediate', endpoint: server.url });
  });
  afterAll(() => server.close());
  beforeEach(() => {
    server.requests.length = 0;
    server.respondWith('ok');
  });

  it('invokes asynchronously (Event) with {alert} as the payload, signed for lambda', async () => {
    const alert = sampleAlert('alibaba/arms-alarm-create.json');

    const result = await deliverOne(remediate, alert);

    expect(result).toMatchObject({ outcome: 'delivered', attempts: 1, ref: LAMBDA_REQUEST_ID });
    const [request] = server.requests as [RecordedRequest];
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/2015-03-31/functions/remediate/invocations');
    expect(request.headers['x-amz-invocation-type']).toBe('Event');
    expect(verifySigV4(request, AWS_CREDENTIALS.secretAccessKey)).toMatchObject({
      accessKeyId: AWS_CREDENTIALS.accessKeyId,
      service: 'lambda',
      region: 'us-east-1',
      valid: true,
    });
    expect(verifySigV4(request, 'another-secret')?.valid).toBe(false);
    expect(request.json()).toEqual({ alert });
  });

  it('passes the qualifier and signs with the region of a function ARN', async () => {
    const arn = await prepare(lambdaInvoke, {
      functionName: 'arn:aws:lambda:ap-northeast-1:123456789012:function:remediate',
      qualifier: 'live',
      endpoint: server.url,
    });
    await deliverOne(arn, cloudWatchAlert());

    const [request] = server.requests as [RecordedRequest];
    expect(request.url).toBe(`/2015-03-31/functions/${encodeURIComponent('arn:aws:lambda:ap-northeast-1:123456789012:function:remediate')}/invocations?Qualifier=live`);
    expect(verifySigV4(request, AWS_CREDENTIALS.secretAccessKey)).toMatchObject({ region: 'ap-northeast-1', service: 'lambda', valid: true });
  });

  describe('RequestResponse', () => {
    let sync: PreparedTarget;
    beforeAll(async () => {
      sync = await prepare(lambdaInvoke, { functionName: 'remediate', invocationType: 'RequestResponse', endpoint: server.url });
    });

    it('waits for the function and delivers when it succeeds', async () => {
      server.respondWith({ status: 200, headers: { 'x-amz-executed-version': '$LATEST' }, body: { remediated: true } });
      const result = await deliverOne(sync, armsAlert());
      expect(result).toMatchObject({ outcome: 'delivered', attempts: 1 });
      expect(server.requests[0]!.headers['x-amz-invocation-type']).toBe('RequestResponse');
    });

    it('a function error is a failed delivery, not retried, with the error type', async () => {
      server.respondWith({
        status: 200,
        headers: { 'x-amz-function-error': 'Unhandled', 'x-amz-executed-version': '$LATEST' },
        body: { errorType: 'TypeError', errorMessage: "Cannot read properties of undefined (reading 'instanceId')" },
      });
      const result = await deliverOne(sync, armsAlert());
      expect(result).toMatchObject({ outcome: 'failed', retryable: false, attempts: 1 });
      expect(result.detail).toBe("function error Unhandled: TypeError: Cannot read properties of undefined (reading 'instanceId')");
      expect(server.requests).toHaveLength(1);
    });
  });

  describe('failures, through the real dispatch', () => {
    it('retries TooManyRequestsException (429) and a 5xx, then delivers', async () => {
      server.respondWith('throttle', 'server-error', 'ok');
      const result = await deliverOne(remediate, cloudWatchAlert());
      expect(result).toMatchObject({ outcome: 'delivered', attempts: 3 });
      expect(server.requests).toHaveLength(3);
    });

    it('delivers an Event payload up to 1 MB, and refuses one over it for good', async () => {
      const base = Buffer.byteLength(JSON.stringify({ alert: cloudWatchAlert({ description: '' }) }));
      const fits = await deliverOne(remediate, cloudWatchAlert({ description: 'x'.repeat(LAMBDA_PAYLOAD_LIMITS.Event - base) }));
      expect(fits).toMatchObject({ outcome: 'delivered' });
      const over = await deliverOne(remediate, cloudWatchAlert({ description: 'x'.repeat(LAMBDA_PAYLOAD_LIMITS.Event - base + 1) }));
      expect(over).toMatchObject({ outcome: 'failed', retryable: false, attempts: 1 });
      expect(over.detail).toMatch(/RequestEntityTooLargeException/);
    });

    it('does not retry a 4xx and names the error', async () => {
      server.respondWith('client-error');
      const result = await deliverOne(remediate, cloudWatchAlert());
      expect(result).toMatchObject({ outcome: 'failed', retryable: false, attempts: 1 });
      expect(result.detail).toContain('ResourceNotFoundException');
    });
  });

  it('refuses what is no function name, and an unknown invocation type', () => {
    expect(lambdaInvoke.settings.safeParse({ functionName: 'has spaces' }).success).toBe(false);
    expect(lambdaInvoke.settings.safeParse({ functionName: 'remediate', invocationType: 'DryRun' }).success).toBe(false);
    expect(lambdaInvoke.settings.parse({ functionName: '123456789012:function:remediate' })).toMatchObject({ invocationType: 'Event' });
  });
});
