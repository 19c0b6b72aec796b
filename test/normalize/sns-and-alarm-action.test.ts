// The classic SNS alarm notification and the Lambda alarm action: the samples of
// events/aws/sns and events/aws/alarm-action become alerts of the same model, with the same
// dedupKey as the EventBridge events of the same alarm.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { alertSchema, type Alert } from '../../shared/model/alert';
import { InvalidEventError, UnsupportedEventError } from '../../shared/model/errors';
import { normalizeEvent, eventTypeOf, splitDeliveries, EVENT_TYPES } from '../../shared/normalize';
import { REGION_CODES, regionCode } from '../../shared/normalize/aws-regions';
import { ROOT } from '../support/samples';

type Json = Record<string, unknown>;

function read(file: string): Json {
  return JSON.parse(readFileSync(join(ROOT, 'events', file), 'utf8')) as Json;
}

function normalize(raw: unknown): Alert {
  return alertSchema.parse(normalizeEvent(raw));
}

function refusal(raw: unknown): InvalidEventError | UnsupportedEventError {
  try {
    normalizeEvent(raw);
  } catch (error) {
    if (error instanceof InvalidEventError || error instanceof UnsupportedEventError) return error;
    throw error;
  }
  throw new Error('the event was accepted');
}

/** The message of a Lambda SNS event, to change in one test. */
function message(event: Json): Json {
  const sns = ((event.Records as Json[])[0]!.Sns as Json);
  return JSON.parse(sns.Message as string) as Json;
}

function withMessage(event: Json, change: (message: Json) => void): Json {
  const copy = structuredClone(event);
  const sns = (copy.Records as Json[])[0]!.Sns as Json;
  const body = message(copy);
  change(body);
  sns.Message = JSON.stringify(body);
  return copy;
}

const CPU_ARN = 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:ServerCpuTooHigh';
const EC2_CPU = { InstanceId: 'i-12345678901234567', namespace: 'AWS/EC2', metricName: 'CPUUtilization' };

const EXPECTED: Record<string, Partial<Alert>> = {
  'aws/sns/alarm-firing.json': {
    id: '5c0f6e2d-4f0a-5d5e-9d0e-1f2a3b4c5d6e',
    dedupKey: CPU_ARN,
    kind: 'state-change',
    status: 'firing',
    previousStatus: 'resolved',
    region: 'us-east-1',
    account: '123456789012',
    labels: EC2_CPU,
    startsAt: '2019-10-02T17:04:40.989Z',
    endsAt: null,
    observedAt: '2019-10-02T17:04:40.989Z',
  },
  'aws/sns/alarm-resolved-no-arn.json': {
    dedupKey: CPU_ARN,
    status: 'resolved',
    previousStatus: 'firing',
    region: 'us-east-1',
    labels: EC2_CPU,
    startsAt: null,
    endsAt: '2019-10-02T17:34:40.415Z',
    description: expect.stringMatching(/^Threshold Crossed/) as unknown as string,
  },
  'aws/sns/http-notification-insufficient-data.json': {
    dedupKey: 'arn:aws:cloudwatch:eu-west-1:210987654321:alarm:orders-queue-depth',
    status: 'insufficient-data',
    previousStatus: 'resolved',
    region: 'eu-west-1',
    labels: { QueueName: 'orders', namespace: 'AWS/SQS', metricName: 'ApproximateNumberOfMessagesVisible' },
    startsAt: null,
    endsAt: null,
  },
  'aws/sns/message-bare-metric-math.json': {
    dedupKey: 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:TotalNetworkTrafficTooHigh',
    status: 'firing',
    previousStatus: 'insufficient-data',
    region: 'eu-west-1',
    labels: { InstanceId: 'i-12345678901234567' },
  },
  'aws/sns/relay-lower-cased-keys.json': {
    dedupKey: 'arn:aws:cloudwatch:ap-northeast-1:345678901234:alarm:nightly-export-FailedInvocations',
    region: 'ap-northeast-1',
    labels: { RuleName: 'nightly-export', namespace: 'AWS/Events', metricName: 'FailedInvocations' },
  },
  'aws/alarm-action/metric-firing.json': {
    dedupKey: CPU_ARN,
    status: 'firing',
    previousStatus: 'resolved',
    labels: EC2_CPU,
    startsAt: '2019-10-02T17:04:40.989Z',
    observedAt: '2019-10-02T17:04:40.989Z',
  },
  'aws/alarm-action/metric-resolved.json': {
    dedupKey: CPU_ARN,
    status: 'resolved',
    previousStatus: 'firing',
    // As Alertmanager: when the firing it ends began.
    startsAt: '2019-10-02T17:04:40.989Z',
    endsAt: '2019-10-02T17:34:40.415Z',
  },
  'aws/alarm-action/metric-insufficient-data.json': {
    dedupKey: CPU_ARN,
    status: 'insufficient-data',
    previousStatus: 'firing',
    startsAt: null,
    endsAt: null,
    observedAt: '2019-10-03T02:10:40.120Z',
  },
  'aws/alarm-action/composite-spaced-times.json': {
    // The blank copied into the ARN's account field is taken out; the name is alarmName.
    dedupKey: 'arn:aws:cloudwatch:us-west-2:123456789012:alarm:checkout-composite',
    name: 'checkout-composite',
    status: 'firing',
    previousStatus: 'insufficient-data',
    startsAt: '2024-08-04T12:56:46.138Z',
    observedAt: '2024-08-04T12:56:46.138Z',
  },
};

