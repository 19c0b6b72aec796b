// The CloudWatch normalizer against every sample of events/aws (the documented examples and
// our own variants) and every refused sample of events/invalid/aws.
import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { alertSchema, type Alert } from '../../shared/model/alert';
import { InvalidEventError, UnsupportedEventError } from '../../shared/model/errors';
import {
  CLOUDWATCH_DEFAULT_SEVERITY,
  CLOUDWATCH_DETAIL_TYPES,
  CLOUDWATCH_SOURCE,
  normalizeCloudWatchEvent,
} from '../../shared/normalize/cloudwatch';
import { oneOf, optionalString, requiredString, stringMap, toUtc } from '../../shared/normalize/fields';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function readDir(dir: string): Map<string, Json> {
  const files = readdirSync(dir).filter((file) => file.endsWith('.json')).sort();
  return new Map(files.map((file) => [file, JSON.parse(readFileSync(join(dir, file), 'utf8')) as Json]));
}

const SAMPLES = readDir(join(__dirname, '../../events/aws'));
const INVALID_SAMPLES = readDir(join(__dirname, '../../events/invalid/aws'));

/** A fresh copy of a sample, to change in one test without touching the others. */
function sample(file: string): JsonObject {
  const raw = SAMPLES.get(file);
  if (raw === undefined) throw new Error(`no sample ${file}`);
  return structuredClone(raw) as JsonObject;
}

