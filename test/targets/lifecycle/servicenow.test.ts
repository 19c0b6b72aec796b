// The servicenow target against a fake Table API on 127.0.0.1 (test/support/fakes/servicenow.ts).
// The full lifecycles driven by the real sample events are in lifecycle.test.ts.
import { deliver } from '../../../shared/dispatch/deliver';
import { createLogger } from '../../../shared/log';
import type { Alert, Status } from '../../../shared/model/alert';
import type { Target, TargetRuntime } from '../../../shared/targets/contract';
import servicenow, { SNOW_LIMITS, serviceNowCorrelationId, serviceNowSettings } from '../../../shared/targets/lifecycle/servicenow';
import { conformanceService } from '../../support/fakes/fake-service';
import { startScriptedServer } from '../../support/http-server';
import { startFakeServiceNow, type FakeServiceNow, type SnowIncident } from '../../support/fakes/servicenow';
import { captureLogs } from '../../support/logs';
import { armsAlert, cloudWatchAlert, describeConformance } from '../conformance';

describeConformance({
  type: 'servicenow',
  async start() {
    const fake = await startFakeServiceNow();
    const settings = { url: fake.url, allowPrivateNetwork: true, username: fake.username, password: fake.password };
    return conformanceService(fake.server, settings, [fake.password, Buffer.from(`${fake.username}:${fake.password}`).toString('base64')]);
  },
});

describeConformance({
  label: 'token',
  memory: false,
  type: 'servicenow',
  async start() {
    const fake = await startFakeServiceNow();
    return conformanceService(fake.server, { url: fake.url, allowPrivateNetwork: true, token: fake.token }, [fake.token]);
  },
});

const log = createLogger({ test: 'servicenow' });
const runtime: TargetRuntime = { name: 'snow', log, alibabaCredentials: () => undefined };