describe('the SNS and Lambda alarm action samples', () => {
  it.each(Object.entries(EXPECTED))('%s', (file, expected) => {
    const alert = normalize(read(file));
    expect(alert).toMatchObject({ cloud: 'aws', provider: 'aws.cloudwatch', kind: 'state-change', severity: 'error', ...expected });
    expect(alert.summary.startsWith(alert.name)).toBe(true);
  });

  it('gives the EventBridge event, the SNS notification and the alarm action of one alarm one key', () => {
    const keys = [
      'aws/state-change-single-metric.json',
      'aws/state-change-single-metric-resolved.json',
      'aws/sns/alarm-firing.json',
      'aws/sns/alarm-resolved-no-arn.json',
      'aws/alarm-action/metric-firing.json',
      'aws/alarm-action/metric-resolved.json',
      'aws/alarm-action/metric-insufficient-data.json',
    ].map((file) => normalize(read(file)).dedupKey);
    expect(new Set(keys)).toEqual(new Set([CPU_ARN]));
  });

  it('names the delivery path in source', () => {
    expect(normalize(read('aws/sns/alarm-firing.json')).source).toEqual({
      id: '5c0f6e2d-4f0a-5d5e-9d0e-1f2a3b4c5d6e',
      type: 'CloudWatch Alarm SNS Notification',
      source: 'aws.sns',
      bus: 'arn:aws:sns:us-east-1:123456789012:ops-alarms',
      time: '2019-10-02T17:04:41.052Z',
      timeText: '2019-10-02T17:04:41.052Z',
    });
    expect(normalize(read('aws/alarm-action/composite-spaced-times.json')).source).toMatchObject({
      type: 'CloudWatch Alarm Lambda Action',
      source: 'aws.cloudwatch',
      time: '2024-08-04T12:56:46.138Z',
      timeText: '2024-08-04T12: 56: 46.138+0000',
    });
  });

  it('derives a stable id for a delivery without one, different for the next state change', () => {
    const firing = normalize(read('aws/alarm-action/metric-firing.json'));
    expect(normalize(read('aws/alarm-action/metric-firing.json')).id).toBe(firing.id);
    expect(normalize(read('aws/alarm-action/metric-resolved.json')).id).not.toBe(firing.id);
    expect(firing.id).toMatch(/^[0-9a-f]{32}$/);
  });

  it('keeps AlarmDescription null out of the description and annotates ActionExecutedAfterMuteWindow', () => {
    const alert = normalize(read('aws/sns/alarm-resolved-no-arn.json'));
    expect(alert.annotations).toMatchObject({ actionExecutedAfterMuteWindow: 'false' });
    expect(alert.annotations.description).toBeUndefined();
  });

  it('keeps the blanks of an alarm name inside the ARN and the console link', () => {
    const event = withMessage(read('aws/sns/alarm-firing.json'), (body) => {
      body.AlarmName = 'high cpu usage';
      body.AlarmArn = 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:high cpu usage';
    });
    const alert = normalize(event);
    expect(alert.dedupKey).toBe('arn:aws:cloudwatch:us-east-1:123456789012:alarm:high cpu usage');
    expect(alert.links[0]!.url).toMatch(/alarm\/high%20cpu%20usage$/);
  });

  it('builds the key in the partition of a China or GovCloud region', () => {
    const china = withMessage(read('aws/sns/alarm-resolved-no-arn.json'), (body) => {
      body.Region = 'China (Ningxia)';
    });
    expect(normalize(china)).toMatchObject({
      dedupKey: 'arn:aws-cn:cloudwatch:cn-northwest-1:123456789012:alarm:ServerCpuTooHigh',
      region: 'cn-northwest-1',
      links: [],
    });
    const gov = withMessage(read('aws/sns/alarm-resolved-no-arn.json'), (body) => {
      body.Region = 'AWS GovCloud (US-East)';
    });
    expect(normalize(gov).dedupKey).toBe('arn:aws-us-gov:cloudwatch:us-gov-east-1:123456789012:alarm:ServerCpuTooHigh');
  });

  it('refuses a message whose alarm cannot be told apart, naming the field', () => {
    const noRegion = withMessage(read('aws/sns/alarm-resolved-no-arn.json'), (body) => {
      body.Region = 'Atlantis (North)';
    });
    expect(refusal(noRegion)).toMatchObject({ field: 'Records[0].Sns.Message.Region' });
    const maskedAccount = withMessage(read('aws/sns/alarm-resolved-no-arn.json'), (body) => {
      body.AWSAccountId = '***';
    });
    expect(refusal(maskedAccount)).toMatchObject({ field: 'Records[0].Sns.Message.AWSAccountId' });
    // Ten digits are no account: its key would match no other path of the alarm.
    const shortAccount = withMessage(read('aws/sns/alarm-resolved-no-arn.json'), (body) => {
      body.AWSAccountId = '1234567890';
    });
    expect(refusal(shortAccount)).toMatchObject({ field: 'Records[0].Sns.Message.AWSAccountId', problem: '"1234567890" is not an AWS account id (12 digits) and there is no readable CloudWatch alarm ARN' });
    const unknownState = withMessage(read('aws/sns/alarm-firing.json'), (body) => {
      body.NewStateValue = 'ALARMING';
    });
    expect(refusal(unknownState)).toMatchObject({ field: 'Records[0].Sns.Message.NewStateValue' });
  });

  it('refuses an SNS message that is not JSON, and one that is no alarm notification', () => {
    const event = read('aws/sns/alarm-firing.json');
    const sns = (event.Records as Json[])[0]!.Sns as Json;
    sns.Message = 'hello';
    expect(refusal(event)).toMatchObject({ field: 'Records[0].Sns.Message' });
    sns.Message = JSON.stringify({ hello: 'world' });
    expect(refusal(event)).toBeInstanceOf(UnsupportedEventError);
  });

  it('refuses a Lambda alarm action from another source', () => {
    const event = read('aws/alarm-action/metric-firing.json');
    event.source = 'aws.health';
    expect(refusal(event)).toBeInstanceOf(UnsupportedEventError);
  });
});

