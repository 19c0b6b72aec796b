// The pagerduty target against a fake Events API v2 on 127.0.0.1 (test/support/fakes/pagerduty.ts).
// The full lifecycles driven by the real sample events are in lifecycle.test.ts.
import { deliver } from '../../../shared/dispatch/deliver';
import { createLogger } from '../../../shared/log';
import type { Alert, Status } from '../../../shared/model/alert';
import type { Target, TargetRuntime } from '../../../shared/targets/contract';
import pagerduty, { NOTE_UNSUPPORTED, PAGERDUTY_EVENTS_URL, pagerDutySettings } from '../../../shared/targets/lifecycle/pagerduty';
import { conformanceService } from '../../support/fakes/fake-service';
import { startFakePagerDuty, type FakePagerDuty } from '../../support/fakes/pagerduty';
import { armsAlert, cloudWatchAlert, describeConformance } from '../conformance';

describeConformance({
  type: 'pagerduty',
  async start() {
    const pd = await startFakePagerDuty();
    return conformanceService(pd.server, { routingKey: pd.routingKey, url: pd.url, allowPrivateNetwork: true, throttleDelayMs: 10 }, [pd.routingKey]);
  },
});

const log = createLogger({ test: 'pagerduty' });
const runtime: TargetRuntime = { name: 'pd', log, alibabaCredentials: () => undefined };

