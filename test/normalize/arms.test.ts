import { alertSchema, type Alert } from '../../shared/model/alert';
import { InvalidEventError, UnsupportedEventError } from '../../shared/model/errors';
import {
  ARMS_DEFAULT_SEVERITY,
  ARMS_EVENT_TYPES,
  ARMS_RESOURCE_LABELS,
  normalizeArmsEvent,
} from '../../shared/normalize/arms';
import {
  INVALID_DIR,
  VALID_DIR,
  allValidEvents,
  batchElement,
  group,
  jsonFiles,
  readJson,
  sample,
  type RawEvent,
} from './arms-samples';

const CREATE = 'arms-alarm-create.json';
const CLAIM = 'arms-alarm-claim.json';
const COMMENT = 'arms-alarm-comment.json';
const CLOSE = 'arms-alarm-close.json';
const GROUP = 'arms-group-three-members.json';
const CHINESE = 'arms-chinese-p1.json';
const NO_LEVEL = 'arms-no-level-severity-label.json';
const EXTRA = 'arms-extra-fields-empty-strings.json';
const BATCH = 'arms-batch.json';
const CLOSE_SOLUTION = 'arms-close-with-solution.json';

const STATUS_BY_TYPE: Record<string, Alert['status']> = {
  'aliyun:arms:alarm:create': 'firing',
  'aliyun:arms:alarm:claim': 'acknowledged',
  'aliyun:arms:alarm:comment': 'commented',
  'aliyun:arms:alarm:close': 'resolved',
};

function normalized(event: RawEvent): Alert {
  return alertSchema.parse(normalizeArmsEvent(event));
}

function normalizeFile(file: string): Alert {
  return normalized(sample(file));
}

/** The error normalizeArmsEvent throws for `event`; fails the test if it returns. */
function refusal(event: unknown): unknown {
  try {
    normalizeArmsEvent(event);
  } catch (error) {
    return error;
  }
  throw new Error('expected the event to be refused');
}

describe('ARMS_EVENT_TYPES', () => {
  it('lists the four lifecycle event types of ARMS Alert Management', () => {
    expect([...ARMS_EVENT_TYPES].sort()).toEqual(Object.keys(STATUS_BY_TYPE).sort());
  });
});