describe('an ARMS event with the odd times of real ones', () => {
  it('reads a PRC publish time, an epoch-ms startTime and a data.timestamp written as text', () => {
    expect(normalize(read('alibaba/arms-odd-times.json'))).toMatchObject({
      startsAt: '2022-06-07T09:22:01.000Z',
      endsAt: null,
      observedAt: '2022-06-07T09:23:03.951Z',
      source: { time: '2022-06-07T09:23:04.003Z', timeText: '2022-06-07T17:23:04.003PRC' },
    });
  });
});

describe('envelopes', () => {
  it.each([
    ['aws/state-change-single-metric.json', 'CloudWatch Alarm State Change'],
    ['alibaba/arms-alarm-create.json', 'aliyun:arms:alarm:create'],
    ['aws/sns/alarm-firing.json', 'CloudWatch Alarm SNS Notification'],
    ['aws/sns/http-notification-insufficient-data.json', 'CloudWatch Alarm SNS Notification'],
    ['aws/sns/message-bare-metric-math.json', 'CloudWatch Alarm SNS Notification'],
    ['aws/alarm-action/metric-firing.json', 'CloudWatch Alarm Lambda Action'],
  ])('%s is a %s', (file, type) => {
    expect(eventTypeOf(read(file))).toBe(type);
    expect(Object.keys(EVENT_TYPES)).toContain(type);
  });

  it('splits a Lambda SNS event of several records into deliveries, and leaves one record whole', () => {
    const one = read('aws/sns/alarm-firing.json');
    expect(splitDeliveries(one)).toEqual([one]);
    const two = { Records: [...(one.Records as Json[]), ...(read('aws/sns/alarm-resolved-no-arn.json').Records as Json[])] };
    const parts = splitDeliveries(two);
    expect(parts).toHaveLength(2);
    expect(parts.map((part) => normalize(part).status)).toEqual(['firing', 'resolved']);
    expect(refusal(two)).toMatchObject({ field: 'Records' });
  });

  it('tolerates odd EventBridge envelope times: kept as text, unknown as an instant', () => {
    const event = read('aws/state-change-single-metric.json');
    delete ((event.detail as Json).state as Json).timestamp;
    for (const time of ['yesterday', '2019-10-02T17:04:40', 1570035880000]) {
      event.time = time;
      const alert = normalize(event);
      expect(alert.source).toMatchObject({ time: null, timeText: String(time) });
      expect(alert.observedAt).toBeNull();
      expect(alert.startsAt).toBeNull();
    }
  });

  it('never takes a mute window in year 10000 or with an unreadable bound as active', () => {
    const event = read('aws/state-change-muted.json');
    const mute = (event.detail as Json).muteDetail as Json;
    mute.muteWindowStart = '2000-01-01T00:00:00Z';
    mute.muteWindowEnd = '9999-12-31T23:59:59-01:00';
    expect(normalize(event).muted).toMatchObject({ endsAt: null, active: false });
    mute.muteWindowEnd = '2026-01-01 10:00';
    expect(normalize(event).muted).toMatchObject({ endsAt: null, active: false });
  });

  it('encodes an alarm name with a lone surrogate in the console link', () => {
    const event = read('aws/state-change-single-metric.json');
    (event.detail as Json).alarmName = 'cpu \uD800 high';
    const alert = normalize(event);
    expect(alert.name).toBe('cpu \uD800 high');
    expect(alert.links[0]!.url).toMatch(/alarm\/cpu%20%EF%BF%BD%20high$/);
  });

  it('reads a leap second in a state timestamp', () => {
    const event = read('aws/state-change-single-metric.json');
    ((event.detail as Json).state as Json).timestamp = '2016-12-31T23:59:60.000+0000';
    expect(normalize(event).observedAt).toBe('2016-12-31T23:59:59.999Z');
  });

  it.each([null, [], 'text', 7])('refuses %j as an event', (raw) => {
    expect(refusal(raw)).toMatchObject({ field: '(event)' });
  });
});

