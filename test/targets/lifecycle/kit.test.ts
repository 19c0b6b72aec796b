// The shared lifecycle mapping and helpers (shared/targets/lifecycle/kit.ts), and the full
// lifecycles of the real sample events, normalized by the real normalizers, delivered by the
// real deliver() to PagerDuty, Jira and ServiceNow fakes at once: each alert lifecycle is one
// incident, one issue and one ticket from open to resolved.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deliver } from '../../../shared/dispatch/deliver';
import type { DeliveryResult, PreparedTarget } from '../../../shared/dispatch/types';
import { createLogger } from '../../../shared/log';
import { STATUSES, type Alert } from '../../../shared/model/alert';
import { normalizeEvent } from '../../../shared/normalize';
import type { Target } from '../../../shared/targets/contract';
import { jiraDedupLabel } from '../../../shared/targets/lifecycle/jira';
import {
  DEFAULT_ACTIONS,
  RecentMap,
  actionsSetting,
  afterStaleRef,
  apiCall,
  apiLookup,
  correlationKey,
  lifecycleAction,
  runSteps,
  singleLine,
  truncate,
} from '../../../shared/targets/lifecycle/kit';
import { templatesSetting } from '../../../shared/targets/template';
import { pagerDutyDedupKey } from '../../../shared/targets/lifecycle/pagerduty';
import { loadTargetType } from '../../../shared/targets/registry';
import { serviceNowCorrelationId } from '../../../shared/targets/lifecycle/servicenow';
import { startFakeJira, type FakeJira } from '../../support/fakes/jira';
import { startFakePagerDuty, type FakePagerDuty } from '../../support/fakes/pagerduty';
import { startFakeServiceNow, type FakeServiceNow } from '../../support/fakes/servicenow';
import { startScriptedServer, type ScriptedServer } from '../../support/http-server';
import { captureLogs } from '../../support/logs';
import { ROOT } from '../../support/samples';

describe('status -> action mapping', () => {
  it('maps every status by default, as docs/targets/lifecycle.md says', () => {
    expect(STATUSES.map((status) => [status, lifecycleAction({ status })])).toEqual([
      ['firing', 'open'],
      ['resolved', 'resolve'],
      ['insufficient-data', 'note'],
      ['acknowledged', 'acknowledge'],
      ['commented', 'note'],
      ['config-created', 'skip'],
      ['config-updated', 'skip'],
      ['config-deleted', 'resolve'],
    ]);
  });

  it('lets the actions setting override single statuses', () => {
    const overrides = actionsSetting.parse({ 'config-updated': 'note', 'insufficient-data': 'skip' });
    expect(lifecycleAction({ status: 'config-updated' }, overrides)).toBe('note');
    expect(lifecycleAction({ status: 'insufficient-data' }, overrides)).toBe('skip');
    expect(lifecycleAction({ status: 'firing' }, overrides)).toBe(DEFAULT_ACTIONS.firing);
    expect(actionsSetting.parse(undefined)).toEqual({});
  });

  it('refuses unknown statuses and actions, naming them', () => {
    const status = actionsSetting.safeParse({ fring: 'open' });
    expect(status.success).toBe(false);
    expect(JSON.stringify(status.error?.issues)).toContain('fring');
    expect(actionsSetting.safeParse({ firing: 'page' }).success).toBe(false);
  });
});

