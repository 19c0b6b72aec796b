// The real handlers of functions/ on the real sample events, in both runtime shapes:
// Lambda hands an object, FC 3.0 a Buffer of one CloudEvent or an array of them.
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eventTypeOf, normalizeEvent } from '../../shared/normalize';
import { InvocationFailedError, type HandlerResult, type RuntimeContext } from '../../shared/runtime/handler';
import { alibabaCredentials } from '../../shared/runtime/credentials';
import { redact } from '../../shared/log';
import { isRefused, type EventReport } from '../../shared/runtime/pipeline';
import type { DeliveryReport } from '../../shared/dispatch/types';
import { handler as stateChange } from '../../functions/aws/alarm-state-change';
import { handler as contributorChange } from '../../functions/aws/alarm-contributor-state-change';
import { handler as configChange } from '../../functions/aws/alarm-configuration-change';
import { handler as armsCreate } from '../../functions/alibaba/arms-alarm-create';
import { handler as armsClaim } from '../../functions/alibaba/arms-alarm-claim';
import { handler as armsComment } from '../../functions/alibaba/arms-alarm-comment';
import { handler as armsClose } from '../../functions/alibaba/arms-alarm-close';
import { handler as snsNotification } from '../../functions/aws/alarm-sns-notification';
import { handler as lambdaAction } from '../../functions/aws/alarm-lambda-action';
import { samples, eventsOf } from '../support/samples';
import { captureLogs } from '../support/logs';

type Handler = (event: unknown, context: RuntimeContext) => Promise<HandlerResult>;

const HANDLERS: Record<string, Handler> = {
  'CloudWatch Alarm State Change': stateChange,
  'CloudWatch Alarm Contributor State Change': contributorChange,
  'CloudWatch Alarm Configuration Change': configChange,
  'CloudWatch Alarm SNS Notification': snsNotification,
  'CloudWatch Alarm Lambda Action': lambdaAction,
  'aliyun:arms:alarm:create': armsCreate,
  'aliyun:arms:alarm:claim': armsClaim,
  'aliyun:arms:alarm:comment': armsComment,
  'aliyun:arms:alarm:close': armsClose,
};

const dir = mkdtempSync(join(tmpdir(), 'router-handler-'));
const outFile = join(dir, 'alerts.jsonl');
let sink: Server;
let failingPort: number;
const logs = captureLogs();

const lambdaContext = (): RuntimeContext =>
  ({ awsRequestId: 'req-lambda', getRemainingTimeInMillis: () => 10_000 }) as unknown as RuntimeContext;
const fcContext = (): RuntimeContext =>
  ({
    requestId: 'req-fc',
    function: { name: 'f', timeout: 10 },
    credentials: { accessKeyId: 'STS.fc-ak', accessKeySecret: 'fc-secret-value', securityToken: 'fc-token' },
  }) as unknown as RuntimeContext;

beforeAll(async () => {
  // A webhook that always fails with 500: the "broken" target of the failure tests.
  sink = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(500).end('boom'));
  });
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  failingPort = (sink.address() as AddressInfo).port;
  const config = join(dir, 'router.yaml');
  writeFileSync(
    config,
    [
      'version: 1',
      'targets:',
      '  local-file:',
      '    type: file',
      `    path: ${JSON.stringify(outFile)}`,
      '  broken:',
      '    type: webhook',
      `    url: http://127.0.0.1:${failingPort}/hook`,
      '    allowPrivateNetwork: true',
      '    retries: 1',
      '    timeoutMs: 2000',
      'route:',
      '  targets: [local-file]',
      '  routes:',
      '    - matchers: [\'labels.route_to="broken"\']',
      '      targets: [local-file, broken]',
    ].join('\n'),
  );
  process.env.ROUTER_CONFIG = config;
});

afterAll(async () => {
  logs.restore();
  delete process.env.ROUTER_CONFIG;
  await new Promise((resolve) => sink.close(resolve));
});

const delivered = (report: EventReport) => {
  expect(isRefused(report)).toBe(false);
  const r = report as DeliveryReport;
  expect(r.ok).toBe(true);
  expect(r.deliveries).toEqual([expect.objectContaining({ target: 'local-file', outcome: 'delivered', attempts: 1 })]);
  return r;
};

const writtenIds = () =>
  existsSync(outFile)
    ? readFileSync(outFile, 'utf8')
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as { id: string }).id)
    : [];

describe.each([
  ['Lambda (object)', (value: unknown) => value, lambdaContext],
  ['FC 3.0 (Buffer)', (value: unknown) => Buffer.from(JSON.stringify(value)), fcContext],
])('every sample event through its handler, %s', (_shape, encode, context) => {
  const all = [...samples('aws'), ...samples('alibaba')];

  it('finds samples of every event type', () => {
    const types = new Set(all.flatMap((sample) => eventsOf(sample).map(eventTypeOf)));
    expect([...types].sort()).toEqual(Object.keys(HANDLERS).sort());
  });

  it.each(all.map((sample) => [sample.file, sample] as const))('%s', async (_file, sample) => {
    const events = eventsOf(sample);
    const handler = HANDLERS[eventTypeOf(events[0])]!;
    const result = await handler(encode(sample.value), context());
    const reports = Array.isArray(sample.value) ? (result as EventReport[]) : [result as EventReport];
    expect(Array.isArray(result)).toBe(Array.isArray(sample.value));
    expect(reports).toHaveLength(events.length);
    for (const [i, report] of reports.entries()) {
      expect(report.eventId).toBe(normalizeEvent(events[i]).source.id);
      if (normalizeEvent(events[i]).muted?.active) {
        // Inside an active CloudWatch mute window: skipped, and said so.
        expect(report).toMatchObject({ ok: true, deliveries: [{ target: 'local-file', outcome: 'skipped', detail: expect.stringMatching(/^muted by arn:aws:cloudwatch:/) }] });
        continue;
      }
      const r = delivered(report);
      expect(writtenIds()).toContain(r.alertId);
    }
  });
});