describe('every sample event of events/alibaba', () => {
  const samples = allValidEvents();

  it('includes the four lifecycle events and a batch', () => {
    const labels = samples.map((s) => s.label);
    expect(labels).toEqual(expect.arrayContaining([CREATE, CLAIM, COMMENT, CLOSE, `${BATCH}[0]`, `${BATCH}[1]`]));
  });

  it('has a unique event id', () => {
    const ids = samples.map((s) => s.event.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each(samples)('$label normalizes to a valid alert of its event', ({ event }) => {
    const alert = normalized(event);
    expect(alert).toMatchObject({
      schemaVersion: '1',
      id: event.id,
      cloud: 'alibaba',
      provider: 'alibaba.arms',
      kind: 'lifecycle',
      status: STATUS_BY_TYPE[event.type as string],
      previousStatus: null,
      muted: null,
      dedupKey: `alibaba.arms:${event.subject as string}`,
      source: { id: event.id, type: event.type, source: event.source },
    });
    expect(alert.links[0]).toEqual({ title: 'ARMS console', url: event.subject });
    expect(alert.alerts.map((m) => m.fingerprint)).toEqual(
      (group(event).alerts as RawEvent[]).map((m) => m.fingerprint),
    );
  });
});

describe('the create example of the ARMS documentation', () => {
  it('maps every field', () => {
    expect(normalizeFile(CREATE)).toEqual({
      schemaVersion: '1',
      id: 'd997f8c775d4d15b05f3346d5863fdc6******_create',
      dedupKey: 'alibaba.arms:https://arms.console.aliyun.com/#/alarm/alert/detail/12345',
      cloud: 'alibaba',
      provider: 'alibaba.arms',
      kind: 'lifecycle',
      status: 'firing',
      previousStatus: null,
      severity: 'error',
      sourceSeverity: 'P2',
      name: 'Manually triggered alert',
      summary: 'Manually triggered test alert',
      description: 'Manually triggered test alert',
      account: '11xxxxxxxxxxx',
      region: 'cn-hangzhou',
      resources: [],
      labels: {
        severity: 'error',
        regionId: 'cn-hangzhou',
        _aliyun_arms_denoise_code: '0',
        _aliyun_arms_integration_name: 'Custom integration',
        alertname: 'Manually triggered alert',
        _aliyun_arms_product_type: 'CUSTOM',
        _aliyun_arms_userid: '11xxxxxxxxxxx',
        _aliyun_arms_integration_id: '616',
        _aliyun_arms_is_denoise_filtered: 'false',
      },
      annotations: { message: 'Manually triggered test alert', dispatchRule: 'O & M team' },
      alerts: [
        {
          fingerprint: '9b115ab3762a47b51a8efcb516d4aa50',
          status: 'firing',
          labels: {
            severity: 'error',
            regionId: 'cn-hangzhou',
            _aliyun_arms_denoise_code: '0',
            _aliyun_arms_integration_name: 'Custom integration',
            alertname: 'Manually triggered alert',
            _aliyun_arms_product_type: 'CUSTOM',
            _aliyun_arms_userid: '11xxxxxxxxxxx',
            _aliyun_arms_integration_id: '616',
            _aliyun_arms_is_denoise_filtered: 'false',
          },
          annotations: { message: 'Manually triggered test alert' },
          startsAt: '2022-06-07T09:22:01.645Z',
          endsAt: '2022-06-07T09:27:39.099Z',
        },
      ],
      // "2022-06-07 17:22:01" is China time (UTC+8).
      startsAt: '2022-06-07T09:22:01.000Z',
      endsAt: null,
      observedAt: '2022-06-07T09:23:03.951Z',
      actor: { owner: 'xx', handler: null, operator: null },
      comment: null,
      solution: null,
      muted: null,
      links: [{ title: 'ARMS console', url: 'https://arms.console.aliyun.com/#/alarm/alert/detail/12345' }],
      source: {
        id: 'd997f8c775d4d15b05f3346d5863fdc6******_create',
        type: 'aliyun:arms:alarm:create',
        source: 'arms',
        bus: 'armstest',
        time: '2022-06-07T09:23:04.003Z',
        timeText: '2022-06-07T09:23:04.003Z',
      },
    });
  });
});

describe('lifecycle', () => {
  it.each([
    [CREATE, 'firing'],
    [CLAIM, 'acknowledged'],
    [COMMENT, 'commented'],
    [CLOSE, 'resolved'],
  ])('%s has status %s, whatever data.data.status says', (file, status) => {
    expect(normalizeFile(file).status).toBe(status);
  });

  it('a claim of a resolved group is still an acknowledgement', () => {
    const event = sample(COMMENT);
    event.type = 'aliyun:arms:alarm:claim';
    expect(group(event).status).toBe('resolved');
    expect(normalized(event).status).toBe('acknowledged');
  });

  it('gives the four events of one alert one dedupKey, and another alert another', () => {
    const lifecycle = [CREATE, CLAIM, COMMENT, CLOSE].map((file) => normalizeFile(file).dedupKey);
    expect(new Set(lifecycle).size).toBe(1);

    const other = [normalizeFile(GROUP), normalized(batchElement(BATCH, 0)), normalized(batchElement(BATCH, 1)), normalizeFile(CLOSE_SOLUTION)];
    expect(new Set(other.map((a) => a.dedupKey)).size).toBe(1);
    expect(other[0]!.dedupKey).not.toBe(lifecycle[0]);
    expect(other.map((a) => a.status)).toEqual(['firing', 'commented', 'commented', 'resolved']);
  });

  it('gives alerts with different subjects different dedupKeys', () => {
    const samples = allValidEvents();
    const keyBySubject = new Map<unknown, string>();
    for (const { event } of samples) keyBySubject.set(event.subject, normalized(event).dedupKey);
    expect(new Set(keyBySubject.values()).size).toBe(keyBySubject.size);
    expect(keyBySubject.size).toBeGreaterThanOrEqual(5);
  });
});

describe('actor, comment and solution', () => {
  it('the create event has an owner only', () => {
    const alert = normalizeFile(CREATE);
    expect(alert.actor).toEqual({ owner: 'xx', handler: null, operator: null });
    expect(alert.comment).toBeNull();
    expect(alert.solution).toBeNull();
  });

  it('the claim event has handler and operator', () => {
    expect(normalizeFile(CLAIM).actor).toEqual({ owner: 'xx', handler: 'xx', operator: 'xx' });
  });

  it('the comment event carries the comment, also in the description', () => {
    const alert = normalizeFile(COMMENT);
    expect(alert.comment).toBe('Solution: False positive');
    expect(alert.description).toBe('Manually triggered test alert\nComment: Solution: False positive');
  });

  it('an empty solution is null', () => {
    const alert = normalizeFile(CLOSE);
    expect(alert.solution).toBeNull();
    expect(alert.description).not.toContain('Solution:');
  });

  it('a close with a solution carries it, also in the description', () => {
    const alert = normalizeFile(CLOSE_SOLUTION);
    expect(alert.solution).toBe('Rolled back to v1.8.2; crash fixed in v1.8.4');
    expect(alert.description.split('\n').at(-1)).toBe('Solution: Rolled back to v1.8.2; crash fixed in v1.8.4');
    expect(alert.actor).toEqual({ owner: 'ops-oncall', handler: '李四', operator: '王五' });
  });

  it('empty handler, operator and comment are null', () => {
    const alert = normalizeFile(EXTRA);
    expect(alert.actor).toEqual({ owner: 'xx', handler: null, operator: null });
    expect(alert.comment).toBeNull();
  });
});

describe('severity', () => {
  it.each([
    ['P1', 'critical'],
    ['P2', 'error'],
    ['P3', 'warning'],
    ['P4', 'info'],
    ['p1', 'critical'],
    [' P4 ', 'info'],
  ])('level %j is %s, whatever the severity label says', (level, severity) => {
    const event = sample(CREATE);
    group(event).level = level;
    const alert = normalized(event);
    expect(alert.severity).toBe(severity);
    expect(alert.sourceSeverity).toBe(level);
  });

  it.each([
    ['critical', 'critical'],
    ['page', 'critical'],
    ['error', 'error'],
    ['warning', 'warning'],
    ['warn', 'warning'],
    ['info', 'info'],
    ['WARNING', 'warning'],
  ])('without a level, the severity label %j is %s', (label, severity) => {
    const event = sample(CREATE);
    delete group(event).level;
    (group(event).commonLabels as RawEvent).severity = label;
    const alert = normalized(event);
    expect(alert.severity).toBe(severity);
    expect(alert.sourceSeverity).toBeNull();
  });

  it('an unknown level falls back to the severity label and is kept as sourceSeverity', () => {
    const event = sample(CREATE);
    group(event).level = 'P6';
    (group(event).commonLabels as RawEvent).severity = 'warning';
    const alert = normalized(event);
    expect(alert.severity).toBe('warning');
    expect(alert.sourceSeverity).toBe('P6');
  });

  it.each([
    ['an unknown level and label', 'P0', 'disaster'],
    ['no level and no label', undefined, undefined],
    ['names of object members', 'constructor', '__proto__'],
    ['other names of object members', '__proto__', 'constructor'],
  ])('%s give ARMS_DEFAULT_SEVERITY', (_case, level, label) => {
    const event = sample(CREATE);
    group(event).level = level;
    (group(event).commonLabels as RawEvent).severity = label;
    expect(normalized(event).severity).toBe(ARMS_DEFAULT_SEVERITY);
  });

  it.each([
    [CREATE, 'error', 'P2'],
    [CHINESE, 'critical', 'P1'],
    [GROUP, 'warning', 'P3'],
    [NO_LEVEL, 'warning', null],
    [EXTRA, 'error', null],
  ])('%s is %s (level %s)', (file, severity, level) => {
    const alert = normalizeFile(file);
    expect(alert.severity).toBe(severity);
    expect(alert.sourceSeverity).toBe(level);
  });
});

describe('times', () => {
  it('reads startTime and endTime as China time (UTC+8)', () => {
    const alert = normalizeFile(COMMENT);
    expect(alert.startsAt).toBe('2022-06-07T09:20:44.000Z');
    expect(alert.endsAt).toBe('2022-06-07T09:22:00.000Z');
  });

  it('an empty endTime is null', () => {
    expect(normalizeFile(EXTRA).endsAt).toBeNull();
  });

  it('observedAt is data.timestamp, else aliyunpublishtime, else null', () => {
    const event = sample(CLAIM);
    expect(normalized(event).observedAt).toBe('2022-06-07T09:21:57.195Z');
    delete (event.data as RawEvent).timestamp;
    expect(normalized(event).observedAt).toBe('2022-06-07T09:21:57.362Z');
    delete event.aliyunpublishtime;
    expect(normalized(event).observedAt).toBeNull();
  });

  it('takes a timestamp outside the years 0000-9999 as unknown, never as an instant', () => {
    const event = sample(CLAIM);
    (event.data as RawEvent).timestamp = 1e300;
    expect(normalized(event).observedAt).toBe('2022-06-07T09:21:57.362Z');
    event.aliyunpublishtime = '9999-12-31T23:59:59-01:00';
    expect(normalized(event).observedAt).toBeNull();
    expect(normalized(event).source).toMatchObject({ time: null, timeText: '9999-12-31T23:59:59-01:00' });
  });

  it.each([
    ['the PRC suffix of Alibaba EventBridge docs', '2020-11-19T21:04:42.179PRC', '2020-11-19T13:04:42.179Z'],
    ['an Asia/Shanghai suffix', '2020-08-24T13:54:05.965Asia/Shanghai', '2020-08-24T05:54:05.965Z'],
    ['a zone name it does not know, kept as text', '2020-08-24T13:54:05.965Mars/Olympus', null],
    ['a day-first date, kept as text', '07/06/2022 09:23:04', null],
  ])('reads an envelope time with %s', (_what, text, utc) => {
    const event = sample(CLAIM);
    event.aliyunpublishtime = text;
    delete (event.data as RawEvent).timestamp;
    const alert = normalized(event);
    expect(alert.source).toMatchObject({ time: utc, timeText: text });
    expect(alert.observedAt).toBe(utc);
  });

  it.each([
    ['epoch milliseconds', 1654593721000, '2022-06-07T09:22:01.000Z'],
    ['epoch milliseconds as text', '1654593721000', '2022-06-07T09:22:01.000Z'],
    ['a day that does not exist', '2022-06-31 17:22:01', null],
    ['RFC 3339 with a zone', '2022-06-07T17:22:01+08:00', '2022-06-07T09:22:01.000Z'],
  ])('reads a startTime given as %s', (_what, value, utc) => {
    const event = sample(CREATE);
    group(event).startTime = value;
    group(event).alerts = [];
    expect(normalized(event).startsAt).toBe(utc);
  });

  it('starts when the earliest member started when startTime is missing (as Alertmanager)', () => {
    const event = sample(GROUP);
    delete group(event).startTime;
    expect(normalized(event).startsAt).toBe('2024-03-15T05:58:00.000Z');
  });

  it('ends a close without endTime when its last member ended, once every member is resolved', () => {
    const event = sample(CLOSE);
    delete group(event).endTime;
    const members = group(event).alerts as RawEvent[];
    members.forEach((member, i) => {
      member.status = 'resolved';
      member.endsAt = `2022-06-07T09:3${i}:00Z`;
    });
    expect(normalized(event).endsAt).toBe(`2022-06-07T09:3${members.length - 1}:00.000Z`);
    members[0]!.status = 'firing';
    expect(normalized(event).endsAt).toBeNull();
  });

  it('takes a data.timestamp given as text of digits as epoch milliseconds', () => {
    const event = sample(CLAIM);
    (event.data as RawEvent).timestamp = '1654593717195';
    expect(normalized(event).observedAt).toBe('2022-06-07T09:21:57.195Z');
  });

  it('takes a member time without a zone as unknown rather than guess one', () => {
    const event = sample(CREATE);
    (group(event).alerts as RawEvent[])[0]!.startsAt = '2022-06-07 09:22:01';
    expect(normalized(event).alerts[0]!.startsAt).toBeNull();
  });

  it('member times keep milliseconds of nanosecond fractions, and Go zero time is null', () => {
    const [first, second, third] = normalizeFile(GROUP).alerts;
    expect(first).toMatchObject({ startsAt: '2024-03-15T06:00:12.123Z', endsAt: null });
    expect(second).toMatchObject({ startsAt: '2024-03-15T06:01:40.500Z', endsAt: null });
    expect(third).toMatchObject({ startsAt: '2024-03-15T05:58:00.000Z', endsAt: '2024-03-15T06:03:30.250Z' });
  });

  it('a member time with another zone is converted to UTC', () => {
    const event = sample(CREATE);
    (group(event).alerts as RawEvent[])[0]!.startsAt = '2022-06-07T17:22:01.645+08:00';
    expect(normalized(event).alerts[0]!.startsAt).toBe('2022-06-07T09:22:01.645Z');
  });

  it('an empty aliyunpublishtime gives a null source time', () => {
    expect(normalizeFile(EXTRA).source.time).toBeNull();
  });
});

describe('members of a group', () => {
  it('keeps every member with its fingerprint, status, labels and annotations', () => {
    const alert = normalizeFile(GROUP);
    expect(alert.alerts).toHaveLength(3);
    expect(new Set(alert.alerts.map((m) => m.fingerprint)).size).toBe(3);
    expect(alert.alerts.map((m) => m.status)).toEqual(['firing', 'firing', 'resolved']);
    expect(alert.alerts.map((m) => m.labels.pod)).toEqual([
      'order-service-7d9f-abcde',
      'order-service-7d9f-fghij',
      'order-service-7d9f-klmno',
    ]);
  });

  it('describes the group with the message of each member', () => {
    const alert = normalizeFile(GROUP);
    expect(alert.summary).toBe('Pods of order-service are crash looping');
    expect(alert.description.split('\n')).toEqual([
      'Pod order-service-7d9f-abcde restarted 5 times in 10 minutes',
      'Pod order-service-7d9f-fghij restarted 4 times in 10 minutes',
      'Pod order-service-7d9f-klmno restarted 3 times in 10 minutes',
    ]);
  });

  it('an event without alerts has no members', () => {
    const event = sample(CREATE);
    delete group(event).alerts;
    const alert = normalized(event);
    expect(alert.alerts).toEqual([]);
    expect(alert.description).toBe('Manually triggered test alert');
  });
});

describe('names and texts', () => {
  it('keeps Chinese names and messages', () => {
    const alert = normalizeFile(CHINESE);
    expect(alert.name).toBe('CPU使用率过高');
    expect(alert.summary).toBe('主机192.168.0.3 CPU使用率85%,超过阈值80%');
    expect(alert.labels.hostname).toBe('线上生产主机');
    expect(alert.annotations.dispatchRule).toBe('运维团队');
    expect(alert.actor?.owner).toBe('张三');
  });

  it('takes the name from commonLabels, then groupLabels, then the first member', () => {
    const event = sample(GROUP);
    (group(event).commonLabels as RawEvent).alertname = 'FromCommon';
    (group(event).groupLabels as RawEvent).alertname = 'FromGroup';
    expect(normalized(event).name).toBe('FromCommon');
    delete (group(event).commonLabels as RawEvent).alertname;
    expect(normalized(event).name).toBe('FromGroup');
    delete (group(event).groupLabels as RawEvent).alertname;
    expect(normalized(event).name).toBe('PodCrashLooping');
  });

  it('an empty common message gives the name as summary', () => {
    const alert = normalizeFile(EXTRA);
    expect(alert.summary).toBe('CheckoutErrorRate');
    expect(alert.description).toBe('Error rate of checkout is 7%');
  });

  it('makes the summary one line of at most 1024 characters', () => {
    const event = sample(CREATE);
    const long = `first line\n${'x'.repeat(3000)}`;
    (group(event).commonAnnotations as RawEvent).message = long;
    const alert = normalized(event);
    expect(alert.summary).toHaveLength(1024);
    expect(alert.summary.startsWith('first line x')).toBe(true);
    expect(alert.summary).not.toContain('\n');
  });
});

describe('labels, annotations, resources, account, region and links', () => {
  it('keeps numbers and booleans of labels as strings', () => {
    const alert = normalizeFile(EXTRA);
    expect(alert.labels).toMatchObject({
      retries: '3',
      canary: 'true',
      _aliyun_arms_is_denoise_filtered: 'false',
      _aliyun_arms_integration_id: '616',
    });
    expect(alert.alerts[0]!.labels.retries).toBe('3');
  });

  it('adds dispatchRule and receiver to the annotations when they are set', () => {
    expect(normalizeFile(GROUP).annotations).toEqual({
      summary: 'Pods of order-service are crash looping',
      dispatchRule: 'Container team',
      receiver: 'container-team',
    });
    expect(normalizeFile(EXTRA).annotations).toEqual({ message: '' });
  });

  it.each([
    [CREATE, []],
    [GROUP, ['c8f2e1d0a9b7c6d5e4f3a2b1c0d9e8f7a']],
    [CHINESE, ['i-2ze0abcdefghijklmnop']],
    [NO_LEVEL, ['i-bp1disk0000example']],
  ])('%s names the resources %j', (file, resources) => {
    expect(normalizeFile(file).resources).toEqual(resources);
  });

  it('lists each resource label once, in the documented order', () => {
    const event = sample(CREATE);
    const labels = group(event).commonLabels as RawEvent;
    for (const key of [...ARMS_RESOURCE_LABELS].reverse()) labels[key] = `${key}-1`;
    labels.instanceId = labels.resourceId;
    expect(normalized(event).resources).toEqual(
      ARMS_RESOURCE_LABELS.filter((key) => key !== 'instanceId').map((key) => `${key}-1`),
    );
  });

  it('region is the regionId label, else the bus region; account is aliyunaccountid', () => {
    expect(normalizeFile(GROUP)).toMatchObject({ region: 'cn-shanghai', account: '12xxxxxxxxxxx' });
    expect(normalizeFile(EXTRA).region).toBe('cn-hangzhou');
  });

  it('links the externalURL too when it differs from the subject', () => {
    const event = sample(CREATE);
    group(event).externalURL = 'https://arms.console.aliyun.com/#/alarm/alert/detail/12345?tab=events';
    expect(normalized(event).links).toEqual([
      { title: 'ARMS console', url: 'https://arms.console.aliyun.com/#/alarm/alert/detail/12345' },
      { title: 'ARMS alert details', url: 'https://arms.console.aliyun.com/#/alarm/alert/detail/12345?tab=events' },
    ]);
    expect(normalizeFile(EXTRA).links).toHaveLength(1);
  });

  it('takes any source name and tolerates an empty bus name', () => {
    const alert = normalizeFile(EXTRA);
    expect(alert.source).toMatchObject({ source: 'acs.arms', bus: null });
    expect(normalizeFile(GROUP).source).toMatchObject({ source: 'arms-prod', bus: 'alerts-bus' });
  });
});

/**
 * Every file of events/invalid/alibaba and the field its refusal names; `unsupported` for an
 * event type this normalizer does not take.
 */
const INVALID: Record<string, string> = {
  'arms-alertname-missing.json': 'data.data.commonLabels.alertname',
  'arms-alerts-not-an-array.json': 'data.data.alerts',
  'arms-common-label-nested-object.json': 'data.data.commonLabels.regionId',
  'arms-data-data-missing.json': 'data.data',
  'arms-data-is-a-string.json': 'data',
  'arms-data-null.json': 'data',
  'arms-id-missing.json': 'id',
  'arms-level-number.json': 'data.data.level',
  'arms-member-fingerprint-missing.json': 'data.data.alerts[0].fingerprint',
  'arms-member-fingerprint-number.json': 'data.data.alerts[0].fingerprint',
  'arms-member-not-an-object.json': 'data.data.alerts[0]',
  'arms-member-status-pending.json': 'data.data.alerts[0].status',
  'arms-status-pending.json': 'data.data.status',
  'arms-subject-missing.json': 'subject',
  'arms-type-missing.json': 'type',
  'arms-type-unknown-foo.json': 'unsupported',
};

describe('events/invalid/alibaba', () => {
  it('has exactly the files of the table', () => {
    expect(jsonFiles(INVALID_DIR)).toEqual(Object.keys(INVALID).sort());
  });

  it.each(Object.entries(INVALID))('%s is refused naming %s', (file, field) => {
    const error = refusal(readJson(INVALID_DIR, file));
    if (field === 'unsupported') {
      expect(error).toBeInstanceOf(UnsupportedEventError);
      expect(error).toMatchObject({ eventType: 'aliyun:arms:alarm:foo' });
    } else {
      expect(error).toBeInstanceOf(InvalidEventError);
      expect(error).toMatchObject({ field });
      expect((error as Error).message).toMatch(new RegExp(`^invalid event: ${field.replace(/[[\].]/g, '\\$&')}: `));
    }
  });

  it.each([
    ['null', null, '(event)'],
    ['an array', [], '(event)'],
    ['a string', 'aliyun:arms:alarm:create', '(event)'],
  ])('refuses %s as an event', (_what, raw, field) => {
    const error = refusal(raw);
    expect(error).toBeInstanceOf(InvalidEventError);
    expect(error).toMatchObject({ field });
  });

  it('refuses a batch: the runtime splits it first', () => {
    expect(refusal(readJson(VALID_DIR, BATCH))).toMatchObject({ field: '(event)' });
  });
});