describe('lifecycle helpers', () => {
  it('keeps a correlation key that fits, hashes one that does not, deterministically', () => {
    expect(correlationKey('arn:aws:cloudwatch:us-east-1:1:alarm:a', 255)).toBe('arn:aws:cloudwatch:us-east-1:1:alarm:a');
    const long = 'k'.repeat(256);
    expect(correlationKey(long, 255)).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(correlationKey(long, 255)).toBe(correlationKey(long, 255));
    expect(correlationKey(long, 255)).not.toBe(correlationKey(`${long}x`, 255));
    // Counted in UTF-8 bytes: 100 Chinese characters are 300 bytes.
    expect(correlationKey('告'.repeat(100), 255)).toMatch(/^sha256:/);
    expect(correlationKey('a^b', 100, (key) => !key.includes('^'))).toMatch(/^sha256:/);
  });

  it('truncates to a length with an ellipsis, never splitting a surrogate pair', () => {
    expect(truncate('short', 10)).toBe('short');
    expect(truncate('abcdefghij', 5)).toBe('abcd…');
    const cut = truncate(`abc${'😀'.repeat(5)}`, 5);
    expect(cut.length).toBeLessThanOrEqual(5);
    expect(cut).toBe('abc…');
    expect(singleLine(' a\n\n b\tc ')).toBe('a b c');
  });

  it('fills templates with defaults, keeps overrides, refuses typos and broken Mustache', () => {
    const schema = templatesSetting({ summary: '{{name}}', note: '{{comment}}' });
    expect(schema.parse(undefined)).toEqual({ summary: '{{name}}', note: '{{comment}}' });
    expect(schema.parse({ note: 'n' })).toEqual({ summary: '{{name}}', note: 'n' });
    expect(schema.safeParse({ sumary: 'x' }).success).toBe(false);
    expect(schema.safeParse({ summary: '{{#name}}' }).success).toBe(false);
  });

  it('forgets recent entries after their time to live and beyond its size', () => {
    let now = 0;
    const recent = new RecentMap<string>(1000, 2, () => now);
    recent.set('a', '1');
    recent.set('b', '2');
    recent.set('c', '3');
    expect(recent.get('a')).toBeUndefined();
    expect(recent.get('c')).toBe('3');
    now = 1001;
    expect(recent.get('b')).toBeUndefined();
  });

  describe('apiCall and runSteps', () => {
    let server: ScriptedServer;
    beforeAll(async () => {
      server = await startScriptedServer();
    });
    afterAll(() => server.close());
    const step = () => runSteps(async () => {
      await apiCall('create thing', { method: 'POST', url: server.url, body: {}, allowPrivateNetwork: true });
      return { outcome: 'delivered' };
    });

    it('stops at a throttled step: retryable, with Retry-After and the step named', async () => {
      server.respondWith({ status: 429, headers: { 'retry-after': '2' }, body: { error: 'slow down' } });
      expect(await step()).toEqual({ outcome: 'failed', retryable: true, retryAfterMs: 2000, detail: 'create thing: HTTP 429: {"error":"slow down"}' });
    });

    it('stops at a refused step for good', async () => {
      server.respondWith('client-error');
      expect(await step()).toMatchObject({ outcome: 'failed', retryable: false, detail: expect.stringMatching(/^create thing: HTTP 400/) });
    });

    it('apiLookup: a 404 is "gone" (undefined), a 5xx stops the action as retryable', async () => {
      const lookup = () => runSteps(async () => {
        const res = await apiLookup('read thing', { method: 'GET', url: server.url, allowPrivateNetwork: true });
        return res ? { outcome: 'delivered', detail: res.text } : afterStaleRef('T-1', 'thing T-1 not found', { outcome: 'skipped', detail: 'nothing open' });
      });
      server.respondWith({ status: 404, body: { error: 'gone' } });
      expect(await lookup()).toEqual({ outcome: 'skipped', detail: 'stored thing T-1 not found, searched: nothing open' });
      server.respondWith({ status: 503, body: 'down' });
      expect(await lookup()).toMatchObject({ outcome: 'failed', retryable: true, detail: expect.stringMatching(/^read thing: HTTP 503/) });
      server.respondWith({ status: 200, body: 'here' });
      expect(await lookup()).toEqual({ outcome: 'delivered', detail: 'here' });
    });

    it('classifies a thrown network error as retryable', async () => {
      const closed = await startScriptedServer();
      await closed.close();
      const outcome = await runSteps(async () => {
        await apiCall('find', { method: 'GET', url: closed.url, allowPrivateNetwork: true });
        return { outcome: 'delivered' };
      });
      expect(outcome).toMatchObject({ outcome: 'failed', retryable: true });
    });
  });
});