describe('servicenow target', () => {
  let fake: FakeServiceNow;
  let counter = 0;
  let logs: ReturnType<typeof captureLogs>;

  beforeAll(async () => {
    logs = captureLogs();
    fake = await startFakeServiceNow();
  });
  afterAll(async () => {
    logs.restore();
    await fake.stop();
  });

  const target = (extra: Record<string, unknown> = {}): Target =>
    servicenow.create(serviceNowSettings.parse({ url: fake.url, allowPrivateNetwork: true, username: fake.username, password: fake.password, ...extra }), runtime) as Target;
  const send = (t: Target, alert: Alert, ref?: string) => t.send(alert, { signal: AbortSignal.timeout(5000), attempt: 1, log, ...(ref ? { ref } : {}) });
  const refOf = (outcome: Awaited<ReturnType<Target['send']>>) => (outcome.outcome === 'delivered' ? outcome.ref : undefined);
  /** A CloudWatch alert of its own alarm, so that tests do not share incidents. */
  const alarm = (status: Status = 'firing', overrides: Partial<Alert> = {}) =>
    cloudWatchAlert({ status, dedupKey: `arn:aws:cloudwatch:us-east-1:123456789012:alarm:Snow${++counter}`, ...overrides });
  const incidentsOf = (alert: Alert): SnowIncident[] => fake.incidents().filter((incident) => incident.fields.correlation_id === serviceNowCorrelationId(alert.dedupKey));

  it('creates an incident correlated by the dedupKey, with urgency and impact from the severity', async () => {
    const alert = alarm();
    const outcome = await send(target({ callerId: 'alert.router', assignmentGroup: 'Cloud Ops', category: 'software', inputDisplayValue: true }), alert);
    const [incident, ...others] = incidentsOf(alert);
    expect(others).toEqual([]);
    expect(outcome).toEqual({ outcome: 'delivered', ref: incident?.sys_id, detail: `created ${incident?.number}` });
    expect(incident?.fields).toMatchObject({
      correlation_id: alert.dedupKey,
      correlation_display: 'alert-router',
      short_description: `[CRITICAL] ${alert.summary}`,
      urgency: '1',
      impact: '1',
      caller_id: 'alert.router',
      assignment_group: 'Cloud Ops',
      category: 'software',
    });
    expect(incident?.fields.description).toContain(alert.links[0]?.url);
    expect(incident?.createdWith).toMatchObject({ sysparm_input_display_value: 'true' });
    expect(fake.queries().at(-1)).toBe(`correlation_id=${alert.dedupKey}^active=true^ORDERBYsys_created_on^ORDERBYnumber`);
  });

  it('maps severities through the configurable severityMap', async () => {
    const t = target({ severityMap: { warning: { urgency: 1, impact: 3 } } });
    const warning = alarm('firing', { severity: 'warning' });
    const info = alarm('firing', { severity: 'info' });
    await send(t, warning);
    await send(t, info);
    expect(incidentsOf(warning)[0]?.fields).toMatchObject({ urgency: '1', impact: '3' });
    expect(incidentsOf(info)[0]?.fields).toMatchObject({ urgency: '3', impact: '3' });
  });

  it('hashes a correlation id longer than 100 characters or holding a caret', async () => {
    const long = alarm('firing', { dedupKey: `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${'x'.repeat(120)}` });
    const caret = alarm('firing', { dedupKey: 'alarm^name' });
    for (const alert of [long, caret]) {
      await send(target(), alert);
      expect(incidentsOf(alert)).toEqual([expect.objectContaining({ fields: expect.objectContaining({ correlation_id: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) }) })]);
    }
  });

  it('cuts short_description to 160 characters, and the fake accepts it', async () => {
    const alert = alarm('firing', { summary: '磁盘'.repeat(200) });
    expect(await send(target(), alert)).toMatchObject({ outcome: 'delivered' });
    expect(incidentsOf(alert)[0]?.fields.short_description).toHaveLength(SNOW_LIMITS.shortDescription);
  });

  it('acknowledges (In Progress + work note), notes, then resolves with close code and notes', async () => {
    const t = target();
    const alert = armsAlert({ dedupKey: `arms-${++counter}` });
    const actor = { owner: 'li', handler: 'wang', operator: 'zhang' };
    await send(t, alert);
    await send(t, { ...alert, status: 'acknowledged', actor });
    expect(incidentsOf(alert)[0]?.state).toBe('2');
    await send(t, { ...alert, status: 'commented', comment: '误报', actor });
    await send(t, { ...alert, status: 'resolved', solution: 'Scaled out', actor });
    const [incident] = incidentsOf(alert);
    expect(incident).toMatchObject({ state: '6', active: 'true', workNotes: [`ACKNOWLEDGED by wang: ${alert.summary}`, 'COMMENTED by zhang: 误报'] });
    expect(incident?.fields).toMatchObject({ close_code: 'Solution provided', close_notes: 'Scaled out' });
  });

  it('uses the summary as close notes when there is no solution, and the configured close code', async () => {
    const t = target({ closeCode: 'Workaround provided' });
    const alert = alarm();
    await send(t, alert);
    await send(t, { ...alert, status: 'resolved' });
    expect(incidentsOf(alert)[0]?.fields).toMatchObject({ close_code: 'Workaround provided', close_notes: alert.summary });
  });

  it('skips acknowledge, note and resolve when no incident is active', async () => {
    const t = target();
    const alert = alarm();
    for (const status of ['acknowledged', 'commented', 'resolved', 'config-deleted'] as const) {
      expect(await send(t, { ...alert, status })).toMatchObject({ outcome: 'skipped' });
    }
    expect(incidentsOf(alert)).toEqual([]);
  });

  it('reopens a resolved incident that is still active; creates anew with reopenResolved: false', async () => {
    const alert = alarm();
    const t = target();
    await send(t, alert);
    await send(t, { ...alert, status: 'resolved' });
    expect(await send(t, alert)).toMatchObject({ outcome: 'delivered', detail: expect.stringMatching(/^reopened INC\d+$/) });
    expect(incidentsOf(alert)).toEqual([expect.objectContaining({ state: '2', workNotes: [`FIRING again: ${alert.summary}`] })]);

    const other = alarm();
    const fresh = target({ reopenResolved: false });
    await send(fresh, other);
    await send(fresh, { ...other, status: 'resolved' });
    await send(fresh, other);
    expect(incidentsOf(other).map((incident) => incident.state)).toEqual(['6', '1']);
  });

  it('converges when two deliveries of one firing race past the lookup: the newer incident cancels itself', async () => {
    const alert = alarm();
    fake.holdQueries(2);
    const outcomes = await Promise.all([send(target(), alert), send(target(), alert)]);
    const [oldest, newer, ...others] = incidentsOf(alert);
    expect(others).toEqual([]);
    expect(oldest).toMatchObject({ state: '1', active: 'true' });
    expect(newer).toMatchObject({ state: '8', active: 'false', workNotes: [`Duplicate of ${oldest?.number}: the same alert was delivered twice at the same time.`] });
    expect(outcomes.map((outcome) => outcome.outcome === 'delivered' && outcome.ref)).toEqual([oldest?.sys_id, oldest?.sys_id]);
  });

  describe('the stored sys_id (ctx.ref)', () => {
    /** Correlation queries the fake received from now on. */
    const queriesFrom = () => {
      const before = fake.queries().length;
      return () => fake.queries().length - before;
    };

    it('a later event with the sys_id reads that incident and makes no query', async () => {
      const t = target();
      const alert = alarm();
      const ref = refOf(await send(t, alert)) as string;
      expect(ref).toMatch(/^[0-9a-f]{32}$/);
      const [incident] = incidentsOf(alert) as [SnowIncident];
      const queries = queriesFrom();
      expect(await send(t, alert, ref)).toEqual({ outcome: 'delivered', ref, detail: `incident ${incident.number} already open` });
      expect(await send(t, { ...alert, status: 'acknowledged' }, ref)).toEqual({ outcome: 'delivered', ref, detail: `acknowledged ${incident.number}` });
      expect(await send(t, { ...alert, status: 'insufficient-data' }, ref)).toEqual({ outcome: 'delivered', ref, detail: `work note on ${incident.number}` });
      expect(await send(t, { ...alert, status: 'resolved' }, ref)).toEqual({ outcome: 'delivered', ref, detail: `resolved ${incident.number}` });
      // A late comment still lands on the resolved (active) incident; a new firing reopens it.
      expect(await send(t, { ...alert, status: 'commented', comment: 'late' }, ref)).toMatchObject({ outcome: 'delivered', ref });
      expect(await send(t, alert, ref)).toEqual({ outcome: 'delivered', ref, detail: `reopened ${incident.number}` });
      expect(queries()).toBe(0);
      expect(incidentsOf(alert)).toHaveLength(1);
    });

    it('a firing after the stored incident was closed creates a new one without querying first', async () => {
      const t = target();
      const alert = alarm();
      const ref = refOf(await send(t, alert)) as string;
      await send(t, { ...alert, status: 'resolved' }, ref);
      const [first] = incidentsOf(alert) as [SnowIncident];
      first.state = '7';
      first.active = 'false';
      const queries = queriesFrom();
      const again = await send(t, alert, ref);
      expect(again).toMatchObject({ outcome: 'delivered', detail: expect.stringMatching(/^created INC\d+$/) });
      expect(refOf(again)).not.toBe(ref);
      // Only the check for a concurrent duplicate after the create.
      expect(queries()).toBe(1);
    });

    it('falls back to the correlation query when the stored incident is gone, and says so', async () => {
      const t = target();
      const alert = alarm();
      const ref = refOf(await send(t, alert)) as string;
      fake.deleteIncident(ref);
      const queries = queriesFrom();
      const again = await send(t, alert, ref);
      expect(again).toMatchObject({ outcome: 'delivered', detail: expect.stringMatching(new RegExp(`^stored incident ${ref} not found, searched: created INC\\d+$`)) });
      expect(queries()).toBeGreaterThan(0);
      const current = refOf(again) as string;
      const [incident] = incidentsOf(alert) as [SnowIncident];
      expect(current).toBe(incident.sys_id);
      expect(await send(t, { ...alert, status: 'resolved' }, ref)).toEqual({ outcome: 'delivered', ref: current, detail: `stored incident ${ref} not found, searched: resolved ${incident.number}` });
    });

    it('treats a reference that is no sys_id (an incident number) as none', async () => {
      const t = target();
      const alert = alarm();
      await send(t, alert);
      const [incident] = incidentsOf(alert) as [SnowIncident];
      expect(await send(t, { ...alert, status: 'acknowledged' }, incident.number)).toEqual({
        outcome: 'delivered',
        ref: incident.sys_id,
        detail: `stored reference ${incident.number} is not a sys_id, searched: acknowledged ${incident.number}`,
      });
    });
  });

  it('retries through deliver() after a lost create response and still has one incident', async () => {
    const alert = alarm();
    fake.server.nextResponses('ok', 'lost');
    const [result] = await deliver(alert, [{ name: 'snow', type: 'servicenow', target: target(), policy: { timeoutMs: 500, retries: 2 } }], { log, random: () => 0 });
    expect(result).toMatchObject({ outcome: 'delivered', attempts: 2, detail: expect.stringMatching(/already open/) });
    expect(incidentsOf(alert)).toHaveLength(1);
  });

  it('reports a data policy refusal as a failure that is not retried', async () => {
    const t = target({ templates: { closeNotes: '' } });
    const alert = alarm();
    await send(t, alert);
    expect(await send(t, { ...alert, status: 'resolved' })).toMatchObject({ outcome: 'failed', retryable: false, detail: expect.stringMatching(/^resolve incident: HTTP 403: .*Data Policy Exception/) });
  });

  it('fails, not retried, on an answer whose incident lacks a field it asked for', async () => {
    const odd = await startScriptedServer();
    try {
      odd.respondWith({ status: 200, body: { result: [{ sys_id: 'a'.repeat(32), number: 'INC0010001', active: 'true', sys_created_on: '2026-01-01 00:00:00' }] } });
      const t = servicenow.create(serviceNowSettings.parse({ url: odd.url, allowPrivateNetwork: true, username: 'u', password: 'p-123456' }), runtime) as Target;
      expect(await send(t, alarm('resolved'))).toEqual({ outcome: 'failed', retryable: false, detail: 'find incident: the response has no incident state' });
      odd.respondWith({ status: 200, body: { result: { sys_id: 'a'.repeat(32) } } });
      expect(await send(t, alarm('resolved'))).toEqual({ outcome: 'failed', retryable: false, detail: 'find incident: the result is not a list' });
    } finally {
      await odd.close();
    }
  });

  it('keeps the password out of a refused request', async () => {
    const outcome = await send(target({ password: 'wrong-password-123' }), alarm());
    expect(outcome).toMatchObject({ outcome: 'failed', retryable: false, detail: expect.stringMatching(/^find incident: HTTP 401/) });
    expect(JSON.stringify(outcome)).not.toContain('wrong-password-123');
    expect(logs.lines.join('\n')).not.toContain('wrong-password-123');
  });

  it('validates its settings', () => {
    const base = { url: 'https://example.service-now.com' };
    expect(serviceNowSettings.parse({ ...base, token: 't' })).toMatchObject({ closeCode: 'Solution provided', reopenResolved: true, inputDisplayValue: false });
    expect(serviceNowSettings.safeParse(base).success).toBe(false);
    expect(serviceNowSettings.safeParse({ ...base, token: 't', username: 'u', password: 'p' }).success).toBe(false);
    expect(serviceNowSettings.safeParse({ ...base, username: 'u' }).success).toBe(false);
    expect(serviceNowSettings.safeParse({ ...base, token: 't', fields: { correlation_id: 'x' } }).success).toBe(false);
    expect(serviceNowSettings.safeParse({ ...base, token: 't', severityMap: { critical: { urgency: 4, impact: 1 } } }).success).toBe(false);
    expect(serviceNowSettings.safeParse({ url: 'http://example.service-now.com', token: 't' }).success).toBe(false);
  });

  it('render() shows the incident it would create', () => {
    const settings = serviceNowSettings.parse({ url: 'https://example.service-now.com', token: 'secret-token' });
    expect(servicenow.render?.(armsAlert(), settings)).toMatchObject({
      action: 'open',
      correlationId: armsAlert().dedupKey,
      create: { urgency: '2', impact: '2', short_description: '[ERROR] Manually triggered alert: Manually triggered test alert' },
    });
    expect(JSON.stringify(servicenow.render?.(armsAlert(), settings))).not.toContain('secret-token');
  });
});
