import type { PreparedTarget } from '../../../shared/dispatch/types';
import { setLogSink } from '../../../shared/log';
import sns, { fifoIds, snsSubject } from '../../../shared/targets/cloud/sns';
import { AWS_CREDENTIALS, AWS_ENV, AWS_SECRETS, SNS_MESSAGE_ID, startSnsFake, verifySigV4 } from '../../support/fakes/aws';
import { deliverOne, prepare, sampleAlert, useEnv } from '../../support/fakes/deliver';
import { startFauxqs, type Fauxqs } from '../../support/fakes/fauxqs';
import { asFakeService, type RecordedRequest, type ScriptedServer } from '../../support/http-server';
import { armsAlert, cloudWatchAlert, describeConformance } from '../conformance';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:alerts';
const FIFO_TOPIC = 'arn:aws:sns:eu-west-1:123456789012:alerts.fifo';

describeConformance({
  type: 'sns',
  env: AWS_ENV,
  async start() {
    const server = await startSnsFake();
    return asFakeService(server, { topicArn: TOPIC, endpoint: server.url }, AWS_SECRETS);
  },
});

/** The Publish parameters of a Query-protocol request, message attributes as a name -> value map. */
function publishParams(request: RecordedRequest) {
  const form = new URLSearchParams(request.body);
  const attributes: Record<string, { type: string | null; value: string | null }> = {};
  for (const [key, name] of form) {
    const entry = /^MessageAttributes\.entry\.(\d+)\.Name$/.exec(key)?.[1];
    if (entry) {
      attributes[name] = {
        type: form.get(`MessageAttributes.entry.${entry}.Value.DataType`),
        value: form.get(`MessageAttributes.entry.${entry}.Value.StringValue`),
      };
    }
  }
  return { form, attributes };
}