// ---- full lifecycles -------------------------------------------------------------------

const sample = (file: string): Alert => normalizeEvent(JSON.parse(readFileSync(join(ROOT, 'events', file), 'utf8')));

const ARMS_LIFECYCLE = ['alibaba/arms-alarm-create.json', 'alibaba/arms-alarm-claim.json', 'alibaba/arms-alarm-comment.json', 'alibaba/arms-alarm-close.json'];
const CLOUDWATCH_LIFECYCLE = ['aws/state-change-single-metric.json', 'aws/state-change-single-metric-resolved.json'];

describe('sample lifecycles on PagerDuty, Jira and ServiceNow', () => {
  const log = createLogger({ test: 'lifecycle' });
  let pd: FakePagerDuty;
  let jira: FakeJira;
  let snow: FakeServiceNow;
  let targets: PreparedTarget[];
  let logs: ReturnType<typeof captureLogs>;

  const prepare = async (type: string, settings: Record<string, unknown>): Promise<PreparedTarget> => {
    const targetType = await loadTargetType(type);
    if (!targetType) throw new Error(`${type} is not registered`);
    const target = (await targetType.create(targetType.settings.parse(settings) as never, { name: type, log, alibabaCredentials: () => undefined })) as Target;
    return { name: type, type, target, policy: { timeoutMs: 2000, retries: 2 } };
  };

  beforeEach(async () => {
    logs = captureLogs();
    [pd, jira, snow] = await Promise.all([startFakePagerDuty(), startFakeJira(), startFakeServiceNow()]);
    targets = await Promise.all([
      prepare('pagerduty', { routingKey: pd.routingKey, url: pd.url, allowPrivateNetwork: true, throttleDelayMs: 10 }),
      prepare('jira', { url: jira.url, allowPrivateNetwork: true, email: jira.email, apiToken: jira.apiToken, project: jira.project }),
      prepare('servicenow', { url: snow.url, allowPrivateNetwork: true, username: snow.username, password: snow.password }),
    ]);
  });

  afterEach(async () => {
    logs.restore();
    await Promise.all([pd.stop(), jira.stop(), snow.stop()]);
    // No secret of any fake in any log line.
    for (const secret of [pd.routingKey, jira.apiToken, snow.password]) expect(logs.lines.join('\n')).not.toContain(secret);
  });

  const deliverAll = async (alert: Alert): Promise<Record<string, DeliveryResult>> => {
    const results = await deliver(alert, targets, { log, random: () => 0 });
    return Object.fromEntries(results.map((result) => [result.type, result]));
  };

  /** The one incident, issue and ticket of the alert in each fake (all of them, to count). */
  const ticketsOf = (alert: Alert) => ({
    pagerduty: pd.alerts().filter((candidate) => candidate.dedupKey === pagerDutyDedupKey(alert)),
    jira: jira.issues().filter((issue) => issue.labels.includes(jiraDedupLabel(alert.dedupKey))),
    servicenow: snow.incidents().filter((incident) => incident.fields.correlation_id === serviceNowCorrelationId(alert.dedupKey)),
  });

  it('ARMS create, claim, comment, close: one incident, one issue, one ticket, open to resolved', async () => {
    const [create, claim, comment, close] = ARMS_LIFECYCLE.map(sample) as [Alert, Alert, Alert, Alert];
    expect([create.status, claim.status, comment.status, close.status]).toEqual(['firing', 'acknowledged', 'commented', 'resolved']);

    const opened = await deliverAll(create);
    expect(Object.values(opened).map((result) => result.outcome)).toEqual(['delivered', 'delivered', 'delivered']);
    const open = ticketsOf(create);
    expect(open.pagerduty.map((alert) => alert.status)).toEqual(['triggered']);
    expect(open.jira.map((issue) => issue.status.category)).toEqual(['new']);
    expect(open.servicenow.map((incident) => incident.state)).toEqual(['1']);

    expect(await deliverAll(claim)).toMatchObject({ pagerduty: { outcome: 'delivered' }, jira: { outcome: 'delivered' }, servicenow: { outcome: 'delivered' } });
    expect(ticketsOf(claim).pagerduty[0]?.status).toBe('acknowledged');
    expect(ticketsOf(claim).servicenow[0]?.state).toBe('2');
    expect(await deliverAll(comment)).toMatchObject({ pagerduty: { outcome: 'skipped' }, jira: { outcome: 'delivered' }, servicenow: { outcome: 'delivered' } });
    expect(await deliverAll(close)).toMatchObject({ pagerduty: { outcome: 'delivered' }, jira: { outcome: 'delivered' }, servicenow: { outcome: 'delivered' } });

    const done = ticketsOf(close);
    expect(done.pagerduty).toEqual([expect.objectContaining({ status: 'resolved', log: ['trigger', 'acknowledge', 'resolve'] })]);
    expect(done.jira).toEqual([expect.objectContaining({ status: expect.objectContaining({ category: 'done' }) })]);
    expect(done.jira[0]?.summary).toBe('[ERROR] Manually triggered alert: Manually triggered test alert');
    expect(done.jira[0]?.comments).toEqual([
      'ACKNOWLEDGED by xx: Manually triggered test alert',
      'COMMENTED by xx: Solution: False positive',
      'RESOLVED by xx: Manually triggered test alert',
    ]);
    expect(done.servicenow).toEqual([expect.objectContaining({ state: '6', workNotes: ['ACKNOWLEDGED by xx: Manually triggered test alert', 'COMMENTED by xx: Solution: False positive'] })]);
    expect(done.servicenow[0]?.fields).toMatchObject({ correlation_id: create.dedupKey, close_code: 'Solution provided', close_notes: 'Manually triggered test alert', urgency: '2', impact: '2' });
  });

  it('CloudWatch ALARM then OK: one incident, one issue, one ticket, open to resolved', async () => {
    const [alarm, ok] = CLOUDWATCH_LIFECYCLE.map(sample) as [Alert, Alert];
    expect([alarm.status, ok.status, ok.dedupKey]).toEqual(['firing', 'resolved', alarm.dedupKey]);

    await deliverAll(alarm);
    const open = ticketsOf(alarm);
    expect([open.pagerduty[0]?.status, open.jira[0]?.status.category, open.servicenow[0]?.state]).toEqual(['triggered', 'new', '1']);
    expect(open.pagerduty[0]?.payload).toMatchObject({ source: alarm.resources[0], component: 'AWS/EC2', severity: alarm.severity });

    expect(Object.values(await deliverAll(ok)).map((result) => result.outcome)).toEqual(['delivered', 'delivered', 'delivered']);
    const done = ticketsOf(ok);
    expect(done.pagerduty).toEqual([expect.objectContaining({ status: 'resolved', log: ['trigger', 'resolve'] })]);
    expect(done.jira).toEqual([expect.objectContaining({ status: expect.objectContaining({ category: 'done' }), comments: [`RESOLVED: ${ok.summary}`] })]);
    expect(done.servicenow).toEqual([expect.objectContaining({ state: '6' })]);
    expect(done.servicenow[0]?.fields.close_notes).toBe(ok.summary);
  });

  it.each([ARMS_LIFECYCLE[0], CLOUDWATCH_LIFECYCLE[0]] as string[])('%s delivered twice still yields one incident, one issue, one ticket', async (file) => {
    const alert = sample(file);
    const first = await deliverAll(alert);
    const second = await deliverAll(alert);
    const tickets = ticketsOf(alert);
    expect([tickets.pagerduty.length, tickets.jira.length, tickets.servicenow.length]).toEqual([1, 1, 1]);
    // The second delivery lands on the same ticket.
    for (const type of ['jira', 'servicenow']) expect(second[type]?.ref).toBe(first[type]?.ref);
    expect(second.jira?.detail).toMatch(/already open/);
    expect(tickets.pagerduty[0]?.log).toEqual(['trigger', 'trigger']);
  });
});
