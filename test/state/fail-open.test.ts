// A store that hangs, refuses connections or cannot write never holds an alert back: every
// target is delivered (at least once) and the report says the ledger was unavailable.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../shared/log';
import type { DeliveryReport } from '../../shared/dispatch/types';
import { createRouter, type Router } from '../../shared/runtime/router';
import { processEvent } from '../../shared/runtime/pipeline';
import { startScriptedServer, type ScriptedServer } from '../support/http-server';
import { captureLogs } from '../support/logs';
import { DYNALITE_ENV, startDynalite, type Dynalite } from '../support/dynalite';
import { alarmEvent, webhookConfig } from './support';

const logs = captureLogs();
let server: ScriptedServer;
let dynalite: Dynalite;
let dir: string;

beforeAll(async () => {
  for (const [name, value] of Object.entries(DYNALITE_ENV)) process.env[name] ??= value;
  [server, dynalite, dir] = await Promise.all([startScriptedServer(), startDynalite(), mkdtemp(join(tmpdir(), 'router-failopen-'))]);
});
afterAll(async () => {
  logs.restore();
  await Promise.all([server.close(), dynalite.stop(), rm(dir, { recursive: true, force: true })]);
});

const run = async (router: Router, id: string) =>
  (await processEvent(alarmEvent({ id, state: 'ALARM', at: '2026-03-01T10:00:00.000Z', alarm: `alarm-${id}` }), {
    router,
    log: createLogger(),
    deadline: Date.now() + 15_000,
  })) as DeliveryReport;

const allDelivered = (report: DeliveryReport) => {
  expect(report.ok).toBe(true);
  expect(report.deliveries.map((d) => [d.target, d.outcome])).toEqual([
    ['hook-a', 'delivered'],
    ['hook-b', 'delivered'],
  ]);
};

test('a DynamoDB that does not answer: delivered after the store timeout, ledger unavailable', async () => {
  const router = await createRouter(
    await webhookConfig(server.url, ['hook-a', 'hook-b'], { store: 'dynamodb', table: dynalite.table, endpoint: dynalite.endpoint, timeoutMs: 150 }),
  );
  dynalite.hang(true);
  try {
    const report = await run(router, 'hang-1');
    allDelivered(report);
    expect(report.state).toEqual({ store: 'dynamodb', ledger: 'unavailable', recorded: false, detail: expect.stringContaining('did not answer within 150 ms') });
  } finally {
    dynalite.hang(false);
    await router.state?.store.close?.();
  }
});

test('a DynamoDB that refuses connections: delivered, ledger unavailable, the error named', async () => {
  const down = await startDynalite();
  await down.stop();
  const router = await createRouter(await webhookConfig(server.url, ['hook-a', 'hook-b'], { store: 'dynamodb', table: down.table, endpoint: down.endpoint }));
  const report = await run(router, 'down-1');
  allDelivered(report);
  expect(report.state).toMatchObject({ ledger: 'unavailable', recorded: false, detail: expect.stringMatching(/dynamodb store: GetItem on table alert-router-state failed/) });
  await router.state?.store.close?.();
});

test('a DynamoDB table that does not exist: delivered, ledger unavailable', async () => {
  const router = await createRouter(await webhookConfig(server.url, ['hook-a', 'hook-b'], { store: 'dynamodb', table: 'no-such-table', endpoint: dynalite.endpoint }));
  const report = await run(router, 'missing-1');
  allDelivered(report);
  expect(report.state).toMatchObject({ ledger: 'unavailable', detail: expect.stringContaining('ResourceNotFoundException') });
  await router.state?.store.close?.();
});

test('a local store whose directory cannot be made: delivered, ledger unavailable', async () => {
  const blocker = join(dir, 'a-file');
  await writeFile(blocker, 'not a directory');
  const router = await createRouter(await webhookConfig(server.url, ['hook-a', 'hook-b'], { store: 'local', path: join(blocker, 'state') }));
  const report = await run(router, 'local-1');
  allDelivered(report);
  expect(report.state).toMatchObject({ store: 'local', ledger: 'unavailable', recorded: false, detail: expect.stringMatching(/^local store: /) });
});

test('the store recovering: the next event uses the ledger again', async () => {
  // Long enough for a loaded machine's answers, short enough for the hanging phase.
  const router = await createRouter(
    await webhookConfig(server.url, ['hook-a', 'hook-b'], { store: 'dynamodb', table: dynalite.table, endpoint: dynalite.endpoint, timeoutMs: 2000 }),
  );
  dynalite.hang(true);
  allDelivered(await run(router, 'recover-1'));
  dynalite.hang(false);
  const report = await run(router, 'recover-2');
  allDelivered(report);
  expect(report.state).toEqual({ store: 'dynamodb', ledger: 'used', recorded: true });
  await router.state?.store.close?.();
});
