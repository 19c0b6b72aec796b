import { buildReport, reportJson } from '../../shared/dispatch/report';
import { normalizeEvent } from '../../shared/normalize';
import { eventsOf, samples } from '../support/samples';
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

describe('reportJson (the report of the log line)', () => {
  const odd = ['quote " and \\ backslash', 'tab\tnew\nline \u0001', 'emoji 🚨 and 中文', 'lone \ud800 surrogate', '', '</script>'];
  const ledgerUnavailable: DeliveryResult = { target: 'hook', type: 'webhook', outcome: 'failed', retryable: false, attempts: 1, latencyMs: 7, detail: 'HTTP 400', ledger: 'unavailable' };
  // Delivery results as each place that makes them orders their fields.
  const heldBack: DeliveryResult = { target: 'file', type: 'file', outcome: 'skipped', attempts: 0, latencyMs: 0, detail: 'muted by x', reason: 'held-back' };
  const unordered = { latencyMs: 3, attempts: 1, outcome: 'delivered', type: 'sns', target: 'topic' } as DeliveryResult;

  it('writes what JSON.stringify writes for the report of every sample event, with every kind of delivery', () => {
    const alerts = [...samples('aws'), ...samples('alibaba')].flatMap(eventsOf).map((event) => normalizeEvent(event));
    expect(alerts.length).toBeGreaterThan(30);
    for (const alert of alerts) {
      for (const state of [undefined, { store: 'local', ledger: 'used' as const, recorded: true }, { store: 'dynamodb', ledger: 'unavailable' as const, recorded: false, detail: odd[1] }]) {
        const report = buildReport(alert, ['route', 'route.routes[0]'], [delivered, skipped, failed, ledgerUnavailable, heldBack, unordered], state);
        expect(reportJson(report)).toBe(JSON.stringify(report));
      }
    }
  });

  it('escapes what JSON escapes, in every field that carries text', () => {
    const alert = armsAlert({ status: 'firing' });
    for (const text of odd) {
      const deliveries: DeliveryResult[] = [{ ...failed, target: text, detail: text, ref: text }];
      const report = { ...buildReport({ ...alert, name: text, dedupKey: text, source: { ...alert.source, id: text, type: text } }, [text], deliveries) };
      expect(reportJson(report)).toBe(JSON.stringify(report));
      expect(JSON.parse(reportJson(report))).toEqual(report);
    }
  });

  it('leaves a report or a delivery of another shape to JSON.stringify, with the same result', () => {
    const alert = armsAlert({ status: 'firing' });
    const extra = { ...delivered, note: 'a field it does not know' } as DeliveryResult;
    const nested = { ...delivered, ref: { id: 1 } } as unknown as DeliveryResult;
    const withUndefined = { ...delivered, detail: undefined, latencyMs: Number.NaN };
    for (const report of [
      buildReport(alert, ['route'], [extra, nested, withUndefined]),
      { ...buildReport(alert, ['route'], [delivered]), extra: true },
      { ...buildReport(alert, ['route'], [delivered]), eventId: null as unknown as string },
    ]) {
      expect(reportJson(report)).toBe(JSON.stringify(report));
    }
  });
});
