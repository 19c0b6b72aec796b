// The ledger and the alert state in the real pipeline (normalize -> route -> dispatch ->
// record), on each store adapter, with webhook targets on a scripted server that counts
// what each target received.
import { createLogger } from '../../shared/log';
import type { DeliveryReport } from '../../shared/dispatch/types';
import { parseConfig } from '../../shared/route/config';
import { createRouter, type Router } from '../../shared/runtime/router';
import { isRefused, processEvent, type EventReport } from '../../shared/runtime/pipeline';
import { startScriptedServer, type ScriptedServer } from '../support/http-server';
import { captureLogs } from '../support/logs';
import { storeHarnesses, type StartedStore } from './adapters';
import { alarmEvent, webhookConfig } from './support';

const logs = captureLogs();
afterAll(() => logs.restore());

const asDelivery = (report: EventReport): DeliveryReport => {
  if (isRefused(report)) throw new Error(`refused: ${report.error.message}`);
  return report;
};

describe.each(storeHarnesses)('delivery through the $name store', (harness) => {
  let started: StartedStore;
  let server: ScriptedServer;
  let router: Router;
  let n = 0;
  const unique = (label: string) => `${harness.name}-${label}-${(n += 1)}`;
  const run = async (event: unknown) => asDelivery(await processEvent(event, { router, log: createLogger(), deadline: Date.now() + 15_000 }));
  /** Requests each target got for one event id. */
  const received = (target: string, eventId: string) =>
    server.requests.filter((r) => r.url === `/${target}` && (r.json() as { alert: { id: string } }).alert.id === eventId).length;

  beforeAll(async () => {
    started = await harness.start();
    server = await startScriptedServer();
    // A generous store timeout: on a loaded machine a slow store call would fail open, which
    // fail-open.test.ts covers; here every call must reach the store.
    router = await createRouter(await webhookConfig(server.url, ['hook-a', 'hook-b'], { ...started.settings, timeoutMs: 10_000 }, '  muted: skip'));
  });
  afterAll(async () => {
    await router?.state?.store.close?.();
    await server?.close();
    await started?.store.close?.();
    await started?.stop();
  });
  beforeEach(() => server.respondWith('ok'));

  test('a target that already has an event is not sent it again, and the report says so', async () => {
    const event = alarmEvent({ id: unique('twice'), state: 'ALARM', at: '2026-03-01T10:00:00.000Z', alarm: unique('alarm') });
    const first = await run(event);
    expect(first).toMatchObject({ ok: true, state: { store: harness.name, ledger: 'used', recorded: true } });
    expect(first.deliveries.map((d) => d.outcome)).toEqual(['delivered', 'delivered']);

    const again = await run(event);
    expect(again.ok).toBe(true);
    expect(again.deliveries).toEqual([
      expect.objectContaining({ target: 'hook-a', outcome: 'skipped', reason: 'already-delivered', attempts: 0 }),
      expect.objectContaining({ target: 'hook-b', outcome: 'skipped', reason: 'already-delivered', attempts: 0 }),
    ]);
    expect([received('hook-a', event.id), received('hook-b', event.id)]).toEqual([1, 1]);
  });

  test('a retried invocation re-sends only to the target that failed', async () => {
    const event = alarmEvent({ id: unique('retry'), state: 'ALARM', at: '2026-03-01T10:00:00.000Z', alarm: unique('alarm') });
    let failB = true;
    server.respondWith((req) => (req.url === '/hook-b' && failB ? { status: 503, body: 'down' } : { status: 200, body: 'ok' }));
    const first = await run(event);
    expect(first.ok).toBe(false);
    expect(first.deliveries.map((d) => [d.target, d.outcome])).toEqual([
      ['hook-a', 'delivered'],
      ['hook-b', 'failed'],
    ]);
    failB = false;
    const retry = await run(event);
    expect(retry.ok).toBe(true);
    expect(retry.deliveries.map((d) => [d.target, d.outcome, d.reason])).toEqual([
      ['hook-a', 'skipped', 'already-delivered'],
      ['hook-b', 'delivered', undefined],
    ]);
    expect([received('hook-a', event.id), received('hook-b', event.id)]).toEqual([1, 2]);
  });

  test('concurrent invocations of one event send it once to each target', async () => {
    const event = alarmEvent({ id: unique('concurrent'), state: 'ALARM', at: '2026-03-01T10:00:00.000Z', alarm: unique('alarm') });
    const reports = await Promise.all(Array.from({ length: 6 }, () => run(event)));
    expect(reports.every((r) => r.ok)).toBe(true);
    for (const target of ['hook-a', 'hook-b']) {
      expect(received(target, event.id)).toBe(1);
      const outcomes = reports.map((r) => r.deliveries.find((d) => d.target === target)!);
      expect(outcomes.filter((d) => d.outcome === 'delivered')).toHaveLength(1);
      expect(outcomes.filter((d) => d.reason === 'already-delivered')).toHaveLength(5);
    }
  });

  test('an event older than the last one applied changes nothing: a stale firing after the resolve reopens nothing', async () => {
    const alarm = unique('alarm');
    const firing = alarmEvent({ id: unique('firing'), state: 'ALARM', at: '2026-03-01T10:00:00.000Z', alarm });
    const resolve = alarmEvent({ id: unique('resolve'), state: 'OK', at: '2026-03-01T10:05:00.000Z', alarm });
    const lateFiring = alarmEvent({ id: unique('late'), state: 'ALARM', at: '2026-03-01T10:02:00.000Z', alarm });
    await run(firing);
    await run(resolve);
    const stale = await run(lateFiring);
    expect(stale.ok).toBe(true);
    expect(stale.state).toMatchObject({ stale: { lastEventId: resolve.id, lastEventAt: '2026-03-01T10:05:00.000Z' }, recorded: false });
    expect(stale.deliveries).toEqual([
      expect.objectContaining({ target: 'hook-a', outcome: 'skipped', reason: 'stale' }),
      expect.objectContaining({ target: 'hook-b', outcome: 'skipped', reason: 'stale' }),
    ]);
    expect(received('hook-a', lateFiring.id) + received('hook-b', lateFiring.id)).toBe(0);
    const state = await router.state!.alerts.read(`arn:aws:cloudwatch:us-east-1:123456789012:alarm:${alarm}`);
    expect(state).toMatchObject({ status: 'resolved', lastEvent: { id: resolve.id }, firingSince: null });
  });

  test('a retry of an event a newer one has superseded is stale: the target it failed is not told the older status after the newer', async () => {
    const alarm = unique('alarm');
    const firing = alarmEvent({ id: unique('firing'), state: 'ALARM', at: '2026-03-01T10:00:00.000Z', alarm });
    const resolve = alarmEvent({ id: unique('resolve'), state: 'OK', at: '2026-03-01T10:01:00.000Z', alarm });
    let failB = true;
    server.respondWith((req) => (req.url === '/hook-b' && failB ? { status: 503, body: 'down' } : { status: 200, body: 'ok' }));
    expect((await run(firing)).deliveries.map((d) => d.outcome)).toEqual(['delivered', 'failed']);
    failB = false;
    expect((await run(resolve)).deliveries.map((d) => d.outcome)).toEqual(['delivered', 'delivered']);
    // The platform retries the firing whose delivery to hook-b failed.
    const retry = await run(firing);
    expect(retry.ok).toBe(true);
    expect(retry.state).toMatchObject({ stale: { lastEventId: resolve.id } });
    expect(retry.deliveries.map((d) => [d.target, d.outcome, d.reason])).toEqual([
      ['hook-a', 'skipped', 'stale'],
      ['hook-b', 'skipped', 'stale'],
    ]);
    expect([received('hook-b', firing.id), received('hook-b', resolve.id)]).toEqual([1, 1]);
    const state = await router.state!.alerts.read(`arn:aws:cloudwatch:us-east-1:123456789012:alarm:${alarm}`);
    expect(state?.targets['hook-b']).toMatchObject({ status: 'resolved', eventId: resolve.id });
  });

  test('an invocation that delivered but could not record the state: its retry records what the targets were told, and their refs', async () => {
    const alarm = unique('alarm');
    const firing = alarmEvent({ id: unique('firing'), state: 'ALARM', at: '2026-03-01T10:00:00.000Z', alarm });
    let failB = true;
    server.respondWith((req) => (req.url === '/hook-b' && failB ? { status: 503, body: 'down' } : { status: 200, body: 'ok' }));
    // The store drops the first write of the alert state (a blip, or the invocation killed before it).
    const store = router.state!.store;
    const put = store.put.bind(store);
    let dropped = false;
    store.put = (request) => {
      if (request.space !== 'alerts' || dropped) return put(request);
      dropped = true;
      return Promise.reject(new Error('the store went away'));
    };
    try {
      const first = await run(firing);
      expect([first.state?.recorded, first.deliveries.map((d) => d.outcome)]).toEqual([false, ['delivered', 'failed']]);
    } finally {
      store.put = put;
    }
    failB = false;
    const retry = await run(firing);
    expect(retry.deliveries.map((d) => [d.target, d.outcome, d.reason, d.earlier])).toEqual([
      ['hook-a', 'skipped', 'already-delivered', 'delivered'],
      ['hook-b', 'delivered', undefined, undefined],
    ]);
    const state = await router.state!.alerts.read(`arn:aws:cloudwatch:us-east-1:123456789012:alarm:${alarm}`);
    expect(state?.targets).toMatchObject({ 'hook-a': { status: 'firing', eventId: firing.id }, 'hook-b': { status: 'firing', eventId: firing.id } });
    // So hook-a, told it is firing, hears the resolve even inside a mute window.
    const resolve = alarmEvent({ id: unique('resolve'), state: 'OK', at: '2026-03-01T10:30:00.000Z', alarm, muted: true });
    expect((await run(resolve)).deliveries.map((d) => [d.target, d.outcome])).toEqual([
      ['hook-a', 'delivered'],
      ['hook-b', 'delivered'],
    ]);
  });

  test('a target told an alert is firing hears how it ended even where the ending is routed elsewhere (a route on the status)', async () => {
    const yaml = [
      'version: 1',
      'defaults: { retries: 0, timeoutMs: 3000 }',
      'targets:',
      ...['hook-a', 'hook-b'].flatMap((name) => [`  ${name}: { type: webhook, url: "${server.url}/${name}", allowInsecureHttp: true, allowPrivateNetwork: true }`]),
      'route:',
      '  targets: [hook-a]',
      '  routes:',
      "    - matchers: ['status=\"firing\"']",
      '      targets: [hook-b]',
      'state:',
      ...Object.entries({ ...started.settings, timeoutMs: 10_000 }).map(([key, value]) => `  ${key}: ${JSON.stringify(value)}`),
    ].join('\n');
    const paging = await createRouter(await parseConfig(yaml, 'router.yaml', {}));
    try {
      const alarm = unique('alarm');
      const firing = alarmEvent({ id: unique('firing'), state: 'ALARM', at: '2026-03-01T10:00:00.000Z', alarm });
      const resolve = alarmEvent({ id: unique('resolve'), state: 'OK', at: '2026-03-01T10:05:00.000Z', alarm });
      const runOn = async (event: unknown) => asDelivery(await processEvent(event, { router: paging, log: createLogger(), deadline: Date.now() + 15_000 }));
      expect((await runOn(firing)).deliveries.map((d) => [d.target, d.outcome])).toEqual([['hook-b', 'delivered']]);
      // The resolve's own route reaches hook-a alone; hook-b, told it is firing, hears it too.
      expect((await runOn(resolve)).deliveries.map((d) => [d.target, d.outcome])).toEqual([
        ['hook-a', 'delivered'],
        ['hook-b', 'delivered'],
      ]);
      expect([received('hook-b', firing.id), received('hook-b', resolve.id)]).toEqual([1, 1]);
    } finally {
      await paging.state?.store.close?.();
    }
  });

  test('a target told an alert is firing hears its resolve inside a mute window; one never told does not', async () => {
    const told = unique('told');
    await run(alarmEvent({ id: unique('firing'), state: 'ALARM', at: '2026-03-01T10:00:00.000Z', alarm: told }));
    const resolve = alarmEvent({ id: unique('resolve'), state: 'OK', at: '2026-03-01T10:30:00.000Z', alarm: told, muted: true });
    const heard = await run(resolve);
    expect(heard.deliveries.map((d) => [d.target, d.outcome])).toEqual([
      ['hook-a', 'delivered'],
      ['hook-b', 'delivered'],
    ]);

    // Fired inside the window: nobody was told, so nobody needs the resolve.
    const silent = unique('silent');
    const mutedFiring = await run(alarmEvent({ id: unique('firing'), state: 'ALARM', at: '2026-03-01T10:00:00.000Z', alarm: silent, muted: true }));
    expect(mutedFiring.deliveries.map((d) => d.outcome)).toEqual(['skipped', 'skipped']);
    const mutedResolve = alarmEvent({ id: unique('resolve'), state: 'OK', at: '2026-03-01T10:30:00.000Z', alarm: silent, muted: true });
    expect((await run(mutedResolve)).deliveries.map((d) => d.detail)).toEqual([expect.stringMatching(/^muted by /), expect.stringMatching(/^muted by /)]);
    expect(received('hook-a', mutedResolve.id)).toBe(0);
  });

  test('the alert state holds the status, since when, and what each target was told', async () => {
    const alarm = unique('alarm');
    const firing = alarmEvent({ id: unique('firing'), state: 'ALARM', at: '2026-03-01T10:00:00.000Z', alarm });
    await run(firing);
    const state = await router.state!.alerts.read(`arn:aws:cloudwatch:us-east-1:123456789012:alarm:${alarm}`);
    expect(state).toMatchObject({
      status: 'firing',
      since: '2026-03-01T10:00:00.000Z',
      lastEvent: { id: firing.id, status: 'firing', at: '2026-03-01T10:00:00.000Z' },
      targets: { 'hook-a': { status: 'firing', eventId: firing.id }, 'hook-b': { status: 'firing', eventId: firing.id } },
      history: [{ eventId: firing.id, status: 'firing', deliveries: { 'hook-a': 'delivered', 'hook-b': 'delivered' } }],
    });
  });
});
