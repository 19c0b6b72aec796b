// The references the alert state keeps, end to end: the real pipeline (normalize -> route ->
// dispatch -> record) with the local store and the Jira, ServiceNow and PagerDuty fakes.
// The firing creates the ticket (searching once for it, once more for a racer); every later
// event of the alert goes to the stored reference, with no search at all.
import { createLogger } from '../../shared/log';
import type { DeliveryReport } from '../../shared/dispatch/types';
import { parseConfig } from '../../shared/route/config';
import { createRouter, type Router } from '../../shared/runtime/router';
import { isRefused, processEvent, type EventReport } from '../../shared/runtime/pipeline';
import { startFakeJira, type FakeJira } from '../support/fakes/jira';
import { startFakePagerDuty, type FakePagerDuty } from '../support/fakes/pagerduty';
import { startFakeServiceNow, type FakeServiceNow } from '../support/fakes/servicenow';
import { captureLogs } from '../support/logs';
import { localHarness, type StartedStore } from './adapters';
import { alarmEvent } from './support';

const logs = captureLogs();
afterAll(() => logs.restore());

const asDelivery = (report: EventReport): DeliveryReport => {
  if (isRefused(report)) throw new Error(`refused: ${report.error.message}`);
  return report;
};

describe('lifecycle targets through the pipeline with a state store', () => {
  let started: StartedStore;
  let jira: FakeJira;
  let snow: FakeServiceNow;
  let pd: FakePagerDuty;
  let router: Router;
  const run = async (event: unknown) => asDelivery(await processEvent(event, { router, log: createLogger(), deadline: Date.now() + 15_000 }));
  const refs = (report: DeliveryReport) => Object.fromEntries(report.deliveries.map((d) => [d.target, d.ref]));

  beforeAll(async () => {
    [started, jira, snow, pd] = await Promise.all([localHarness.start(), startFakeJira(), startFakeServiceNow(), startFakePagerDuty()]);
    const text = [
      'version: 1',
      'defaults:',
      '  retries: 0',
      '  timeoutMs: 5000',
      'targets:',
      '  tickets:',
      '    type: jira',
      `    url: ${jira.url}`,
      '    allowPrivateNetwork: true',
      `    email: ${jira.email}`,
      '    apiToken: ${env:JIRA_TOKEN}',
      `    project: ${jira.project}`,
      '  incidents:',
      '    type: servicenow',
      `    url: ${snow.url}`,
      '    allowPrivateNetwork: true',
      `    username: ${snow.username}`,
      '    password: ${env:SNOW_PASSWORD}',
      '  pager:',
      '    type: pagerduty',
      `    url: ${pd.url}`,
      '    allowPrivateNetwork: true',
      '    routingKey: ${env:PD_KEY}',
      'route:',
      '  targets: [tickets, incidents, pager]',
      'state:',
      ...Object.entries({ ...started.settings, timeoutMs: 10_000 }).map(([key, value]) => `  ${key}: ${JSON.stringify(value)}`),
    ].join('\n');
    router = await createRouter(await parseConfig(text, 'router.yaml', { JIRA_TOKEN: jira.apiToken, SNOW_PASSWORD: snow.password, PD_KEY: pd.routingKey }));
  });
  afterAll(async () => {
    await router?.state?.store.close?.();
    await Promise.all([jira?.stop(), snow?.stop(), pd?.stop()]);
    await started?.stop();
  });

  test('the resolve goes to the stored issue, incident and dedup_key without searching', async () => {
    const alarm = 'RefsLatency';
    const firing = await run(alarmEvent({ id: 'refs-firing', state: 'ALARM', at: '2026-03-01T10:00:00.000Z', alarm }));
    expect(firing.deliveries.map((d) => [d.target, d.outcome])).toEqual([
      ['tickets', 'delivered'],
      ['incidents', 'delivered'],
      ['pager', 'delivered'],
    ]);
    const [issue] = jira.issues();
    const [incident] = snow.incidents();
    expect(refs(firing)).toEqual({ tickets: issue?.key, incidents: incident?.sys_id, pager: `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${alarm}` });
    // The search before the create and the check for a racer after it.
    expect([jira.queries().length, snow.queries().length]).toEqual([2, 2]);

    const resolved = await run(alarmEvent({ id: 'refs-ok', state: 'OK', at: '2026-03-01T10:05:00.000Z', alarm }));
    expect(resolved.deliveries.map((d) => [d.target, d.outcome, d.detail])).toEqual([
      ['tickets', 'delivered', `resolved ${issue?.key}`],
      ['incidents', 'delivered', `resolved ${incident?.number}`],
      ['pager', 'delivered', expect.stringMatching(/^resolve accepted/)],
    ]);
    expect(refs(resolved)).toEqual(refs(firing));
    expect([jira.queries().length, snow.queries().length]).toEqual([2, 2]);
    expect([issue?.status.category, incident?.state, pd.alerts().map((a) => a.status)]).toEqual(['done', '6', ['resolved']]);
  });

  test('a stored issue deleted meanwhile: the next event searches, creates, and the state keeps the new key', async () => {
    const alarm = 'RefsDeleted';
    const firing = await run(alarmEvent({ id: 'deleted-firing', state: 'ALARM', at: '2026-03-02T10:00:00.000Z', alarm }));
    const first = refs(firing).tickets as string;
    jira.deleteIssue(first);
    const again = await run(alarmEvent({ id: 'deleted-firing-2', state: 'ALARM', at: '2026-03-02T10:01:00.000Z', alarm }));
    const [tickets] = again.deliveries;
    expect(tickets).toMatchObject({ target: 'tickets', outcome: 'delivered', detail: expect.stringMatching(new RegExp(`^stored issue ${first} not found, searched: created OPS-\\d+$`)) });
    const searches = jira.queries().length;
    const resolved = await run(alarmEvent({ id: 'deleted-ok', state: 'OK', at: '2026-03-02T10:05:00.000Z', alarm }));
    expect(resolved.deliveries[0]).toMatchObject({ target: 'tickets', outcome: 'delivered', detail: `resolved ${tickets?.ref}` });
    expect(jira.queries().length).toBe(searches);
  });
});
