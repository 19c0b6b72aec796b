import { Readable } from 'node:stream';
import FcClient, { InvokeFunctionHeaders, InvokeFunctionRequest } from '@alicloud/fc20230330';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { RuntimeOptions } from '@darabonba/typescript';
import type { PreparedTarget } from '../../../shared/dispatch/types';
import { setLogSink } from '../../../shared/log';
import type { AlibabaCredentials } from '../../../shared/targets/contract';
import { acs3SignedHeaders } from '../../../shared/targets/cloud/alibaba-client';
import fcInvoke, { PAYLOAD_MAX_BYTES } from '../../../shared/targets/cloud/fc-invoke';
import { ACCOUNT_ID, ALIBABA_CREDENTIALS, ALIBABA_ENV, ALIBABA_SECRETS, FC_REQUEST_ID, startFcFake, verifyAcs3Signature } from '../../support/fakes/alibaba';
import { deliverOne, prepare, sampleAlert } from '../../support/fakes/deliver';
import { asFakeService, type RecordedRequest, type ScriptedServer } from '../../support/http-server';
import { armsAlert, cloudWatchAlert, describeConformance } from '../conformance';

describeConformance({
  type: 'fc-invoke',
  renderedBody: (rendered) => rendered.payload,
  env: ALIBABA_ENV,
  async start() {
    const server = await startFcFake();
    return asFakeService(server, { functionName: 'remediate', endpoint: server.url, allowPrivateNetwork: true }, ALIBABA_SECRETS);
  },
});

const NEXT_CREDENTIALS = { accessKeyId: 'STS.NextInvocationKey', accessKeySecret: 'next-secret-0123456789', securityToken: 'next-token' };