function detailOf(event: JsonObject): JsonObject {
  return event.detail as JsonObject;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

/** Normalizes and checks the result against the published schema. */
function normalize(raw: unknown): Alert {
  return alertSchema.parse(normalizeCloudWatchEvent(raw));
}

function refusal(raw: unknown): InvalidEventError | UnsupportedEventError {
  try {
    normalizeCloudWatchEvent(raw);
  } catch (error) {
    if (error instanceof InvalidEventError || error instanceof UnsupportedEventError) return error;
    throw error;
  }
  throw new Error('the event was accepted');
}

const ACCOUNT = '123456789012';
const alarmArn = (name: string, region = 'us-east-1', account = ACCOUNT) =>
  `arn:aws:cloudwatch:${region}:${account}:alarm:${name}`;

/** The mute window every documented example carries: 2026, long after their state changes. */
const DOC_MUTE = {
  by: 'arn:aws:cloudwatch:us-east-1:1234567890:alarm-mute-rule:testMute',
  startsAt: '2026-01-01T10:00:00.000Z',
  endsAt: '2026-01-01T12:00:00.000Z',
  active: false,
};
const EC2_CPU = { InstanceId: 'i-12345678901234567', namespace: 'AWS/EC2', metricName: 'CPUUtilization' };
const COMPOSITE = 'ALARM(ServerCpuTooHigh) OR ALARM(TotalNetworkTrafficTooHigh)';

/** Field-level expectations per sample, read off the documented examples by hand. */
const EXPECTED: Record<string, Partial<Alert>> = {
  'state-change-single-metric.json': {
    kind: 'state-change',
    status: 'firing',
    previousStatus: 'resolved',
    name: 'ServerCpuTooHigh',
    region: 'us-east-1',
    dedupKey: alarmArn('ServerCpuTooHigh'),
    labels: EC2_CPU,
    startsAt: '2019-10-02T17:04:40.989Z',
    endsAt: null,
    observedAt: '2019-10-02T17:04:40.989Z',
    muted: DOC_MUTE,
  },
  'state-change-single-metric-resolved.json': {
    kind: 'state-change',
    status: 'resolved',
    previousStatus: 'firing',
    name: 'ServerCpuTooHigh',
    region: 'us-east-1',
    dedupKey: alarmArn('ServerCpuTooHigh'),
    labels: EC2_CPU,
    // As Alertmanager: a resolve starts when the firing it ends began (previousState.timestamp).
    startsAt: '2019-10-02T17:04:40.989Z',
    endsAt: '2019-10-02T17:34:40.415Z',
    observedAt: '2019-10-02T17:34:40.415Z',
    muted: null,
  },
  'state-change-metric-math.json': {
    kind: 'state-change',
    status: 'firing',
    previousStatus: 'insufficient-data',
    name: 'TotalNetworkTrafficTooHigh',
    region: 'us-east-1',
    dedupKey: alarmArn('TotalNetworkTrafficTooHigh'),
    // Two metrics (NetworkIn, NetworkOut): their shared dimension, no single metric name.
    labels: { InstanceId: 'i-12345678901234567' },
    startsAt: '2019-10-02T17:20:48.554Z',
    endsAt: null,
    observedAt: '2019-10-02T17:20:48.554Z',
    muted: DOC_MUTE,
  },
  'state-change-anomaly-detection.json': {
    kind: 'state-change',
    status: 'firing',
    previousStatus: 'resolved',
    name: 'EC2 CPU Utilization Anomaly',
    region: 'us-east-1',
    dedupKey: alarmArn('EC2 CPU Utilization Anomaly'),
    labels: EC2_CPU,
    startsAt: '2019-10-03T16:00:04.653Z',
    endsAt: null,
    observedAt: '2019-10-03T16:00:04.653Z',
    muted: DOC_MUTE,
  },
  'state-change-composite.json': {
    kind: 'state-change',
    status: 'firing',
    previousStatus: 'resolved',
    name: 'ServiceAggregatedAlarm',
    region: 'us-east-1',
    dedupKey: alarmArn('ServiceAggregatedAlarm'),
    labels: {},
    startsAt: '2022-07-22T15:57:45.394Z',
    endsAt: null,
    observedAt: '2022-07-22T15:57:45.394Z',
    muted: DOC_MUTE,
  },
  'state-change-multi-time-series.json': {
    kind: 'state-change',
    status: 'firing',
    previousStatus: 'insufficient-data',
    name: 'DynamoDBInsightsAlarm',
    region: 'us-east-1',
    dedupKey: alarmArn('DynamoDBInsightsAlarm'),
    labels: {},
    startsAt: '2025-12-01T13:42:04.919Z',
    endsAt: null,
    observedAt: '2025-12-01T13:42:04.919Z',
    muted: null,
  },
  'contributor-state-change.json': {
    kind: 'contributor-change',
    status: 'firing',
    previousStatus: null,
    name: 'DynamoDBInsightsAlarm',
    region: 'us-east-1',
    dedupKey: `${alarmArn('DynamoDBInsightsAlarm')}#contributor/6d442278dba546f6`,
    labels: { TableName: 'example-dynamodb-table-name', contributorId: '6d442278dba546f6' },
    startsAt: '2025-12-01T13:42:04.919Z',
    endsAt: null,
    observedAt: '2025-12-01T13:42:04.919Z',
    muted: DOC_MUTE,
  },
  'config-create-composite.json': {
    kind: 'config-change',
    status: 'config-created',
    previousStatus: null,
    name: 'ServiceAggregatedAlarm',
    region: 'us-east-1',
    dedupKey: alarmArn('ServiceAggregatedAlarm'),
    labels: {},
    annotations: {
      description: 'Aggregated monitor for instance',
      alarmRule: COMPOSITE,
      operation: 'create',
      alarmState: 'insufficient-data',
    },
    startsAt: null,
    endsAt: null,
    observedAt: '2022-03-03T17:06:22.289Z',
    muted: null,
  },
  'config-create-composite-suppressor.json': {
    kind: 'config-change',
    status: 'config-created',
    previousStatus: null,
    name: 'ServiceAggregatedAlarm',
    region: 'us-east-1',
    dedupKey: alarmArn('ServiceAggregatedAlarm'),
    annotations: { alarmRule: COMPOSITE, operation: 'create', alarmState: 'insufficient-data' },
    observedAt: '2022-07-14T13:59:46.425Z',
  },
  'config-update-metric.json': {
    kind: 'config-change',
    status: 'config-updated',
    previousStatus: null,
    name: 'ServerCpuTooHigh',
    region: 'us-east-1',
    dedupKey: alarmArn('ServerCpuTooHigh'),
    labels: EC2_CPU,
    startsAt: null,
    endsAt: null,
    observedAt: '2022-03-03T17:06:13.757Z',
  },
  'config-update-metric-suppressor.json': {
    kind: 'config-change',
    status: 'config-updated',
    previousStatus: null,
    name: 'ServiceAggregatedAlarm',
    dedupKey: alarmArn('ServiceAggregatedAlarm'),
    annotations: { alarmRule: COMPOSITE, actionsSuppressedBy: 'WaitPeriod', operation: 'update', alarmState: 'firing' },
    startsAt: null,
  },
  'config-delete-metric-math.json': {
    kind: 'config-change',
    status: 'config-deleted',
    previousStatus: null,
    name: 'TotalNetworkTrafficTooHigh',
    // The event says "us-east-*": the region comes from the alarm ARN.
    region: 'us-east-1',
    dedupKey: alarmArn('TotalNetworkTrafficTooHigh'),
    labels: { InstanceId: 'i-12345678901234567' },
    startsAt: null,
    endsAt: null,
    observedAt: '2022-03-03T17:06:17.672Z',
  },
  'config-delete-metric-math-suppressor.json': {
    kind: 'config-change',
    status: 'config-deleted',
    previousStatus: null,
    name: 'ServiceAggregatedAlarm',
    region: 'us-east-1',
    dedupKey: alarmArn('ServiceAggregatedAlarm'),
    annotations: { alarmRule: COMPOSITE, actionsSuppressedBy: 'WaitPeriod', operation: 'delete', alarmState: 'firing' },
  },
  'state-change-insufficient-data.json': {
    kind: 'state-change',
    status: 'insufficient-data',
    previousStatus: 'resolved',
    name: 'OrdersDbFreeStorageLow',
    account: '210987654321',
    region: 'eu-west-1',
    dedupKey: alarmArn('OrdersDbFreeStorageLow', 'eu-west-1', '210987654321'),
    labels: { DBInstanceIdentifier: 'orders-prod', namespace: 'AWS/RDS', metricName: 'FreeStorageSpace' },
    startsAt: null,
    endsAt: null,
    observedAt: '2024-03-11T08:15:02.305Z',
  },
  'state-change-non-ascii-minimal.json': {
    kind: 'state-change',
    status: 'firing',
    previousStatus: null,
    name: 'Überlast CPU 東京',
    region: 'ap-northeast-1',
    dedupKey: alarmArn('Überlast CPU 東京', 'ap-northeast-1'),
    summary: 'Überlast CPU 東京 is ALARM',
    description: '',
    labels: {},
    annotations: {},
    // Nanoseconds and +00:00 in, milliseconds and Z out.
    startsAt: '2024-05-06T07:08:09.123Z',
    observedAt: '2024-05-06T07:08:09.123Z',
    muted: null,
  },
  'state-change-muted.json': {
    kind: 'state-change',
    status: 'firing',
    previousStatus: 'resolved',
    name: 'OrdersApiLatencyHigh',
    region: 'us-west-2',
    dedupKey: alarmArn('OrdersApiLatencyHigh', 'us-west-2'),
    labels: { ApiName: 'orders', Stage: 'prod', namespace: 'AWS/ApiGateway', metricName: 'Latency' },
    observedAt: '2026-01-01T11:02:31.544Z',
    muted: {
      by: 'arn:aws:cloudwatch:us-west-2:123456789012:alarm-mute-rule:orders-maintenance',
      startsAt: '2026-01-01T10:00:00.000Z',
      endsAt: '2026-01-01T12:00:00.000Z',
      active: true,
    },
  },
};

function pick(alert: Alert, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((key) => [key, alert[key as keyof Alert]]));
}