describe('sns target', () => {
  useEnv(AWS_ENV);
  let server: ScriptedServer;
  let standard: PreparedTarget;

  beforeAll(async () => {
    setLogSink(() => undefined);
    server = await startSnsFake();
    standard = await prepare(sns, { topicArn: TOPIC, endpoint: server.url });
  });
  afterAll(() => server.close());
  beforeEach(() => {
    server.requests.length = 0;
    server.respondWith('ok');
  });

  it('publishes the alert with a SigV4 signature for sns, subject and filterable attributes', async () => {
    const alert = sampleAlert('aws/state-change-single-metric.json');

    const result = await deliverOne(standard, alert);

    expect(result).toMatchObject({ outcome: 'delivered', attempts: 1, ref: SNS_MESSAGE_ID });
    const [request] = server.requests as [RecordedRequest];
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/');
    expect(request.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    expect(verifySigV4(request, AWS_CREDENTIALS.secretAccessKey)).toMatchObject({
      accessKeyId: AWS_CREDENTIALS.accessKeyId,
      service: 'sns',
      region: 'us-east-1',
      valid: true,
    });
    expect(verifySigV4(request, 'another-secret')?.valid).toBe(false);
    expect(request.headers['x-amz-security-token']).toBe(AWS_CREDENTIALS.sessionToken);

    const { form, attributes } = publishParams(request);
    expect(form.get('Action')).toBe('Publish');
    expect(form.get('Version')).toBe('2010-03-31');
    expect(form.get('TopicArn')).toBe(TOPIC);
    expect(form.get('Subject')).toBe('[FIRING] ServerCpuTooHigh');
    expect(JSON.parse(form.get('Message')!)).toEqual(alert);
    expect(attributes).toEqual({
      cloud: { type: 'String', value: 'aws' },
      status: { type: 'String', value: 'firing' },
      severity: { type: 'String', value: alert.severity },
      name: { type: 'String', value: 'ServerCpuTooHigh' },
    });
    // A standard topic takes no FIFO parameters.
    expect(form.has('MessageGroupId')).toBe(false);
    expect(form.has('MessageDeduplicationId')).toBe(false);
  });

  it('signs with the region of the topic ARN, not the environment', async () => {
    const elsewhere = await prepare(sns, { topicArn: 'arn:aws:sns:ap-southeast-2:123456789012:alerts', endpoint: server.url });
    await deliverOne(elsewhere, cloudWatchAlert());
    expect(verifySigV4(server.requests[0]!, AWS_CREDENTIALS.secretAccessKey)).toMatchObject({ region: 'ap-southeast-2', valid: true });
  });

  it('renders a subject template, folded to what SNS accepts', async () => {
    const custom = await prepare(sns, { topicArn: TOPIC, endpoint: server.url, templates: { subject: '{{severityUpper}} {{name}} in {{region}}' } });
    await deliverOne(custom, sampleAlert('alibaba/arms-chinese-p1.json'));
    const subject = publishParams(server.requests[0]!).form.get('Subject');
    expect(subject).toMatch(/^[\x20-\x7e]+$/);
    expect(subject).toContain('CPU');
  });

  describe('subject', () => {
    it.each([
      ['aws/state-change-single-metric.json', '[FIRING] ServerCpuTooHigh'],
      ['aws/state-change-single-metric-resolved.json', '[RESOLVED] ServerCpuTooHigh'],
      ['aws/state-change-non-ascii-minimal.json', '[FIRING] Uberlast CPU'],
      ['alibaba/arms-chinese-p1.json', '[FIRING] CPU'],
    ])('%s -> %s', (file, subject) => {
      const input = sns.render!(sampleAlert(file), sns.settings.parse({ topicArn: TOPIC })) as { Subject?: string };
      expect(input.Subject).toBe(subject);
    });

    it('names the alert by severity and provider when nothing of the name is ASCII', () => {
      const input = sns.render!(armsAlert({ name: '磁盘使用率过高' }), sns.settings.parse({ topicArn: TOPIC })) as { Subject?: string };
      expect(input.Subject).toBe('[FIRING] error alibaba.arms alert');
    });

    it('is one line of printable ASCII of at most 99 characters', () => {
      const folded = snsSubject(`[FIRING] ${'x'.repeat(60)}\n\t${'é'.repeat(80)}`);
      expect(folded.length).toBeLessThanOrEqual(99);
      expect(folded).toMatch(/^[\x21-\x7e][\x20-\x7e]*$/);
      expect(folded.endsWith('...')).toBe(true);
    });
  });

  describe('FIFO topics', () => {
    let fifo: PreparedTarget;
    beforeAll(async () => {
      fifo = await prepare(sns, { topicArn: FIFO_TOPIC, endpoint: server.url });
    });
    const sent = () => server.requests.map((request) => publishParams(request).form);

    it('groups by dedupKey and deduplicates a redelivery of the same notification only', async () => {
      const firing = cloudWatchAlert();
      const resolved = cloudWatchAlert({ id: 'b2a2e5f0-0000-4000-8000-00000000beef', status: 'resolved', previousStatus: 'firing' });
      const otherFiring = cloudWatchAlert({ id: '0f6f1a7e-0000-4000-8000-00000000cafe' });

      for (const alert of [firing, firing, resolved, otherFiring]) await deliverOne(fifo, alert);

      const [first, again, resolve, other] = sent() as [URLSearchParams, URLSearchParams, URLSearchParams, URLSearchParams];
      for (const form of [first, again, resolve, other]) expect(form.get('MessageGroupId')).toBe(firing.dedupKey);
      expect(again.get('MessageDeduplicationId')).toBe(first.get('MessageDeduplicationId'));
      expect(resolve.get('MessageDeduplicationId')).not.toBe(first.get('MessageDeduplicationId'));
      expect(other.get('MessageDeduplicationId')).not.toBe(first.get('MessageDeduplicationId'));
      expect(first.get('MessageDeduplicationId')).toMatch(/^[0-9a-f]{64}$/);
      expect(verifySigV4(server.requests[0]!, AWS_CREDENTIALS.secretAccessKey)).toMatchObject({ region: 'eu-west-1', valid: true });
    });

    it('hashes a dedupKey that is no valid group id (too long, or not ASCII)', () => {
      const long = fifoIds(armsAlert({ dedupKey: `alibaba.arms:https://arms.console.aliyun.com/${'a'.repeat(150)}` }));
      const unicode = fifoIds(cloudWatchAlert({ dedupKey: 'arn:aws:cloudwatch:ap-northeast-1:123456789012:alarm:Überlast CPU 東京' }));
      expect(long.MessageGroupId).toMatch(/^[0-9a-f]{64}$/);
      expect(unicode.MessageGroupId).toMatch(/^[0-9a-f]{64}$/);
      expect(long.MessageGroupId).not.toBe(unicode.MessageGroupId);
    });
  });

  it('publishes an alert whose name has a lone surrogate, the attribute with U+FFFD in its place', async () => {
    const alert = cloudWatchAlert({ name: 'cpu \ud800 high' });

    const result = await deliverOne(standard, alert);

    expect(result).toMatchObject({ outcome: 'delivered', attempts: 1 });
    const { form, attributes } = publishParams(server.requests[0]!);
    expect(attributes.name).toEqual({ type: 'String', value: 'cpu \ufffd high' });
    expect(JSON.parse(form.get('Message')!)).toEqual(alert);
    expect(verifySigV4(server.requests[0]!, AWS_CREDENTIALS.secretAccessKey)?.valid).toBe(true);
  });

  describe('failures, through the real dispatch', () => {
    it('retries throttling (429 Throttled) and succeeds', async () => {
      server.respondWith('throttle', 'ok');
      const result = await deliverOne(standard, cloudWatchAlert());
      expect(result).toMatchObject({ outcome: 'delivered', attempts: 2 });
      expect(server.requests).toHaveLength(2);
    });

    it('retries a 5xx and succeeds', async () => {
      server.respondWith('server-error', 'ok');
      const result = await deliverOne(standard, cloudWatchAlert());
      expect(result).toMatchObject({ outcome: 'delivered', attempts: 2 });
    });

    it('does not retry a 4xx and names the error', async () => {
      server.respondWith('client-error');
      const result = await deliverOne(standard, cloudWatchAlert());
      expect(result).toMatchObject({ outcome: 'failed', retryable: false, attempts: 1 });
      expect(result.detail).toContain('NotFound');
      expect(server.requests).toHaveLength(1);
    });

    it('retries KMS throttling on an encrypted topic (400 KMSThrottling)', async () => {
      server.respondWith(
        { status: 400, headers: { 'content-type': 'text/xml' }, body: '<ErrorResponse><Error><Type>Sender</Type><Code>KMSThrottling</Code><Message>Rate exceeded</Message></Error></ErrorResponse>' },
        'ok',
      );
      const result = await deliverOne(standard, cloudWatchAlert());
      expect(result).toMatchObject({ outcome: 'delivered', attempts: 2 });
    });

    it("leaves the size to the topic's MaximumMessageSize (256 KiB by default, up to 1 MiB), and refuses at once only what no topic takes", async () => {
      const large = cloudWatchAlert({ description: 'x'.repeat(300_000) });
      // A default topic: SNS refuses it, and no retry would change that.
      const refused = await deliverOne(standard, large);
      expect(refused).toMatchObject({ outcome: 'failed', retryable: false, attempts: 1 });
      expect(refused.detail).toContain('InvalidParameter: Invalid parameter: Message too long');
      expect(server.requests).toHaveLength(1);
      // A topic whose MaximumMessageSize is 1 MiB takes it.
      const roomy = await startSnsFake({ maxMessageSize: 1_048_576 });
      try {
        const target = await prepare(sns, { topicArn: TOPIC, endpoint: roomy.url });
        expect(await deliverOne(target, large)).toMatchObject({ outcome: 'delivered', attempts: 1 });
        const tooLarge = await deliverOne(target, cloudWatchAlert({ description: 'x'.repeat(1_048_576) }));
        expect(tooLarge).toMatchObject({ outcome: 'failed', retryable: false, attempts: 1 });
        expect(tooLarge.detail).toMatch(/^the alert is \d+ bytes of JSON and attributes, over the largest message SNS takes \(1048576, on a topic whose MaximumMessageSize allows it\)$/);
        expect(roomy.requests).toHaveLength(1);
      } finally {
        await roomy.close();
      }
    });
  });

  describe('against fauxqs, an SNS emulator fanning out to SQS', () => {
    let fauxqs: Fauxqs;
    beforeAll(async () => {
      fauxqs = await startFauxqs();
    });
    afterAll(() => fauxqs?.stop());

    it('FIFO: the filter policy selects on the attributes, a redelivery arrives once, the lifecycle in order', async () => {
      const topicArn = await fauxqs.createTopic('alerts.fifo', true);
      const critical = await fauxqs.createQueue('critical.fifo', true);
      await fauxqs.subscribe(topicArn, critical.arn, { cloud: ['aws'], severity: ['critical'] });
      const target = await prepare(sns, { topicArn, endpoint: fauxqs.address });
      const firing = cloudWatchAlert({ severity: 'critical' });
      const warning = cloudWatchAlert({ id: 'c0ffee00-0000-4000-8000-000000000001', severity: 'warning' });
      const resolved = cloudWatchAlert({ id: 'c0ffee00-0000-4000-8000-000000000002', severity: 'critical', status: 'resolved', previousStatus: 'firing' });

      for (const alert of [firing, firing, warning, resolved]) {
        expect(await deliverOne(target, alert)).toMatchObject({ outcome: 'delivered', attempts: 1 });
      }

      const messages = await fauxqs.drain(critical.url);
      const notifications = messages.map((message) => JSON.parse(message.Body) as { Subject?: string; Message: string; MessageAttributes: object });
      expect(notifications.map((n) => JSON.parse(n.Message) as unknown)).toEqual([firing, resolved]);
      expect(notifications[0]).toMatchObject({
        Subject: '[FIRING] ServerCpuTooHigh',
        MessageAttributes: { cloud: { Type: 'String', Value: 'aws' }, severity: { Type: 'String', Value: 'critical' }, status: { Type: 'String', Value: 'firing' } },
      });
      expect(messages[0]!.Attributes?.MessageGroupId).toBe(firing.dedupKey);
    });
  });

  it('refuses a topic that is not an SNS ARN, and bad templates', () => {
    expect(sns.settings.safeParse({ topicArn: 'alerts' }).success).toBe(false);
    expect(sns.settings.safeParse({ topicArn: TOPIC, endpoint: 'ftp://x' }).success).toBe(false);
    expect(sns.settings.safeParse({ topicArn: TOPIC, colour: 'red' }).success).toBe(false);
    expect(sns.settings.safeParse({ topicArn: TOPIC, templates: { subject: '{{#open}} never closed' } }).success).toBe(false);
    expect(sns.settings.safeParse({ topicArn: TOPIC, templates: { title: '{{name}}' } }).success).toBe(false);
  });
});
