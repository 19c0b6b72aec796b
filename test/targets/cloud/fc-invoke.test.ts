import type { PreparedTarget } from '../../../shared/dispatch/types';
import { setLogSink } from '../../../shared/log';
import type { AlibabaCredentials } from '../../../shared/targets/contract';
import fcInvoke from '../../../shared/targets/cloud/fc-invoke';
import { ACCOUNT_ID, ALIBABA_CREDENTIALS, ALIBABA_ENV, ALIBABA_SECRETS, FC_REQUEST_ID, startFcFake, verifyFcSignature } from '../../support/fakes/alibaba';
import { deliverOne, prepare, sampleAlert } from '../../support/fakes/deliver';
import { asFakeService, type RecordedRequest, type ScriptedServer } from '../../support/http-server';
import { armsAlert, cloudWatchAlert, describeConformance } from '../conformance';

describeConformance({
  type: 'fc-invoke',
  renderedBody: (rendered) => rendered.payload,
  env: ALIBABA_ENV,
  async start() {
    const server = await startFcFake();
    return asFakeService(
      server,
      { accountId: ACCOUNT_ID, region: 'cn-hangzhou', serviceName: 'ops', functionName: 'remediate', endpoint: server.url },
      ALIBABA_SECRETS,
    );
  },
});

describe('fc-invoke target', () => {
  let server: ScriptedServer;
  let remediate: PreparedTarget;
  let credentials: AlibabaCredentials | undefined;
  const settings = (extra: Record<string, unknown> = {}) => ({
    accountId: ACCOUNT_ID,
    region: 'cn-hangzhou',
    serviceName: 'ops',
    functionName: 'remediate',
    endpoint: server.url,
    ...extra,
  });

  beforeAll(async () => {
    setLogSink(() => undefined);
    server = await startFcFake();
    remediate = await prepare(fcInvoke, settings({ qualifier: 'live' }), { credentials: () => credentials });
  });
  afterAll(() => server.close());
  beforeEach(() => {
    credentials = { ...ALIBABA_CREDENTIALS };
    server.requests.length = 0;
    server.respondWith('ok');
  });

  it('invokes service.qualifier/function asynchronously with {alert}, signed FC <AccessKeyId>:<signature>', async () => {
    const alert = sampleAlert('alibaba/arms-alarm-create.json');

    const result = await deliverOne(remediate, alert);

    expect(result).toMatchObject({ outcome: 'delivered', attempts: 1, ref: FC_REQUEST_ID });
    const [request] = server.requests as [RecordedRequest];
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/2016-08-15/services/ops.live/functions/remediate/invocations');
    expect(request.headers['x-fc-invocation-type']).toBe('Async');
    expect(request.headers['x-fc-account-id']).toBe(ACCOUNT_ID);
    expect(verifyFcSignature(request, ALIBABA_CREDENTIALS.accessKeySecret)).toEqual({ accessKeyId: ALIBABA_CREDENTIALS.accessKeyId, valid: true });
    expect(verifyFcSignature(request, 'another-secret')?.valid).toBe(false);
    // fc2 itself sends the token only for "STS." key ids; these keys are not, and it is sent.
    expect(request.headers['x-fc-security-token']).toBe(ALIBABA_CREDENTIALS.securityToken);
    expect(request.json()).toEqual({ alert });
  });

  it('signs with the credentials of the current invocation', async () => {
    await deliverOne(remediate, armsAlert());
    credentials = { accessKeyId: 'STS.NextInvocationKey', accessKeySecret: 'next-secret-0123456789', securityToken: 'next-token' };
    await deliverOne(remediate, armsAlert());

    expect(verifyFcSignature(server.requests[1]!, 'next-secret-0123456789')).toEqual({ accessKeyId: 'STS.NextInvocationKey', valid: true });
    expect(server.requests[1]!.headers['x-fc-security-token']).toBe('next-token');
  });

  it('fails without retrying, and sends nothing, when there are no credentials', async () => {
    credentials = undefined;
    const result = await deliverOne(remediate, armsAlert());
    expect(result).toMatchObject({ outcome: 'failed', retryable: false, attempts: 1 });
    expect(result.detail).toMatch(/no Alibaba Cloud credentials/);
    expect(server.requests).toHaveLength(0);
  });

  describe('Sync', () => {
    let sync: PreparedTarget;
    beforeAll(async () => {
      sync = await prepare(fcInvoke, settings({ invocationType: 'Sync' }), { credentials: () => credentials });
    });

    it('waits for the function and delivers when it succeeds', async () => {
      server.respondWith({ status: 200, headers: { 'x-fc-request-id': FC_REQUEST_ID }, body: { remediated: true } });
      const result = await deliverOne(sync, cloudWatchAlert());
      expect(result).toMatchObject({ outcome: 'delivered', attempts: 1, ref: FC_REQUEST_ID });
      expect(server.requests[0]!.url).toBe('/2016-08-15/services/ops/functions/remediate/invocations');
      expect(server.requests[0]!.headers['x-fc-invocation-type']).toBe('Sync');
    });

    it('a function error (x-fc-error-type) is a failed delivery, not retried, with the error type', async () => {
      server.respondWith({
        status: 200,
        headers: { 'x-fc-request-id': FC_REQUEST_ID, 'x-fc-error-type': 'UnhandledInvocationError' },
        body: { errorType: 'TypeError', errorMessage: "Cannot read properties of undefined (reading 'instanceId')" },
      });
      const result = await deliverOne(sync, cloudWatchAlert());
      expect(result).toMatchObject({ outcome: 'failed', retryable: false, attempts: 1 });
      expect(result.detail).toBe("function error UnhandledInvocationError: TypeError: Cannot read properties of undefined (reading 'instanceId')");
    });
  });

  describe('failures, through the real dispatch', () => {
    it('retries throttling (429 ResourceThrottled) and a 500 InternalServerError, then delivers', async () => {
      server.respondWith('throttle', 'server-error', 'ok');
      const result = await deliverOne(remediate, armsAlert());
      expect(result).toMatchObject({ outcome: 'delivered', attempts: 3 });
      expect(server.requests).toHaveLength(3);
    });

    it('does not retry a 4xx and names the error', async () => {
      server.respondWith('client-error');
      const result = await deliverOne(remediate, armsAlert());
      expect(result).toMatchObject({ outcome: 'failed', retryable: false, attempts: 1 });
      expect(result.detail).toMatch(/HTTP 404: .*FunctionNotFound/);
    });
  });

  it('defaults to Async over https, and refuses bad names', () => {
    const parsed = fcInvoke.settings.parse({ accountId: ACCOUNT_ID, region: 'cn-hangzhou', serviceName: 'ops', functionName: 'remediate' });
    expect(parsed).toMatchObject({ invocationType: 'Async', secure: true });
    expect(fcInvoke.settings.safeParse({ ...parsed, functionName: 'bad name' }).success).toBe(false);
    expect(fcInvoke.settings.safeParse({ ...parsed, invocationType: 'async' }).success).toBe(false);
  });
});