describe('fc-invoke target', () => {
  let server: ScriptedServer;
  let remediate: PreparedTarget;
  let credentials: AlibabaCredentials | undefined;
  const settings = (extra: Record<string, unknown> = {}) => ({ functionName: 'remediate', endpoint: server.url, allowPrivateNetwork: true, ...extra });
  const target = (extra: Record<string, unknown> = {}) => prepare(fcInvoke, settings(extra), { credentials: () => credentials });

  beforeAll(async () => {
    setLogSink(() => undefined);
    server = await startFcFake({
      keys: { [ALIBABA_CREDENTIALS.accessKeyId]: ALIBABA_CREDENTIALS.accessKeySecret, [NEXT_CREDENTIALS.accessKeyId]: NEXT_CREDENTIALS.accessKeySecret },
    });
    remediate = await target({ qualifier: 'live' });
  });
  afterAll(() => server.close());
  beforeEach(() => {
    credentials = { ...ALIBABA_CREDENTIALS };
    server.requests.length = 0;
    server.respondWith('ok');
  });

  it('invokes the function at its qualifier asynchronously with {alert}, ACS3-HMAC-SHA256 signed', async () => {
    const alert = sampleAlert('alibaba/arms-alarm-create.json');

    const result = await deliverOne(remediate, alert);

    expect(result).toMatchObject({ outcome: 'delivered', attempts: 1, ref: FC_REQUEST_ID });
    const [request] = server.requests as [RecordedRequest];
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/2023-03-30/functions/remediate/invocations?qualifier=live');
    expect(request.headers['x-fc-invocation-type']).toBe('Async');
    expect(verifyAcs3Signature(request, ALIBABA_CREDENTIALS.accessKeySecret)).toEqual({ accessKeyId: ALIBABA_CREDENTIALS.accessKeyId, valid: true });
    expect(verifyAcs3Signature(request, 'another-secret')?.valid).toBe(false);
    expect(request.headers['x-acs-security-token']).toBe(ALIBABA_CREDENTIALS.securityToken);
    expect(request.json()).toEqual({ alert });
  });

  it('sends what the official @alicloud/fc20230330 SDK sends, with the same signature', async () => {
    const alert = armsAlert();
    const body = JSON.stringify({ alert });
    const sdk = new FcClient(
      new $OpenApiUtil.Config({ ...ALIBABA_CREDENTIALS, endpoint: new URL(server.url).host, protocol: 'http', regionId: 'cn-hangzhou' }),
    );
    await sdk.invokeFunctionWithOptions(
      'remediate',
      new InvokeFunctionRequest({ qualifier: 'live', body: Readable.from([Buffer.from(body)]) }),
      new InvokeFunctionHeaders({ xFcInvocationType: 'Async' }),
      new RuntimeOptions({ autoretry: false }),
    );
    await deliverOne(remediate, alert);

    const [fromSdk, ours] = server.requests as [RecordedRequest, RecordedRequest];
    expect(verifyAcs3Signature(fromSdk, ALIBABA_CREDENTIALS.accessKeySecret)?.valid).toBe(true);
    expect(ours.url).toBe(fromSdk.url);
    expect(ours.body).toBe(fromSdk.body);
    const matter = ['host', 'content-type', 'accept', 'x-acs-version', 'x-acs-action', 'x-acs-content-sha256', 'x-acs-accesskey-id', 'x-acs-security-token', 'x-fc-invocation-type'];
    const pick = (r: RecordedRequest) => Object.fromEntries(matter.map((name) => [name, r.headers[name]]));
    expect(pick(ours)).toEqual(pick(fromSdk));
    const signedNames = (r: RecordedRequest) => /SignedHeaders=([^,]+)/.exec(String(r.headers.authorization))?.[1];
    // The SDK also signs x-acs-credentials-provider, the name of its credentials provider class.
    expect(signedNames(ours)).toBe(signedNames(fromSdk)?.replace(';x-acs-credentials-provider', ''));
    // Our signer, given the SDK's date and nonce, signs exactly as the SDK did.
    const resigned = acs3SignedHeaders({
      method: 'POST',
      host: String(fromSdk.headers.host),
      path: '/2023-03-30/functions/remediate/invocations',
      query: { qualifier: 'live' },
      body,
      credentials: ALIBABA_CREDENTIALS,
      now: new Date(String(fromSdk.headers['x-acs-date'])),
      headers: {
        accept: 'application/json',
        'content-type': 'application/octet-stream',
        'x-acs-version': '2023-03-30',
        'x-acs-action': 'InvokeFunction',
        'x-fc-invocation-type': 'Async',
        'x-acs-signature-nonce': String(fromSdk.headers['x-acs-signature-nonce']),
        'x-acs-credentials-provider': String(fromSdk.headers['x-acs-credentials-provider']),
      },
    });
    expect(resigned['x-acs-date']).toBe(fromSdk.headers['x-acs-date']);
    expect(resigned.authorization).toBe(fromSdk.headers.authorization);
  });

  it('signs with the credentials of the current invocation', async () => {
    await deliverOne(remediate, armsAlert());
    credentials = { ...NEXT_CREDENTIALS };
    const result = await deliverOne(remediate, armsAlert());

    expect(result.outcome).toBe('delivered');
    expect(verifyAcs3Signature(server.requests[1]!, NEXT_CREDENTIALS.accessKeySecret)).toEqual({ accessKeyId: NEXT_CREDENTIALS.accessKeyId, valid: true });
    expect(server.requests[1]!.headers['x-acs-security-token']).toBe('next-token');
  });

  it('fails without retrying, and sends nothing, when there are no credentials', async () => {
    credentials = undefined;
    const result = await deliverOne(remediate, armsAlert());
    expect(result).toMatchObject({ outcome: 'failed', retryable: false, attempts: 1 });
    expect(result.detail).toMatch(/no Alibaba Cloud credentials/);
    expect(server.requests).toHaveLength(0);
  });

  it('a wrong secret is refused by FC (403 SignatureNotMatch), not retried', async () => {
    credentials = { accessKeyId: ALIBABA_CREDENTIALS.accessKeyId, accessKeySecret: 'not-the-secret' };
    const result = await deliverOne(remediate, armsAlert());
    expect(result).toMatchObject({ outcome: 'failed', retryable: false, attempts: 1 });
    expect(result.detail).toMatch(/HTTP 403: SignatureNotMatch/);
  });

  describe('Sync', () => {
    let sync: PreparedTarget;
    beforeAll(async () => {
      sync = await target({ invocationType: 'Sync' });
    });

    it('waits for the function and delivers when it succeeds', async () => {
      server.respondWith({ status: 200, headers: { 'x-fc-request-id': FC_REQUEST_ID }, body: { remediated: true } });
      const result = await deliverOne(sync, cloudWatchAlert());
      expect(result).toMatchObject({ outcome: 'delivered', attempts: 1, ref: FC_REQUEST_ID });
      expect(server.requests[0]!.url).toBe('/2023-03-30/functions/remediate/invocations');
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
    it('retries throttling (429) and a 500 InternalServerError, then delivers', async () => {
      server.respondWith('throttle', 'server-error', 'ok');
      const result = await deliverOne(remediate, armsAlert());
      expect(result).toMatchObject({ outcome: 'delivered', attempts: 3 });
      expect(server.requests).toHaveLength(3);
    });

    it('a function that does not exist is FC 404 FunctionNotFound, not retried', async () => {
      const missing = await target({ functionName: 'no_such_function' });
      const result = await deliverOne(missing, armsAlert());
      expect(result).toMatchObject({ outcome: 'failed', retryable: false, attempts: 1 });
      expect(result.detail).toMatch(/HTTP 404: FunctionNotFound/);
    });

    it('an event over the Async payload limit fails before sending; FC itself answers 413 EntityTooLarge', async () => {
      const alert = armsAlert();
      const big = { ...alert, annotations: { ...alert.annotations, description: 'x'.repeat(PAYLOAD_MAX_BYTES.Async) } };
      const result = await deliverOne(remediate, big);
      expect(result).toMatchObject({ outcome: 'failed', retryable: false, attempts: 1 });
      expect(result.detail).toMatch(/over FC's Async invocation limit of 131072/);
      expect(server.requests).toHaveLength(0);

      // The same event goes through synchronously (32 MB); sent asynchronously anyway, FC refuses it.
      const sync = await target({ invocationType: 'Sync' });
      expect(await deliverOne(sync, big)).toMatchObject({ outcome: 'delivered' });
      const sdk = new FcClient(new $OpenApiUtil.Config({ ...ALIBABA_CREDENTIALS, endpoint: new URL(server.url).host, protocol: 'http' }));
      const oversized = sdk.invokeFunctionWithOptions(
        'remediate',
        new InvokeFunctionRequest({ body: Readable.from([Buffer.from(JSON.stringify({ alert: big }))]) }),
        new InvokeFunctionHeaders({ xFcInvocationType: 'Async' }),
        new RuntimeOptions({ autoretry: false }),
      );
      await expect(oversized).rejects.toMatchObject({ statusCode: 413, code: 'EntityTooLarge' });
    });
  });

  it('defaults to Async on the account and region endpoint, and refuses bad settings', () => {
    const parsed = fcInvoke.settings.parse({ accountId: ACCOUNT_ID, region: 'cn-hangzhou', functionName: 'remediate' });
    expect(parsed).toMatchObject({ invocationType: 'Async' });
    expect(fcInvoke.render!(armsAlert(), parsed)).toMatchObject({ function: 'remediate', invocationType: 'Async' });
    expect(fcInvoke.settings.safeParse({ ...parsed, functionName: 'bad name' }).success).toBe(false);
    expect(fcInvoke.settings.safeParse({ ...parsed, invocationType: 'async' }).success).toBe(false);
    expect(fcInvoke.settings.safeParse({ functionName: 'remediate', region: 'cn-hangzhou' }).success).toBe(false);
    expect(fcInvoke.settings.safeParse({ ...parsed, serviceName: 'ops' }).success).toBe(false);
  });

  it('refuses a loopback endpoint unless allowPrivateNetwork is set', async () => {
    const strict = await prepare(fcInvoke, { functionName: 'remediate', endpoint: server.url }, { credentials: () => credentials });
    const result = await deliverOne(strict, armsAlert());
    expect(result.outcome).toBe('failed');
    expect(server.requests).toHaveLength(0);
  });
});
