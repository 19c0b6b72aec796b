// A Slack target with a bot token in the real pipeline, on the local store: the alert state
// hands the firing's message ref to the later events of the alarm, which update that message
// and reply in its thread; a redelivered resolve changes nothing more (ledger), and the next
// firing opens a new message.
import { createLogger } from '../../shared/log';
import type { DeliveryReport } from '../../shared/dispatch/types';
import { parseConfig } from '../../shared/route/config';
import { createRouter, type Router } from '../../shared/runtime/router';
import { isRefused, processEvent } from '../../shared/runtime/pipeline';
import { startFakeSlack, type FakeSlack } from '../support/fakes/slack';
import { captureLogs } from '../support/logs';
import { localHarness, type StartedStore } from './adapters';
import { alarmEvent } from './support';

const logs = captureLogs();
afterAll(() => logs.restore());

let fake: FakeSlack;
let started: StartedStore;
let router: Router;

beforeAll(async () => {
  fake = await startFakeSlack('api');
  started = await localHarness.start();
  const settings = fake.settings as { token: string; channel: string; apiUrl: string };
  const config = [
    'version: 1',
    'targets:',
    '  team-slack:',
    '    type: slack',
    '    token: ${env:SLACK_BOT_TOKEN}',
    `    channel: ${JSON.stringify(fake.channelName)}`,
    `    apiUrl: ${settings.apiUrl}`,
    '    allowPrivateNetwork: true',
    'route:',
    '  targets: [team-slack]',
    'state:',
    ...Object.entries(started.settings).map(([key, value]) => `  ${key}: ${JSON.stringify(value)}`),
  ].join('\n');
  router = await createRouter(await parseConfig(config, 'router.yaml', { SLACK_BOT_TOKEN: settings.token }));
});
afterAll(async () => {
  await router?.state?.store.close?.();
  await started?.store.close?.();
  await started?.stop();
  await fake?.server.close();
});

const run = async (event: unknown): Promise<DeliveryReport> => {
  const report = await processEvent(event, { router, log: createLogger(), deadline: Date.now() + 15_000 });
  if (isRefused(report)) throw new Error(report.error.message);
  return report;
};
const header = (i: number) => (fake.messages[i]!.blocks as { type: string; text?: { text: string } }[]).find((b) => b.type === 'header')!.text!.text;

test('firing posts, resolve updates and replies in the thread, a redelivery adds nothing, the next firing posts anew', async () => {
  const firing = await run(alarmEvent({ id: 'slack-firing-1', state: 'ALARM', at: '2026-03-01T10:00:00.000Z', alarm: 'CheckoutErrors' }));
  const ref = firing.deliveries[0]!.ref!;
  expect(ref).toBe(`${fake.channel}/${fake.messages[0]!.ts}`);

  const resolve = alarmEvent({ id: 'slack-resolve-1', state: 'OK', at: '2026-03-01T10:30:00.000Z', alarm: 'CheckoutErrors' });
  const resolved = await run(resolve);
  expect(resolved.deliveries[0]).toMatchObject({ outcome: 'delivered', ref, detail: 'slack ok: updated the message, replied in its thread' });
  expect(fake.messages).toHaveLength(2);
  expect(header(0)).toMatch(/^✅ RESOLVED/);
  expect(fake.messages[0]).toMatchObject({ edits: 1 });
  expect(fake.messages[1]).toMatchObject({ threadTs: fake.messages[0]!.ts });

  // The platform retries the resolve: the ledger has it, Slack hears nothing.
  const again = await run(resolve);
  expect(again.deliveries[0]).toMatchObject({ outcome: 'skipped', reason: 'already-delivered' });
  expect(fake.server.requests).toHaveLength(3);

  const next = await run(alarmEvent({ id: 'slack-firing-2', state: 'ALARM', at: '2026-03-01T11:00:00.000Z', alarm: 'CheckoutErrors' }));
  expect(next.deliveries[0]!.ref).toBe(`${fake.channel}/${fake.messages[2]!.ts}`);
  expect(fake.messages[2]!.threadTs).toBeUndefined();
  expect(header(2)).toMatch(/^🔥 FIRING/);
});
