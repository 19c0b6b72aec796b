import type { PreparedTarget } from '../../../shared/dispatch/types';
import { setLogSink } from '../../../shared/log';
import awsEventBridge, { ENTRY_MAX_BYTES } from '../../../shared/targets/cloud/aws-eventbridge';
import { AWS_CREDENTIALS, AWS_ENV, AWS_SECRETS, EVENTBRIDGE_EVENT_ID, putEventsReply, startEventBridgeFake, verifySigV4 } from '../../support/fakes/aws';
import { deliverOne, prepare, sampleAlert, useEnv } from '../../support/fakes/deliver';
import { asFakeService, type RecordedRequest, type ScriptedServer } from '../../support/http-server';
import { armsAlert, cloudWatchAlert, describeConformance } from '../conformance';

describeConformance({
  type: 'aws-eventbridge',
  // PutEvents takes entries; the JSON 1.1 protocol writes Time in epoch seconds.
  sentBody: (sent) => (sent.Entries as unknown[])[0],
  renderedBody: (rendered) => ({ ...rendered, Time: new Date(rendered.Time as string).getTime() / 1000 }),
  env: AWS_ENV,
  async start() {
    const server = await startEventBridgeFake();
    return asFakeService(server, { eventBusName: 'alerts', endpoint: server.url }, AWS_SECRETS);
  },
});

interface PutEventsBody {
  Entries: { EventBusName: string; Source: string; DetailType: string; Detail: string; Time?: number; Resources?: string[] }[];
}