describe('refusals', () => {
  const singleMetric = samples('aws').find((s) => s.file.endsWith('state-change-single-metric.json'))!.value;
  const armsCreateEvent = samples('alibaba').find((s) => s.file.endsWith('arms-alarm-create.json'))!.value;

  it('a handler given an event of another type refuses it, logging the raw event', async () => {
    logs.lines.length = 0;
    const error = await configChange(singleMetric, lambdaContext()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvocationFailedError);
    const [report] = (error as InvocationFailedError).reports;
    expect(report).toMatchObject({
      ok: false,
      eventId: (singleMetric as { id: string }).id,
      error: { code: 'UNSUPPORTED_EVENT' },
    });
    expect((error as Error).message).toContain('CloudWatch Alarm State Change');
    const refusal = logs.records().find((record) => record.msg === 'event refused');
    const logged = refusal?.event as { text: string; truncated: boolean };
    expect(logged.truncated).toBe(false);
    expect(JSON.parse(logged.text)).toEqual(singleMetric);
  });

  it('an ARMS handler refuses the ARMS event of another lifecycle step', async () => {
    const error = await armsClose(Buffer.from(JSON.stringify(armsCreateEvent)), fcContext()).catch((e: unknown) => e);
    expect((error as InvocationFailedError).reports[0]).toMatchObject({ error: { code: 'UNSUPPORTED_EVENT' } });
  });

  it.each(samples('invalid').map((sample) => [sample.file, sample] as const))(
    'invalid sample %s is refused with a typed error, never a crash',
    async (_file, sample) => {
      const handler = sample.file.includes('/aws/') ? stateChange : armsCreate;
      const error = await handler(sample.value, lambdaContext()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvocationFailedError);
      for (const report of (error as InvocationFailedError).reports) {
        expect(report.ok).toBe(false);
        expect(isRefused(report) && ['INVALID_EVENT', 'UNSUPPORTED_EVENT']).toContain(isRefused(report) && report.error.code);
      }
    },
  );

  it('undecodable input is refused with a clear message', async () => {
    await expect(armsCreate(Buffer.from('{not json'), fcContext())).rejects.toThrow(/invalid event: \(event\): not valid JSON/);
    await expect(armsCreate(Buffer.from('[]'), fcContext())).rejects.toThrow(/empty batch/);
  });

  it('one bad event of a batch does not stop the others', async () => {
    const bad = { ...(armsCreateEvent as object), id: 'bad-1', data: null };
    const batch = [armsCreateEvent, bad];
    const error = await armsCreate(Buffer.from(JSON.stringify(batch)), fcContext()).catch((e: unknown) => e);
    const reports = (error as InvocationFailedError).reports;
    expect(reports).toHaveLength(2);
    delivered(reports[0]!);
    expect(reports[1]).toMatchObject({ ok: false, eventId: 'bad-1', error: { code: 'INVALID_EVENT' } });
    expect((error as Error).message).toMatch(/event bad-1 refused: invalid event: data/);
  });
});

describe('failures', () => {
  it('a failing target fails the invocation without hiding or blocking the other', async () => {
    const event = structuredClone(samples('aws').find((s) => s.file.endsWith('state-change-single-metric.json'))!.value) as {
      id: string;
      detail: { configuration: { metrics: { metricStat: { metric: { dimensions: Record<string, string> } } }[] } };
    };
    event.id = 'route-to-broken';
    event.detail.configuration.metrics[0]!.metricStat.metric.dimensions.route_to = 'broken';
    logs.lines.length = 0;
    const error = await stateChange(event, lambdaContext()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvocationFailedError);
    const report = (error as InvocationFailedError).reports[0] as DeliveryReport;
    expect(report.deliveries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ target: 'local-file', outcome: 'delivered' }),
        expect.objectContaining({ target: 'broken', outcome: 'failed', retryable: true, attempts: 2 }),
      ]),
    );
    expect(writtenIds()).toContain('route-to-broken');
    expect((error as Error).message).toMatch(/^broken failed after 2 attempt\(s\)/);
    // The report was logged as one JSON line before the invocation failed.
    expect(logs.records().filter((record) => record.msg === 'delivery report')).toHaveLength(1);
  });
});

describe('credentials', () => {
  it('an FC invocation makes its temporary credentials the Alibaba credentials', async () => {
    const armsEvent = samples('alibaba').find((s) => s.file.endsWith('arms-alarm-create.json'))!.value;
    await armsCreate(Buffer.from(JSON.stringify(armsEvent)), fcContext());
    expect(alibabaCredentials({})).toEqual({ accessKeyId: 'STS.fc-ak', accessKeySecret: 'fc-secret-value', securityToken: 'fc-token' });
    // Read, they are redacted wherever they would appear: an echoing server cannot log them.
    expect(redact('x-acs-security-token: fc-token, secret fc-secret-value')).toBe('x-acs-security-token: [REDACTED], secret [REDACTED]');
  });
});