describe('normalizeCloudWatchEvent on the samples of events/aws', () => {
  it('has an expectation for every sample and a sample for every expectation', () => {
    expect([...SAMPLES.keys()].sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each([...SAMPLES.keys()])('%s', (file) => {
    const raw = deepFreeze(sample(file));
    const alert = normalize(raw);
    const expected = EXPECTED[file]!;
    expect(pick(alert, Object.keys(expected))).toEqual(expected);

    const detail = detailOf(raw);
    expect(alert).toMatchObject({
      schemaVersion: '1',
      id: raw.id,
      cloud: 'aws',
      provider: 'aws.cloudwatch',
      severity: CLOUDWATCH_DEFAULT_SEVERITY,
      sourceSeverity: null,
      name: detail.alarmName,
      account: raw.account ?? ACCOUNT,
      resources: raw.resources,
      alerts: [],
      actor: null,
      comment: null,
      solution: null,
      source: { id: raw.id, type: raw['detail-type'], source: 'aws.cloudwatch', bus: null, time: expect.stringMatching(/Z$/), timeText: raw.time },
    });
    expect(alert.summary.startsWith(alert.name)).toBe(true);
    expect(alert.summary).not.toMatch(/\n/);
    expect(alert.links).toEqual([
      {
        title: 'CloudWatch console',
        url: `https://${alert.region}.console.aws.amazon.com/cloudwatch/home?region=${alert.region}#alarmsV2:alarm/${encodeURIComponent(alert.name)}`,
      },
    ]);
  });

  it('writes summary and description from the state reason and the alarm description', () => {
    const alert = normalize(sample('state-change-single-metric.json'));
    const reason =
      'Threshold Crossed: 1 out of the last 1 datapoints [99.50160229693434 (02/10/19 16:59:00)] was greater than the threshold (50.0) (minimum 1 datapoint for OK -> ALARM transition).';
    expect(alert.summary).toBe(`ServerCpuTooHigh is ALARM: ${reason}`);
    expect(alert.description).toBe(`Goes into alarm when server CPU utilization is too high!\n\n${reason}`);
    expect(alert.annotations).toEqual({
      reason,
      description: 'Goes into alarm when server CPU utilization is too high!',
    });
  });

  it('names the contributor in the summary of a contributor event', () => {
    const alert = normalize(sample('contributor-state-change.json'));
    expect(alert.summary).toMatch(/^DynamoDBInsightsAlarm \[TableName=example-dynamodb-table-name\] is ALARM: Threshold Crossed/);
  });

  it('annotates a composite alarm with its rule and the suppression of its actions', () => {
    expect(normalize(sample('state-change-composite.json')).annotations).toMatchObject({
      alarmRule: COMPOSITE,
      actionsSuppressedBy: 'WaitPeriod',
      actionsSuppressedReason: 'Actions suppressed by WaitPeriod',
    });
  });

  it('says what happened to the configuration in the summary', () => {
    expect(normalize(sample('config-update-metric.json')).summary).toBe('ServerCpuTooHigh configuration updated');
    expect(normalize(sample('config-create-composite.json')).summary).toBe('ServiceAggregatedAlarm configuration created');
    expect(normalize(sample('config-delete-metric-math.json')).summary).toBe('TotalNetworkTrafficTooHigh configuration deleted');
  });
});

describe('the lifecycle of an alarm', () => {
  // Which alarm (and which contributor of it) a raw sample is about, read without the normalizer.
  function alarmOf(raw: JsonObject): string {
    const detail = detailOf(raw);
    const contributor = detail.alarmContributor as JsonObject | undefined;
    return [raw.account, detail.alarmName, contributor?.id ?? ''].join('|');
  }

  const alerts = [...SAMPLES.values()].map((raw) => ({ alarm: alarmOf(raw as JsonObject), alert: normalize(raw) }));
  const byAlarm = new Map<string, Alert[]>();
  for (const { alarm, alert } of alerts) byAlarm.set(alarm, [...(byAlarm.get(alarm) ?? []), alert]);

  it('is exercised by samples of several events of one alarm', () => {
    const sizes = [...byAlarm.values()].map((group) => group.length);
    expect(Math.max(...sizes)).toBeGreaterThanOrEqual(4);
    expect(byAlarm.size).toBeGreaterThan(5);
  });

  it('gives every event of one alarm the same dedupKey and severity, whatever its status', () => {
    for (const group of byAlarm.values()) {
      expect(new Set(group.map((alert) => alert.dedupKey)).size).toBe(1);
      expect(new Set(group.map((alert) => alert.severity)).size).toBe(1);
    }
  });

  it('never gives two alarms (or two contributors) the same dedupKey', () => {
    const keys = [...byAlarm.values()].map((group) => group[0]!.dedupKey);
    expect(new Set(keys).size).toBe(byAlarm.size);
  });

  it('opens and resolves ServerCpuTooHigh under one key', () => {
    const [firing, resolved] = ['state-change-single-metric.json', 'state-change-single-metric-resolved.json'].map(
      (file) => normalize(sample(file)),
    );
    expect([firing!.status, resolved!.status]).toEqual(['firing', 'resolved']);
    expect(resolved!.dedupKey).toBe(firing!.dedupKey);
    expect(resolved!.previousStatus).toBe(firing!.status);
  });

  it('keeps an alarm of the same name in another region or account apart', () => {
    const event = sample('state-change-single-metric.json');
    const here = normalize(event).dedupKey;
    const elsewhere = sample('state-change-single-metric.json');
    elsewhere.region = 'eu-west-1';
    elsewhere.resources = [alarmArn('ServerCpuTooHigh', 'eu-west-1')];
    const otherAccount = sample('state-change-single-metric.json');
    otherAccount.account = '210987654321';
    otherAccount.resources = [alarmArn('ServerCpuTooHigh', 'us-east-1', '210987654321')];
    expect(new Set([here, normalize(elsewhere).dedupKey, normalize(otherAccount).dedupKey]).size).toBe(3);
  });
});

describe('where the alarm lives', () => {
  it('builds the same key from region, account and name when resources holds no alarm ARN', () => {
    const withArn = normalize(sample('state-change-single-metric.json'));
    const event = sample('state-change-single-metric.json');
    event.resources = ['arn:aws:ec2:us-east-1:123456789012:instance/i-12345678901234567'];
    const alert = normalize(event);
    expect(alert.dedupKey).toBe(withArn.dedupKey);
    expect(alert.resources).toEqual(event.resources);
  });

  it('builds the key in the partition of the region, and gives no console link outside the standard one', () => {
    const event = sample('state-change-single-metric.json');
    event.region = 'cn-north-1';
    event.resources = [];
    const alert = normalize(event);
    expect(alert.dedupKey).toBe(`arn:aws-cn:cloudwatch:cn-north-1:${ACCOUNT}:alarm:ServerCpuTooHigh`);
    expect(alert.links).toEqual([]);
  });

  it('takes the partition, region and account from the alarm ARN when the event lacks them', () => {
    const event = sample('config-delete-metric-math.json');
    delete event.account;
    event.resources = ['arn:aws-us-gov:cloudwatch:us-gov-west-1:123456789012:alarm:TotalNetworkTrafficTooHigh'];
    const alert = normalize(event);
    expect(pick(alert, ['region', 'account', 'dedupKey'])).toEqual({
      region: 'us-gov-west-1',
      account: ACCOUNT,
      dedupKey: 'arn:aws-us-gov:cloudwatch:us-gov-west-1:123456789012:alarm:TotalNetworkTrafficTooHigh',
    });
  });

  it('takes the name from alarmName, never from the ARN', () => {
    const event = sample('state-change-single-metric.json');
    detailOf(event).alarmName = 'ServerCpuTooHigh:prod';
    event.resources = [alarmArn('ServerCpuTooHigh:prod')];
    expect(normalize(event)).toMatchObject({ name: 'ServerCpuTooHigh:prod', dedupKey: alarmArn('ServerCpuTooHigh:prod') });
  });

  it('keeps a plausible event region', () => {
    const event = sample('state-change-single-metric.json');
    event.region = 'eusc-de-east-1';
    event.resources = [];
    expect(normalize(event)).toMatchObject({
      region: 'eusc-de-east-1',
      dedupKey: `arn:aws-eusc:cloudwatch:eusc-de-east-1:${ACCOUNT}:alarm:ServerCpuTooHigh`,
    });
  });
});

describe('tolerance of real-world variations', () => {
  it('needs no configuration, previousState, reason, reasonData, description or muteDetail', () => {
    const event = sample('state-change-single-metric.json');
    const detail = detailOf(event);
    for (const key of ['configuration', 'previousState', 'muteDetail']) delete detail[key];
    const state = detail.state as JsonObject;
    delete state.reason;
    delete state.reasonData;
    const alert = normalize(event);
    expect(pick(alert, ['summary', 'description', 'labels', 'annotations', 'previousStatus', 'muted'])).toEqual({
      summary: 'ServerCpuTooHigh is ALARM',
      description: '',
      labels: {},
      annotations: {},
      previousStatus: null,
      muted: null,
    });
  });

  it('observes at the event time when the state has no timestamp', () => {
    const event = sample('state-change-single-metric.json');
    delete (detailOf(event).state as JsonObject).timestamp;
    expect(pick(normalize(event), ['observedAt', 'startsAt'])).toEqual({
      observedAt: '2019-10-02T17:04:40.000Z',
      startsAt: '2019-10-02T17:04:40.000Z',
    });
  });

  it('leaves out a dimension the metrics disagree on', () => {
    const event = sample('state-change-metric-math.json');
    const metrics = (detailOf(event).configuration as JsonObject).metrics as JsonObject[];
    const second = metrics[2]!.metricStat as { metric: { dimensions: JsonObject } };
    second.metric.dimensions = { InstanceId: 'i-00000000000000000', AutoScalingGroupName: 'web' };
    expect(normalize(event).labels).toEqual({ AutoScalingGroupName: 'web' });
  });

  it('keeps numbers and booleans of contributor attributes as strings', () => {
    const event = sample('contributor-state-change.json');
    (detailOf(event).alarmContributor as JsonObject).attributes = { Port: 443, Public: true };
    expect(normalize(event).labels).toEqual({ Port: '443', Public: 'true', contributorId: '6d442278dba546f6' });
  });

  it('names a contributor without attributes by its id', () => {
    const event = sample('contributor-state-change.json');
    delete (detailOf(event).alarmContributor as JsonObject).attributes;
    expect(normalize(event).summary).toMatch(/^DynamoDBInsightsAlarm \[contributor 6d442278dba546f6\] is ALARM/);
  });

  it('cuts a long or multi-line reason to one summary line of at most 1024 characters', () => {
    const event = sample('state-change-single-metric.json');
    (detailOf(event).state as JsonObject).reason = `first line\nsecond line ${'x'.repeat(3000)}`;
    const alert = normalize(event);
    expect(alert.summary).toHaveLength(1024);
    expect(alert.summary).toMatch(/^ServerCpuTooHigh is ALARM: first line second line x+…$/);
    expect(alert.description).toContain('first line\nsecond line');
  });

  it('encodes a non-ASCII alarm name in the console link', () => {
    const alert = normalize(sample('state-change-non-ascii-minimal.json'));
    expect(alert.links[0]!.url).toMatch(/#alarmsV2:alarm\/%C3%9Cberlast%20CPU%20%E6%9D%B1%E4%BA%AC$/);
  });

  describe('the mute window [start, end)', () => {
    function mutedAt(timestamp: string, window: JsonObject): Alert['muted'] {
      const event = sample('state-change-muted.json');
      (detailOf(event).state as JsonObject).timestamp = timestamp;
      detailOf(event).muteDetail = { mutedByArn: 'arn:aws:cloudwatch:us-west-2:123456789012:alarm-mute-rule:m', ...window };
      return normalize(event).muted;
    }
    const window = { muteWindowStart: '2026-01-01T10:00:00.000+0000', muteWindowEnd: '2026-01-01T12:00:00Z' };

    it.each([
      ['at its start', '2026-01-01T10:00:00.000+0000', true],
      ['inside, in another zone', '2026-01-01T12:59:59.999+02:00', true],
      ['at its end', '2026-01-01T12:00:00.000+0000', false],
      ['before it', '2026-01-01T09:59:59.999Z', false],
    ])('%s', (_, timestamp, active) => {
      expect(mutedAt(timestamp, window)?.active).toBe(active);
    });

    it('is never active with a missing bound', () => {
      expect(mutedAt('2026-01-01T11:00:00Z', { muteWindowStart: window.muteWindowStart })).toEqual({
        by: 'arn:aws:cloudwatch:us-west-2:123456789012:alarm-mute-rule:m',
        startsAt: '2026-01-01T10:00:00.000Z',
        endsAt: null,
        active: false,
      });
    });
  });
});

type Refusal =
  | { field: string; problem: RegExp }
  | { unsupported: string };

/** Every refused sample: the field the error must name and what it must say. */
const REFUSALS: Record<string, Refusal> = {
  'account-missing-without-arn.json': {
    field: 'account',
    problem: /^is missing and there is no readable CloudWatch alarm ARN to take it from$/,
  },
  'alarm-name-empty.json': { field: 'detail.alarmName', problem: /^is empty$/ },
  'alarm-name-missing.json': { field: 'detail.alarmName', problem: /^is missing$/ },
  'alarm-name-number.json': { field: 'detail.alarmName', problem: /^expected a string, got number$/ },
  'configuration-string.json': { field: 'detail.configuration', problem: /^expected an object, got string$/ },
  'contributor-attribute-nested.json': {
    field: 'detail.alarmContributor.attributes.TableName',
    problem: /^expected a string, got object$/,
  },
  'contributor-id-missing.json': { field: 'detail.alarmContributor.id', problem: /^is missing$/ },
  'contributor-missing.json': { field: 'detail.alarmContributor', problem: /^is missing$/ },
  'detail-missing.json': { field: 'detail', problem: /^is missing$/ },
  'detail-null.json': { field: 'detail', problem: /^expected an object, got null$/ },
  'detail-type-unknown.json': { unsupported: 'CloudWatch Alarm Deleted' },
  'dimension-array.json': {
    field: 'detail.configuration.metrics[0].metricStat.metric.dimensions.InstanceId',
    problem: /^expected a string, got array$/,
  },
  'event-array.json': { field: '(event)', problem: /^expected an object, got array$/ },
  'id-missing.json': { field: 'id', problem: /^is missing$/ },
  'metric-stat-without-metric.json': { field: 'detail.configuration.metrics[1].metricStat.metric', problem: /^is missing$/ },
  'metrics-not-array.json': { field: 'detail.configuration.metrics', problem: /^expected an array, got object$/ },
  'mute-rule-missing.json': { field: 'detail.muteDetail.mutedByArn', problem: /^is missing$/ },
  'operation-missing.json': { field: 'detail.operation', problem: /^is missing$/ },
  'operation-unknown.json': {
    field: 'detail.operation',
    problem: /^unknown value "rename" \(expected one of create, update, delete\)$/,
  },
  'previous-state-value-unknown.json': {
    field: 'detail.previousState.value',
    problem: /^unknown value "ALARMING" \(expected one of ALARM, OK, INSUFFICIENT_DATA\)$/,
  },
  'region-unusable-without-arn.json': {
    field: 'region',
    problem: /^"us-east-\*" is not a region and there is no readable CloudWatch alarm ARN to take it from$/,
  },
  'resources-item-not-string.json': { field: 'resources[0]', problem: /^expected a string, got object$/ },
  'resources-not-array.json': { field: 'resources', problem: /^expected an array, got string$/ },
  'source-wrong.json': { unsupported: 'source "aws.ec2"' },
  'state-null.json': { field: 'detail.state', problem: /^expected an object, got null$/ },
  'state-reason-number.json': { field: 'detail.state.reason', problem: /^expected a string, got number$/ },
  'state-value-lowercase.json': { field: 'detail.state.value', problem: /^unknown value "alarm"/ },
  'state-value-missing.json': { field: 'detail.state.value', problem: /^is missing$/ },
  'state-value-unknown.json': {
    field: 'detail.state.value',
    problem: /^unknown value "BROKEN" \(expected one of ALARM, OK, INSUFFICIENT_DATA\)$/,
  },
};

describe('the refused samples of events/invalid/aws', () => {
  it('has an expected refusal for every sample and a sample for every refusal', () => {
    expect([...INVALID_SAMPLES.keys()]).toEqual(Object.keys(REFUSALS).sort());
  });

  it.each([...INVALID_SAMPLES.keys()])('%s', (file) => {
    const error = refusal(INVALID_SAMPLES.get(file));
    const expected = REFUSALS[file]!;
    if ('unsupported' in expected) {
      expect(error).toBeInstanceOf(UnsupportedEventError);
      expect((error as UnsupportedEventError).eventType).toBe(expected.unsupported);
      expect(error.message).toBe(
        `unsupported event: got ${expected.unsupported}, this handler takes ${
          file === 'source-wrong.json' ? `source "${CLOUDWATCH_SOURCE}"` : CLOUDWATCH_DETAIL_TYPES.join(' | ')
        }`,
      );
    } else {
      expect(error).toBeInstanceOf(InvalidEventError);
      const invalid = error as InvalidEventError;
      expect(invalid.field).toBe(expected.field);
      expect(invalid.problem).toMatch(expected.problem);
      expect(invalid.message).toBe(`invalid event: ${expected.field}: ${invalid.problem}`);
    }
  });
});

describe('mutations of valid samples', () => {
  type Path = Array<string | number>;
  const MUTATIONS: Record<string, (value: Json) => Json | undefined> = {
    delete: () => undefined,
    null: () => null,
    number: () => 7,
    boolean: () => true,
    'empty string': () => '',
    string: () => 'x',
    array: (value) => (Array.isArray(value) ? [] : [value]),
    object: () => ({}),
  };
  const CHOSEN_STRINGS = [
    '  ',
    'ALARM',
    'OK',
    'update',
    'us-east-*',
    '2019-10-02T17:04:40Z',
    '2019-13-01T00:00:00Z',
    alarmArn('Other'),
    'arn:aws:cloudwatch:us-east-*:123456789012:alarm:X',
    '\u0000',
    'é'.repeat(2000),
  ];

  /** Every path into a JSON value; the root is []. */
  function pathsOf(value: Json, prefix: Path = []): Path[] {
    const children: Array<[string | number, Json]> = Array.isArray(value)
      ? value.map((item, i) => [i, item])
      : typeof value === 'object' && value !== null
        ? Object.entries(value)
        : [];
    return [prefix, ...children.flatMap(([key, child]) => pathsOf(child, [...prefix, key]))];
  }

  /** The path as fields.ts names it: detail.state.value, resources[0], (event). */
  function fieldName(path: Path): string {
    if (path.length === 0) return '(event)';
    return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${key}` : key), '');
  }

  function get(root: Json, path: Path): Json {
    return path.reduce<Json>((value, key) => (value as Record<string | number, Json>)[key]!, root);
  }

  /** A copy of root with the value at path replaced (undefined deletes it). */
  function withValue(root: Json, path: Path, value: Json | undefined): Json | undefined {
    if (path.length === 0) return value;
    const copy = structuredClone(root);
    const parent = get(copy, path.slice(0, -1)) as Record<string | number, Json>;
    const key = path[path.length - 1]!;
    if (value !== undefined) parent[key] = value;
    else if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key];
    return copy;
  }

  /** Either an alert that validates, or a typed refusal: nothing else may come out. */
  function outcome(raw: unknown): Alert | InvalidEventError | UnsupportedEventError {
    let alert: Alert;
    try {
      alert = normalizeCloudWatchEvent(raw);
    } catch (error) {
      if (error instanceof InvalidEventError || error instanceof UnsupportedEventError) return error;
      throw error;
    }
    alertSchema.parse(alert);
    return alert;
  }

  it('every single mutation is accepted as a valid alert or refused naming the changed field', () => {
    const counts = { accepted: 0, refused: 0 };
    const wrong: string[] = [];
    for (const [file, raw] of SAMPLES) {
      for (const path of pathsOf(raw)) {
        for (const [name, mutation] of Object.entries(MUTATIONS)) {
          const field = fieldName(path);
          const result = outcome(withValue(raw, path, mutation(get(raw, path))));
          if (!(result instanceof Error)) counts.accepted += 1;
          else {
            counts.refused += 1;
            if (!namesTheChange(result, field)) wrong.push(`${file} ${field} ${name}: ${result.message}`);
          }
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(counts.accepted).toBeGreaterThan(100);
    expect(counts.refused).toBeGreaterThan(100);
  });

  /**
   * A refusal names the changed field or a field inside it. The exceptions are by design:
   * without the alarm ARN in resources, the region and account are what is lacking.
   */
  function namesTheChange(error: InvalidEventError | UnsupportedEventError, field: string): boolean {
    if (error instanceof UnsupportedEventError) return ['source', 'detail-type'].includes(field);
    if (field === '(event)') return true;
    if (field.startsWith('resources') && ['region', 'account'].includes(error.field)) return true;
    return error.field === field || error.field.startsWith(`${field}.`) || error.field.startsWith(`${field}[`);
  }

  it('random combinations of mutations never throw anything but a typed refusal', () => {
    // A small seeded generator (mulberry32) keeps the run repeatable and bounded.
    let seed = 0x5eed;
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const choose = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const mutations = [...Object.values(MUTATIONS), () => choose(CHOSEN_STRINGS)];
    const files = [...SAMPLES.values()];
    const counts = { accepted: 0, refused: 0 };
    for (let round = 0; round < 3000; round += 1) {
      let raw: Json | undefined = choose(files);
      for (let n = 1 + Math.floor(random() * 4); n > 0 && raw !== undefined; n -= 1) {
        const path = choose(pathsOf(raw).slice(1));
        if (path === undefined) break;
        raw = withValue(raw, path, choose(mutations)(get(raw, path)));
      }
      if (outcome(raw) instanceof Error) counts.refused += 1;
      else counts.accepted += 1;
    }
    expect(counts.accepted).toBeGreaterThan(100);
    expect(counts.refused).toBeGreaterThan(100);
  });
});

describe('the field readers the normalizer relies on', () => {
  it.each([
    ['2019-10-01T13:56:40.985+0000', '2019-10-01T13:56:40.985Z'],
    ['2019-10-02T17:04:40Z', '2019-10-02T17:04:40.000Z'],
    ['2024-05-06T07:08:09.123456789+00:00', '2024-05-06T07:08:09.123Z'],
    ['2024-05-06T07:08:09.999999999Z', '2024-05-06T07:08:09.999Z'],
    ['2024-05-06T16:08:09.5+09:00', '2024-05-06T07:08:09.500Z'],
    ['2024-01-01T00:30:00-0100', '2024-01-01T01:30:00.000Z'],
  ])('toUtc(%s) is %s', (value, utc) => {
    expect(toUtc(value)).toBe(utc);
  });

  it.each([
    ['a day that does not exist', '2019-02-30T17:04:40.989+0000'],
    ['hour 24', '2019-10-02T24:00:00Z'],
    ['no zone', '2019-10-02T17:04:40'],
    ['day-first', '02/10/19 16:59:00'],
    ['nothing', ''],
  ])('toUtc takes %s as unknown (null)', (_what, value) => {
    expect(toUtc(value)).toBeNull();
  });

  it('treats an empty optional string as absent but refuses an empty or blank required one', () => {
    expect(optionalString({ reason: '' }, 'reason', 'detail.state')).toBeNull();
    expect(() => requiredString({ alarmName: '  ' }, 'alarmName', 'detail')).toThrow('invalid event: detail.alarmName: is empty');
  });

  it('refuses inherited names as state values', () => {
    const states = { ALARM: 'firing' } as const;
    expect(() => oneOf('toString', states, 'detail.state.value')).toThrow(InvalidEventError);
    expect(oneOf('ALARM', states, 'detail.state.value')).toBe('firing');
  });

  it('drops null labels and names the nested one it refuses', () => {
    expect(stringMap({ d: { a: 'x', b: null, c: 1 } }, 'd', 'm')).toEqual({ a: 'x', c: '1' });
    expect(() => stringMap({ d: { a: [] } }, 'd', 'm')).toThrow('invalid event: m.d.a: expected a string, got array');
  });
});