describe('aws-eventbridge target', () => {
  useEnv(AWS_ENV);
  let server: ScriptedServer;
  let bus: PreparedTarget;
  const body = (index = 0) => server.requests[index]!.json() as PutEventsBody;

  beforeAll(async () => {
    setLogSink(() => undefined);
    server = await startEventBridgeFake();
    bus = await prepare(awsEventBridge, { eventBusName: 'alerts', endpoint: server.url });
  });
  afterAll(() => server.close());
  beforeEach(() => {
    server.requests.length = 0;
    server.respondWith('ok');
  });

  it('puts one entry signed for events: the alert as Detail, default source and detail-type', async () => {
    const alert = sampleAlert('aws/state-change-single-metric.json');

    const result = await deliverOne(bus, alert);

    expect(result).toMatchObject({ outcome: 'delivered', attempts: 1, ref: EVENTBRIDGE_EVENT_ID });
    const [request] = server.requests as [RecordedRequest];
    expect(request.method).toBe('POST');
    expect(request.headers['x-amz-target']).toBe('AWSEvents.PutEvents');
    expect(request.headers['content-type']).toBe('application/x-amz-json-1.1');
    expect(verifySigV4(request, AWS_CREDENTIALS.secretAccessKey)).toMatchObject({
      accessKeyId: AWS_CREDENTIALS.accessKeyId,
      service: 'events',
      region: 'us-east-1',
      valid: true,
    });
    expect(verifySigV4(request, 'another-secret')?.valid).toBe(false);

    const { Entries } = body();
    expect(Entries).toHaveLength(1);
    const [entry] = Entries as [PutEventsBody['Entries'][number]];
    expect(entry).toMatchObject({ EventBusName: 'alerts', Source: 'alert-router', DetailType: 'Alert firing', Resources: alert.resources });
    expect(JSON.parse(entry.Detail)).toEqual(alert);
    // JSON 1.1 sends timestamps as epoch seconds.
    expect(entry.Time! * 1000).toBe(Date.parse(alert.observedAt!));
  });

  it('takes a configured source, a detail-type template, and a bus ARN of another region', async () => {
    const other = await prepare(awsEventBridge, {
      eventBusName: 'arn:aws:events:eu-central-1:123456789012:event-bus/ops',
      source: 'com.example.alerts',
      templates: { detailType: '{{provider}} {{status}} {{severity}}' },
      endpoint: server.url,
    });
    await deliverOne(other, armsAlert({ status: 'acknowledged' }));

    expect(body().Entries[0]).toMatchObject({
      EventBusName: 'arn:aws:events:eu-central-1:123456789012:event-bus/ops',
      Source: 'com.example.alerts',
      DetailType: 'alibaba.arms acknowledged error',
    });
    // ARMS resources are instance ids, not ARNs: EventBridge would refuse them.
    expect(body().Entries[0]!.Resources).toBeUndefined();
    expect(verifySigV4(server.requests[0]!, AWS_CREDENTIALS.secretAccessKey)).toMatchObject({ region: 'eu-central-1', valid: true });
  });

  describe('failed entries (FailedEntryCount), which PutEvents does not throw', () => {
    it('retries an entry rejected with a retryable code, then delivers', async () => {
      server.respondWith(putEventsReply([{ ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' }]), 'ok');
      const result = await deliverOne(bus, cloudWatchAlert());
      expect(result).toMatchObject({ outcome: 'delivered', attempts: 2 });
      expect(server.requests).toHaveLength(2);
    });

    it.each(['InternalFailure', 'ThrottlingException'])('%s is retryable', async (code) => {
      server.respondWith(putEventsReply([{ ErrorCode: code, ErrorMessage: 'try again' }]));
      const result = await deliverOne(bus, cloudWatchAlert());
      expect(result).toMatchObject({ outcome: 'failed', retryable: true, attempts: 3 });
      expect(result.detail).toContain(code);
    });

    it.each(['AccessDeniedException', 'MalformedDetail', 'NotAuthorizedForSourceException'])('%s is not retried', async (code) => {
      server.respondWith(putEventsReply([{ ErrorCode: code, ErrorMessage: 'refused' }]));
      const result = await deliverOne(bus, cloudWatchAlert());
      expect(result).toMatchObject({ outcome: 'failed', retryable: false, attempts: 1 });
      expect(result.detail).toBe(`PutEvents rejected the entry: ${code}: refused`);
      expect(server.requests).toHaveLength(1);
    });
  });

  describe('failures, through the real dispatch', () => {
    it('retries ThrottlingException and a 5xx, then delivers', async () => {
      server.respondWith('throttle', 'server-error', 'ok');
      const result = await deliverOne(bus, cloudWatchAlert());
      expect(result).toMatchObject({ outcome: 'delivered', attempts: 3 });
    });

    it('does not retry a 4xx and names the error', async () => {
      server.respondWith('client-error');
      const result = await deliverOne(bus, cloudWatchAlert());
      expect(result).toMatchObject({ outcome: 'failed', retryable: false, attempts: 1 });
      expect(result.detail).toContain('ResourceNotFoundException');
    });

    it('refuses an entry of 256 KB or more without calling EventBridge ("must be less than 256KB"), to the byte', async () => {
      const result = await deliverOne(bus, cloudWatchAlert({ description: 'x'.repeat(ENTRY_MAX_BYTES) }));
      expect(result).toMatchObject({ outcome: 'failed', retryable: false, attempts: 1 });
      expect(result.detail).toMatch(/^the event entry is \d+ bytes; EventBridge PutEvents takes less than 262144$/);
      expect(server.requests).toHaveLength(0);
      // An entry of exactly 262,144 bytes is refused, one byte less is sent. Its size as AWS
      // documents it ("Calculating Amazon EventBridge PutEvents event entry size").
      const padded = (size: number) => {
        const e = awsEventBridge.render!(cloudWatchAlert({ description: '' }), awsEventBridge.settings.parse({ eventBusName: 'alerts' }), 'sdk') as Record<string, unknown>;
        const bytes = (value: unknown) => Buffer.byteLength(String(value ?? ''));
        const base = (e.Time ? 14 : 0) + bytes(e.Source) + bytes(e.DetailType) + bytes(e.Detail) + ((e.Resources as string[] | undefined) ?? []).reduce((sum, r) => sum + bytes(r), 0);
        return cloudWatchAlert({ description: 'x'.repeat(size - base) });
      };
      expect(await deliverOne(bus, padded(ENTRY_MAX_BYTES))).toMatchObject({ outcome: 'failed', attempts: 1 });
      expect(await deliverOne(bus, padded(ENTRY_MAX_BYTES - 1))).toMatchObject({ outcome: 'delivered' });
      expect(server.requests).toHaveLength(1);
    });

    it('refuses a detail-type template that renders over 128 characters', async () => {
      const long = await prepare(awsEventBridge, { eventBusName: 'alerts', endpoint: server.url, templates: { detailType: '{{description}}' } });
      const result = await deliverOne(long, cloudWatchAlert({ description: 'd'.repeat(200) }));
      expect(result).toMatchObject({ outcome: 'failed', retryable: false });
      expect(result.detail).toMatch(/detailType template is 200 characters/);
    });
  });

  it('refuses a source reserved for AWS', () => {
    expect(awsEventBridge.settings.safeParse({ eventBusName: 'alerts', source: 'aws.cloudwatch' }).success).toBe(false);
    expect(awsEventBridge.settings.safeParse({ eventBusName: '' }).success).toBe(false);
  });
});