describe('pagerduty target', () => {
  let pd: FakePagerDuty;
  let counter = 0;

  beforeAll(async () => {
    pd = await startFakePagerDuty();
  });
  afterAll(() => pd.stop());

  const target = (extra: Record<string, unknown> = {}): Target =>
    pagerduty.create(pagerDutySettings.parse({ routingKey: pd.routingKey, url: pd.url, allowPrivateNetwork: true, throttleDelayMs: 10, ...extra }), runtime) as Target;
  const send = (t: Target, alert: Alert, ref?: string) => t.send(alert, { signal: AbortSignal.timeout(5000), attempt: 1, log, ...(ref ? { ref } : {}) });
  /** A CloudWatch alert of its own alarm, so that tests do not share PagerDuty alerts. */
  const alarm = (status: Status = 'firing', overrides: Partial<Alert> = {}) =>
    cloudWatchAlert({ status, dedupKey: `arn:aws:cloudwatch:us-east-1:123456789012:alarm:Test${++counter}`, ...overrides });
  const alertsOf = (dedupKey: string) => pd.alerts().filter((alert) => alert.dedupKey === dedupKey);

  it('triggers with the PD-CEF fields of the alert', async () => {
    const alert = alarm();
    expect(await send(target(), alert)).toMatchObject({ outcome: 'delivered', ref: alert.dedupKey });

    const [opened] = alertsOf(alert.dedupKey);
    expect(opened?.status).toBe('triggered');
    expect(opened?.payload).toMatchObject({
      summary: alert.summary,
      severity: 'critical',
      source: alert.resources[0],
      component: 'AWS/EC2',
      group: 'aws:123456789012:us-east-1',
      class: 'ServerCpuTooHigh',
      timestamp: alert.observedAt,
      custom_details: { status: 'firing', labels: alert.labels, region: 'us-east-1', dedupKey: alert.dedupKey },
    });
    expect(opened?.links).toEqual([{ href: alert.links[0]?.url, text: 'CloudWatch console' }]);
    expect(pd.events().at(-1)).toMatchObject({ client_url: alert.links[0]?.url });
  });

  it('maps every severity to the PD-CEF value of the same name', async () => {
    for (const severity of ['critical', 'error', 'warning', 'info'] as const) {
      const alert = alarm('firing', { severity });
      await send(target(), alert);
      expect(alertsOf(alert.dedupKey)[0]?.payload.severity).toBe(severity);
    }
  });

  it('acknowledges and resolves the same alert; a second trigger only logs on it', async () => {
    const t = target();
    const alert = alarm();
    for (const status of ['firing', 'firing', 'acknowledged', 'resolved'] as const) {
      expect(await send(t, { ...alert, status })).toMatchObject({ outcome: 'delivered' });
    }
    expect(alertsOf(alert.dedupKey)).toEqual([expect.objectContaining({ status: 'resolved', log: ['trigger', 'trigger', 'acknowledge', 'resolve'] })]);
  });

  it('hashes a dedupKey longer than 255 bytes, the same way for every event of the alert', async () => {
    const alert = alarm('firing', { dedupKey: `alibaba.arms:https://arms.console.aliyun.com/#/alarm/${'告警'.repeat(60)}` });
    const t = target();
    await send(t, alert);
    await send(t, { ...alert, status: 'resolved' });
    const [opened, ...others] = pd.alerts().filter((candidate) => candidate.payload.custom_details && (candidate.payload.custom_details as { dedupKey?: string }).dedupKey === alert.dedupKey);
    expect(others).toEqual([]);
    expect(opened?.dedupKey).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(opened?.status).toBe('resolved');
  });

  it('cuts a summary to 1024 characters, and the fake accepts it', async () => {
    const alert = alarm('firing', { labels: { alertname: 'CpuHigh' }, summary: '超'.repeat(1024) });
    expect(await send(target(), alert)).toMatchObject({ outcome: 'delivered' });
    const summary = String(alertsOf(alert.dedupKey)[0]?.payload.summary);
    expect(summary.length).toBe(1024);
    expect(summary).toMatch(/^CpuHigh: 超+…$/);
  });

  it('skips a note (Events API v2 has none) and config changes; a deleted alarm resolves', async () => {
    const t = target();
    const alert = alarm();
    await send(t, alert);
    const before = pd.events().length;
    expect(await send(t, { ...alert, status: 'insufficient-data' })).toEqual({ outcome: 'skipped', detail: NOTE_UNSUPPORTED });
    expect(await send(t, armsAlert({ status: 'commented', dedupKey: alert.dedupKey }))).toEqual({ outcome: 'skipped', detail: NOTE_UNSUPPORTED });
    expect(await send(t, { ...alert, kind: 'config-change', status: 'config-updated' })).toMatchObject({ outcome: 'skipped' });
    expect(pd.events().length).toBe(before);
    expect(await send(t, { ...alert, kind: 'config-change', status: 'config-deleted' })).toMatchObject({ outcome: 'delivered' });
    expect(alertsOf(alert.dedupKey)[0]?.status).toBe('resolved');
  });

  it('follows the actions setting over the default mapping', async () => {
    const t = target({ actions: { acknowledged: 'skip', 'insufficient-data': 'resolve' } });
    const alert = alarm();
    await send(t, alert);
    expect(await send(t, { ...alert, status: 'acknowledged' })).toMatchObject({ outcome: 'skipped' });
    expect(alertsOf(alert.dedupKey)[0]?.status).toBe('triggered');
    await send(t, { ...alert, status: 'insufficient-data' });
    expect(alertsOf(alert.dedupKey)[0]?.status).toBe('resolved');
  });

  it('renders the summary and the PD-CEF fields from templates', async () => {
    const t = target({ templates: { summary: '{{severityUpper}} {{name}} in {{region}}' }, component: '{{labels.InstanceId}}', group: '' });
    const alert = alarm();
    await send(t, alert);
    expect(alertsOf(alert.dedupKey)[0]?.payload).toMatchObject({ summary: 'CRITICAL ServerCpuTooHigh in us-east-1', component: 'i-12345678901234567' });
    expect(alertsOf(alert.dedupKey)[0]?.payload).not.toHaveProperty('group');
  });

  it('sends the stored dedup_key (ctx.ref) so that every event reaches the alert it opened, and returns the key PagerDuty accepted', async () => {
    const alert = alarm();
    // A key stored under another derivation (or by an earlier version): the alert PagerDuty has is under it.
    const stored = `legacy-${alert.dedupKey}`;
    expect(await send(target(), alert, stored)).toMatchObject({ outcome: 'delivered', ref: stored });
    expect(await send(target(), { ...alert, status: 'acknowledged' }, stored)).toMatchObject({ outcome: 'delivered', ref: stored });
    expect(await send(target(), { ...alert, status: 'resolved' }, stored)).toMatchObject({ outcome: 'delivered', ref: stored });
    expect(alertsOf(stored)).toEqual([expect.objectContaining({ status: 'resolved', log: ['trigger', 'acknowledge', 'resolve'] })]);
    expect(alertsOf(alert.dedupKey)).toEqual([]);
    // A stored value PagerDuty could not take is ignored: the derived key is sent.
    expect(await send(target(), alert, 'x'.repeat(256))).toMatchObject({ outcome: 'delivered', ref: alert.dedupKey });
  });

  it('retries a 429 through deliver() and opens the alert once', async () => {
    const alert = alarm();
    pd.server.nextResponses('throttle');
    const [result] = await deliver(alert, [{ name: 'pd', type: 'pagerduty', target: target(), policy: { timeoutMs: 2000, retries: 2 } }], { log, random: () => 0 });
    expect(result).toMatchObject({ outcome: 'delivered', attempts: 2 });
    expect(alertsOf(alert.dedupKey)).toHaveLength(1);
  });

  it('waits about 30 s after a 429 by default, and only when the function has the time', async () => {
    const t = pagerduty.create(pagerDutySettings.parse({ routingKey: pd.routingKey, url: pd.url, allowPrivateNetwork: true }), runtime) as Target;
    pd.server.nextResponses('throttle');
    const first = await t.send(alarm(), { signal: AbortSignal.timeout(2000), attempt: 1, log });
    expect(first).toMatchObject({ outcome: 'failed', retryable: true, retryAfterMs: 30_000 });
    pd.server.nextResponses('throttle');
    const [result] = await deliver(alarm(), [{ name: 'pd', type: 'pagerduty', target: t, policy: { timeoutMs: 2000, retries: 2 } }], { log, random: () => 0, deadline: Date.now() + 10_000 });
    expect(result).toMatchObject({ outcome: 'failed', retryable: true, attempts: 1 });
    expect(result?.detail).toMatch(/would pass the function's deadline/);
  });

  it('does not retry a refused event, and its detail never shows the routing key', async () => {
    const wrongKey = 'X'.repeat(32);
    const t = pagerduty.create(pagerDutySettings.parse({ routingKey: wrongKey, url: pd.url, allowPrivateNetwork: true }), runtime) as Target;
    const [result] = await deliver(alarm(), [{ name: 'pd', type: 'pagerduty', target: t, policy: { timeoutMs: 2000, retries: 2 } }], { log, random: () => 0 });
    expect(result).toMatchObject({ outcome: 'failed', retryable: false, attempts: 1 });
    expect(result?.detail).toMatch(/HTTP 400/);
    expect(result?.detail).not.toContain(wrongKey);
  });

  it('render() previews the event without the routing key', () => {
    const settings = pagerDutySettings.parse({ routingKey: pd.routingKey });
    const preview = pagerduty.render?.(cloudWatchAlert(), settings) as { body: Record<string, unknown> };
    expect(preview).toMatchObject({ action: 'open', sent: true, body: { event_action: 'trigger', routing_key: '[REDACTED]' } });
    expect(JSON.stringify(preview)).not.toContain(pd.routingKey);
    expect(pagerduty.render?.(armsAlert({ status: 'commented' }), settings)).toEqual({ action: 'note', sent: false, detail: NOTE_UNSUPPORTED });
  });

  it('defaults to the PagerDuty endpoint, refuses plain http except to loopback, and loopback without allowPrivateNetwork', () => {
    expect(pagerDutySettings.parse({ routingKey: 'k' }).url).toBe(PAGERDUTY_EVENTS_URL);
    expect(pagerDutySettings.safeParse({ routingKey: 'k', url: 'http://events.example.com/v2/enqueue' }).success).toBe(false);
    expect(pagerDutySettings.safeParse({ routingKey: 'k', url: 'http://127.0.0.1:8080/v2/enqueue', allowPrivateNetwork: true }).success).toBe(true);
    expect(pagerDutySettings.safeParse({ routingKey: 'k', url: 'http://127.0.0.1:8080/v2/enqueue' }).success).toBe(false);
    expect(pagerDutySettings.safeParse({ routingKey: 'k', routing_key: 'k' }).success).toBe(false);
    expect(pagerDutySettings.safeParse({ routingKey: 'k', templates: { summary: '{{#name}}' } }).success).toBe(false);
  });
});
