// An FC 3.0 batch through the real FC handler: one bad member fails the invocation, the
// platform retries the whole batch, and the good members are not delivered again.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { handler } from '../../functions/alibaba/arms-alarm-comment';
import { InvocationFailedError, type RuntimeContext } from '../../shared/runtime/handler';
import type { DeliveryReport } from '../../shared/dispatch/types';
import { startScriptedServer, type ScriptedServer } from '../support/http-server';
import { captureLogs } from '../support/logs';
import { ROOT } from '../support/samples';

const logs = captureLogs();
const dir = mkdtempSync(join(tmpdir(), 'router-batch-'));
let server: ScriptedServer;

const fcContext = () =>
  ({ requestId: `req-${Math.random()}`, function: { name: 'arms-alarm-comment', timeout: 30 }, credentials: undefined }) as unknown as RuntimeContext;

beforeAll(async () => {
  server = await startScriptedServer();
  const config = join(dir, 'router.yaml');
  writeFileSync(
    config,
    [
      'version: 1',
      'defaults: { retries: 0 }',
      'targets:',
      ...['hook-a', 'hook-b'].flatMap((name) => [`  ${name}:`, '    type: webhook', `    url: ${server.url}/${name}`, '    allowInsecureHttp: true', '    allowPrivateNetwork: true']),
      'route:',
      '  targets: [hook-a, hook-b]',
      'state:',
      '  store: local',
      `  path: ${JSON.stringify(join(dir, 'state'))}`,
    ].join('\n'),
  );
  process.env.ROUTER_CONFIG = config;
});

afterAll(async () => {
  delete process.env.ROUTER_CONFIG;
  logs.restore();
  await server.close();
});

test('a retry of a batch after one bad member re-delivers only what failed', async () => {
  const batch = JSON.parse(readFileSync(join(ROOT, 'events/alibaba/arms-batch.json'), 'utf8')) as { id: string }[];
  const third = { ...structuredClone(batch[0]!), id: 'batch-member-bad' };
  const members = [...batch, third];
  const payload = Buffer.from(JSON.stringify(members));
  let failing = true;
  server.respondWith((req) => {
    const { alert } = req.json() as { alert: { id: string } };
    return req.url === '/hook-b' && alert.id === third.id && failing ? { status: 503, body: 'down' } : { status: 200, body: 'ok' };
  });

  const error = await handler(payload, fcContext()).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(InvocationFailedError);
  const firstReports = (error as InvocationFailedError).reports as DeliveryReport[];
  expect(firstReports.map((r) => r.ok)).toEqual([true, true, false]);

  failing = false;
  const retried = (await handler(payload, fcContext())) as DeliveryReport[];
  expect(retried.map((r) => r.deliveries.map((d) => `${d.target}:${d.reason ?? d.outcome}`))).toEqual([
    ['hook-a:already-delivered', 'hook-b:already-delivered'],
    ['hook-a:already-delivered', 'hook-b:already-delivered'],
    ['hook-a:already-delivered', 'hook-b:delivered'],
  ]);

  const counts: Record<string, number> = {};
  for (const req of server.requests) {
    const key = `${req.url.slice(1)} ${(req.json() as { alert: { id: string } }).alert.id}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  const expected: Record<string, number> = {};
  for (const member of members) for (const target of ['hook-a', 'hook-b']) expected[`${target} ${member.id}`] = target === 'hook-b' && member.id === third.id ? 2 : 1;
  expect(counts).toEqual(expected);
});