describe('region names', () => {
  it.each([
    ['US East (N. Virginia)', 'us-east-1'],
    ['US - N. Virginia', 'us-east-1'],
    ['EU - Ireland', 'eu-west-1'],
    ['EU (Ireland)', 'eu-west-1'],
    ['Europe (Ireland)', 'eu-west-1'],
    ['EU (Frankfurt)', 'eu-central-1'],
    ['AsiaPacific(Tokyo)', 'ap-northeast-1'],
    ['Asia Pacific - Tokyo', 'ap-northeast-1'],
    ['South America (São Paulo)', 'sa-east-1'],
    ['South America (Sao Paulo)', 'sa-east-1'],
    ['China (Beijing)', 'cn-north-1'],
    ['AWS GovCloud (US-West)', 'us-gov-west-1'],
    ['AWS GovCloud (US)', 'us-gov-west-1'],
    ['Mexico (Central)', 'mx-central-1'],
    ['eu-south-2', 'eu-south-2'],
    ['EXAMPLE', null],
    ['<region-name-full:1>', null],
  ])('%s is %s', (name, code) => {
    expect(regionCode(name)).toBe(code);
  });

  it('covers every commercial, China and GovCloud region, each name to one code', () => {
    for (const code of ['us-east-1', 'ap-southeast-7', 'ca-west-1', 'il-central-1', 'me-central-1', 'cn-northwest-1', 'us-gov-east-1']) {
      expect(REGION_CODES).toContain(code);
    }
    expect(REGION_CODES).toHaveLength(38);
  });
});
