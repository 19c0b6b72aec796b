import type { PreparedTarget } from '../../../shared/dispatch/types';
import { setLogSink } from '../../../shared/log';
import type { AlibabaCredentials } from '../../../shared/targets/contract';
import alibabaEventBridge, { EVENT_MAX_BYTES, eventBridgeEndpoint } from '../../../shared/targets/cloud/alibaba-eventbridge';
import { GATEWAY_PAGES } from '../../support/fakes/alibaba';
import {
  ACCOUNT_ID,
  ALIBABA_CREDENTIALS,
  ALIBABA_ENV,
  ALIBABA_EVENT_ID,
  ALIBABA_SECRETS,
  putEventsReply,
  startAlibabaEventBridgeFake,
  verifyAcsSignature,
} from '../../support/fakes/alibaba';
import { deliverOne, prepare, sampleAlert } from '../../support/fakes/deliver';
import { asFakeService, type RecordedRequest, type ScriptedServer } from '../../support/http-server';
import { armsAlert, cloudWatchAlert, describeConformance } from '../conformance';

describeConformance({
  type: 'alibaba-eventbridge',
  env: ALIBABA_ENV,
  async start() {
    const server = await startAlibabaEventBridgeFake();
    return asFakeService(server, { eventBusName: 'alerts', region: 'cn-hangzhou', endpoint: `127.0.0.1:${server.port}`, protocol: 'http', allowPrivateNetwork: true }, ALIBABA_SECRETS);
  },
});

type WireEvent = Record<string, unknown> & { data: unknown };

