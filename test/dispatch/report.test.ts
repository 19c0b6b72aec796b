import { buildReport } from '../../shared/dispatch/report';
import type { DeliveryResult } from '../../shared/dispatch/types';
import { armsAlert } from '../targets/conformance';

const delivered: DeliveryResult = { target: 'pager', type: 'pagerduty', outcome: 'delivered', attempts: 1, latencyMs: 120, ref: 'dedup-1' };
const skipped: DeliveryResult = { target: 'am', type: 'webhook', outcome: 'skipped', attempts: 1, latencyMs: 0, detail: 'status acknowledged not sent' };
const failed: DeliveryResult = { target: 'jira', type: 'jira', outcome: 'failed', retryable: true, attempts: 3, latencyMs: 2400, detail: 'HTTP 503' };

describe('buildReport', () => {
  const alert = armsAlert({ status: 'acknowledged' });

  it('describes the event, the alert, its routes and every delivery', () => {
    const report = buildReport(alert, ['route.routes[0]', 'route.routes[2]'], [delivered, skipped]);

    expect(report).toEqual({
      eventId: alert.source.id,
      eventType: 'aliyun:arms:alarm:create',
      alertId: alert.id,
      dedupKey: alert.dedupKey,
      name: 'Manually triggered alert',
      status: 'acknowledged',
      severity: 'error',
      routes: ['route.routes[0]', 'route.routes[2]'],
      deliveries: [delivered, skipped],
      ok: true,
    });
    // The runtime logs it as one JSON line.
    expect(JSON.stringify(report)).not.toContain('\n');
  });

  it('takes the matched route nodes as well as their paths', () => {
    const route = { path: 'route.routes[1]', matchers: [], targets: ['pager'], continue: false, muted: 'skip' as const, routes: [] };
    expect(buildReport(alert, [route], [delivered]).routes).toEqual(['route.routes[1]']);
  });

  it('is not ok when any delivery failed', () => {
    expect(buildReport(alert, ['route'], [delivered, failed, skipped]).ok).toBe(false);
  });

  it('is ok with no delivery at all (no route matched)', () => {
    expect(buildReport(alert, [], [])).toMatchObject({ routes: [], deliveries: [], ok: true });
  });
});