describe('alibaba-eventbridge target', () => {
  let server: ScriptedServer;
  let bus: PreparedTarget;
  let credentials: AlibabaCredentials | undefined;
  const settings = () => ({ eventBusName: 'alerts', region: 'cn-hangzhou', endpoint: `127.0.0.1:${server.port}`, protocol: 'http', allowPrivateNetwork: true });

  beforeAll(async () => {
    setLogSink(() => undefined);
    server = await startAlibabaEventBridgeFake({ keys: { [ALIBABA_CREDENTIALS.accessKeyId]: ALIBABA_CREDENTIALS.accessKeySecret, 'STS.NextInvocationKey': 'next-secret-0123456789' } });
    bus = await prepare(alibabaEventBridge, settings(), { credentials: () => credentials });
  });
  afterAll(() => server.close());
  beforeEach(() => {
    credentials = { ...ALIBABA_CREDENTIALS };
    server.requests.length = 0;
    server.respondWith('ok');
  });

  it('puts the alert as one CloudEvent on the bus, signed acs:<AccessKeyId>:<signature>', async () => {
    const alert = sampleAlert('alibaba/arms-alarm-create.json');
    // The documented examples mask ids with asterisks: still printable ASCII, passed as is.
    expect(alert.id).toContain('*');

    const result = await deliverOne(bus, alert);

    expect(result).toMatchObject({ outcome: 'delivered', attempts: 1, ref: ALIBABA_EVENT_ID });
    const [request] = server.requests as [RecordedRequest];
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/openapi/putEvents');
    expect(request.headers['content-type']).toBe('application/cloudevents-batch+json; charset=utf-8');
    expect(request.headers['x-eventbridge-regionid']).toBe('cn-hangzhou');
    expect(verifyAcsSignature(request, ALIBABA_CREDENTIALS.accessKeySecret)).toEqual({ accessKeyId: ALIBABA_CREDENTIALS.accessKeyId, valid: true });
    expect(verifyAcsSignature(request, 'another-secret')?.valid).toBe(false);
    expect(request.headers['x-acs-security-token']).toBe(ALIBABA_CREDENTIALS.securityToken);

    const events = request.json() as WireEvent[];
    expect(events).toHaveLength(1);
    expect(events[0]).toEqual({
      id: alert.id,
      source: 'alert-router',
      specversion: '1.0',
      type: 'alert-router:alert:firing',
      subject: alert.dedupKey,
      datacontenttype: 'application/json',
      time: alert.observedAt,
      aliyuneventbusname: 'alerts',
      data: alert,
    });
  });

  it('reads the credentials at send time: FC rotates them every invocation', async () => {
    await deliverOne(bus, armsAlert());
    credentials = { accessKeyId: 'STS.NextInvocationKey', accessKeySecret: 'next-secret-0123456789', securityToken: 'next-token' };
    expect(await deliverOne(bus, armsAlert())).toMatchObject({ outcome: 'delivered' });

    expect(verifyAcsSignature(server.requests[1]!, 'next-secret-0123456789')).toEqual({ accessKeyId: 'STS.NextInvocationKey', valid: true });
    expect(server.requests[1]!.headers['x-acs-security-token']).toBe('next-token');
  });

  it('fails without retrying when EventBridge does not know the key or the signature is wrong, the error named', async () => {
    credentials = { accessKeyId: 'LTAI5tUnknownKey0000001', accessKeySecret: 'whatever' };
    expect(await deliverOne(bus, armsAlert())).toMatchObject({ outcome: 'failed', retryable: false, attempts: 1, detail: expect.stringContaining('InvalidAccessKeyId.NotFound') });
    credentials = { ...ALIBABA_CREDENTIALS, accessKeySecret: 'not-the-secret' };
    expect(await deliverOne(bus, armsAlert())).toMatchObject({ outcome: 'failed', retryable: false, attempts: 1, detail: expect.stringContaining('SignatureDoesNotMatch') });
  });

  it('fails without retrying, and sends nothing, when there are no credentials', async () => {
    credentials = undefined;
    const result = await deliverOne(bus, armsAlert());
    expect(result).toMatchObject({ outcome: 'failed', retryable: false, attempts: 1 });
    expect(result.detail).toMatch(/no Alibaba Cloud credentials/);
    expect(server.requests).toHaveLength(0);
  });

  it('hashes an alert id that is no safe CloudEvents id, the same way every time', () => {
    const s = alibabaEventBridge.settings.parse(settings());
    const id = (alertId: string) => (alibabaEventBridge.render!(cloudWatchAlert({ id: alertId }), s) as { id: string }).id;
    expect(id('abc#1 with spaces')).toMatch(/^[0-9a-f]{64}$/);
    expect(id('abc#1 with spaces')).toBe(id('abc#1 with spaces'));
    expect(id('abc#2 with spaces')).not.toBe(id('abc#1 with spaces'));
  });

  describe('failed entries (FailedEntryCount, EntryList), which putEvents does not throw', () => {
    it('retries an event rejected with a transient code, then delivers', async () => {
      server.respondWith(putEventsReply([{ ErrorCode: 'InternalError', ErrorMessage: 'try again' }]), 'ok');
      const result = await deliverOne(bus, armsAlert());
      expect(result).toMatchObject({ outcome: 'delivered', attempts: 2 });
      expect(server.requests).toHaveLength(2);
    });

    it('does not retry an event rejected for good', async () => {
      server.respondWith(putEventsReply([{ ErrorCode: 'EventBusNotExist', ErrorMessage: 'The event bus [alerts] not existed!' }]));
      const result = await deliverOne(bus, armsAlert());
      expect(result).toMatchObject({ outcome: 'failed', retryable: false, attempts: 1 });
      expect(result.detail).toBe('putEvents rejected the event: EventBusNotExist: The event bus [alerts] not existed!');
    });
  });

  describe('failures, through the real dispatch', () => {
    it('retries throttling (429 TooManyRequests) and a 5xx, then delivers', async () => {
      server.respondWith('throttle', 'server-error', 'ok');
      const result = await deliverOne(bus, armsAlert());
      expect(result).toMatchObject({ outcome: 'delivered', attempts: 3 });
      expect(server.requests).toHaveLength(3);
    });

    it.each(Object.entries(GATEWAY_PAGES))('retries a gateway page (%s), then delivers', async (_name, page) => {
      server.respondWith(page, 'ok');
      const result = await deliverOne(bus, armsAlert());
      expect(result).toMatchObject({ outcome: 'delivered', attempts: 2 });
    });

    it.each([
      ['503 ServiceUnavailable', { status: 503, body: { requestId: 'r', code: 'ServiceUnavailable', message: 'busy' } }],
      ['500 with a code other than InternalError', { status: 500, body: { requestId: 'r', code: 'InternalFailure', message: 'oops' } }],
      ['400 Throttling.User', { status: 400, body: { requestId: 'r', code: 'Throttling.User', message: 'Request was denied due to user flow control.' } }],
      ['200 that is not JSON', { status: 200, body: '<html><body>proxy</body></html>' }],
      ['200 without EntryList', { status: 200, body: { RequestId: 'r' } }],
    ])('retries %s', async (_name, reply) => {
      server.respondWith(reply, 'ok');
      const result = await deliverOne(bus, armsAlert());
      expect(result).toMatchObject({ outcome: 'delivered', attempts: 2 });
    });

    it('does not retry a 4xx and names the error', async () => {
      server.respondWith('client-error');
      const result = await deliverOne(bus, armsAlert());
      expect(result).toMatchObject({ outcome: 'failed', retryable: false, attempts: 1 });
      expect(result.detail).toContain('AccessDenied');
    });

    it('refuses an event over 64 KB without calling EventBridge', async () => {
      const result = await deliverOne(bus, armsAlert({ description: 'x'.repeat(EVENT_MAX_BYTES) }));
      expect(result).toMatchObject({ outcome: 'failed', retryable: false, attempts: 1 });
      expect(result.detail).toMatch(/over the EventBridge putEvents limit of 65536/);
      expect(server.requests).toHaveLength(0);
    });
  });

  it('sends what the real @alicloud/eventbridge SDK sends: the same body, headers and signature scheme', async () => {
    const { default: Client, Config, CloudEvent } = await import('@alicloud/eventbridge');
    const alert = armsAlert();
    await deliverOne(bus, alert);
    const ours = server.requests.at(-1)!;
    const rendered = alibabaEventBridge.render!(alert, alibabaEventBridge.settings.parse(settings())) as Record<string, unknown>;
    const { aliyuneventbusname, data, ...attributes } = rendered;
    const client = new Client(new Config({ endpoint: `127.0.0.1:${server.port}`, protocol: 'http', regionId: 'cn-hangzhou', ...ALIBABA_CREDENTIALS }));
    await client.putEvents([new CloudEvent({ ...attributes, data: Buffer.from(JSON.stringify(data)), extensions: { aliyuneventbusname } })]);
    const theirs = server.requests.at(-1)!;

    expect(ours.json()).toEqual(theirs.json());
    expect(ours.url).toBe(theirs.url);
    for (const request of [ours, theirs]) expect(verifyAcsSignature(request, ALIBABA_CREDENTIALS.accessKeySecret)?.valid).toBe(true);
    const signed = (request: RecordedRequest) => Object.keys(request.headers).filter((name) => /^(x-acs-|x-eventbridge-|content-type|date|authorization)/.test(name)).sort();
    expect(signed(ours)).toEqual(signed(theirs));
  });

  describe('endpoint and protocol', () => {
    it('defaults to the account endpoint of the region, over https', () => {
      const s = alibabaEventBridge.settings.parse({ eventBusName: 'alerts', accountId: ACCOUNT_ID, region: 'cn-shanghai' });
      expect(eventBridgeEndpoint(s)).toBe(`${ACCOUNT_ID}.eventbridge.cn-shanghai.aliyuncs.com`);
      expect(s.protocol).toBe('https');
    });

    it('really speaks https unless told otherwise: a plain-http server never sees a request', async () => {
      const { protocol: _http, ...rest } = settings();
      const tls = await prepare(alibabaEventBridge, rest, { credentials: () => credentials, policy: { timeoutMs: 2000, retries: 0 } });
      const result = await deliverOne(tls, armsAlert());
      expect(result.outcome).toBe('failed');
      expect(server.requests).toHaveLength(0);
    });

    it('refuses a config with neither endpoint nor account and region, and a scheme in endpoint', () => {
      expect(alibabaEventBridge.settings.safeParse({ eventBusName: 'alerts', region: 'cn-hangzhou' }).success).toBe(false);
      expect(alibabaEventBridge.settings.safeParse({ eventBusName: 'alerts', endpoint: 'https://x.aliyuncs.com' }).success).toBe(false);
    });
  });
});
