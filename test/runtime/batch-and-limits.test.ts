// The runtime under load and hostile input: FC batches run with bounded concurrency under
// one deadline and every member isolated; depth and size limits hold before anything
// recurses; a refused raw event is logged within CloudWatch Logs' 256 KB per line, with its
// size and a hash, and the invocation still fails.
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { handler as armsCreate } from '../../functions/alibaba/arms-alarm-create';
import { handler as snsNotification } from '../../functions/aws/alarm-sns-notification';
import { handler as stateChange } from '../../functions/aws/alarm-state-change';
import type { DeliveryReport } from '../../shared/dispatch/types';
import { decodeEvents, MAX_EVENT_BYTES } from '../../shared/runtime/decode';
import { MAX_EVENT_DEPTH } from '../../shared/normalize/shape';
import { fcAdapter } from '../../shared/runtime/fc';
import { BATCH_CONCURRENCY, InvocationFailedError, type RuntimeContext } from '../../shared/runtime/handler';
import { lambdaAdapter } from '../../shared/runtime/lambda';
import { rawEventForLog } from '../../shared/runtime/raw-log';
import type { EventReport } from '../../shared/runtime/pipeline';
import { captureLogs } from '../support/logs';
import { samples } from '../support/samples';

type Json = Record<string, unknown>;
const LOG_EVENT_LIMIT = 256 * 1024;

const dir = mkdtempSync(join(tmpdir(), 'router-batch-'));
const logs = captureLogs();
let gate: Server;
const gateState = { expected: 0, received: 0, inFlight: 0, maxInFlight: 0, held: [] as ServerResponse[] };

const fcContext = (): RuntimeContext =>
  ({ requestId: 'req-fc', function: { name: 'f', timeout: 30 } }) as unknown as RuntimeContext;
const lambdaContext = (): RuntimeContext =>
  ({ awsRequestId: 'req-lambda', getRemainingTimeInMillis: () => 30_000 }) as unknown as RuntimeContext;

function sampleOf(file: string): Json {
  return structuredClone(samples('').find((s) => s.file.endsWith(file))!.value) as Json;
}

/** An ARMS create event routed to the gate webhook, with its own id. */
function gated(id: string): Json {
  const event = sampleOf('alibaba/arms-alarm-create.json');
  event.id = id;
  const group = (event.data as Json).data as Json;
  group.commonLabels = { ...(group.commonLabels as Json), route_to: 'gate' };
  return event;
}

function release(): void {
  for (const res of gateState.held.splice(0)) res.writeHead(200).end('ok');
}

beforeAll(async () => {
  // Holds every request until as many are in flight as the runtime allows, or every
  // request of the batch has arrived: a runtime that sent them one at a time would stall.
  gate = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      gateState.received++;
      gateState.inFlight++;
      gateState.maxInFlight = Math.max(gateState.maxInFlight, gateState.inFlight);
      res.on('finish', () => gateState.inFlight--);
      gateState.held.push(res);
      if (gateState.inFlight >= BATCH_CONCURRENCY || gateState.received >= gateState.expected) release();
    });
  });
  await new Promise<void>((resolve) => gate.listen(0, '127.0.0.1', resolve));
  const port = (gate.address() as AddressInfo).port;
  const config = join(dir, 'router.yaml');
  writeFileSync(
    config,
    [
      'version: 1',
      'targets:',
      '  local-file:',
      '    type: file',
      `    path: ${JSON.stringify(join(dir, 'alerts.jsonl'))}`,
      '  gate:',
      '    type: webhook',
      `    url: http://127.0.0.1:${port}/hook`,
      '    allowPrivateNetwork: true',
      '    retries: 0',
      '    timeoutMs: 10000',
      'route:',
      '  targets: [local-file]',
      '  routes:',
      '    - matchers: [\'labels.route_to="gate"\']',
      '      targets: [gate]',
    ].join('\n'),
  );
  process.env.ROUTER_CONFIG = config;
});

afterAll(async () => {
  logs.restore();
  delete process.env.ROUTER_CONFIG;
  release();
  await new Promise((resolve) => gate.close(resolve));
});

describe('an FC batch', () => {
  it(`delivers ${BATCH_CONCURRENCY} members at a time, all of them, in order`, async () => {
    const batch = Array.from({ length: 20 }, (_, i) => gated(`gated-${i}`));
    Object.assign(gateState, { expected: batch.length, received: 0, maxInFlight: 0 });
    const reports = (await armsCreate(Buffer.from(JSON.stringify(batch)), fcContext())) as DeliveryReport[];
    expect(reports.map((report) => report.eventId)).toEqual(batch.map((event) => event.id));
    expect(reports.every((report) => report.ok && report.deliveries[0]?.outcome === 'delivered')).toBe(true);
    expect(gateState.received).toBe(20);
    expect(gateState.maxInFlight).toBe(BATCH_CONCURRENCY);
  });

  it('refuses a hostile member alone: the good members before and after it are delivered', async () => {
    const good = sampleOf('alibaba/arms-alarm-create.json');
    const deep = `{"specversion":"1.0","type":"aliyun:arms:alarm:create","id":"deep","data":${'['.repeat(200_000)}${']'.repeat(200_000)}}`;
    const text = `[${JSON.stringify({ ...good, id: 'good-1' })},${deep},7,${JSON.stringify({ ...good, id: 'good-2' })}]`;
    logs.lines.length = 0;
    const error = await armsCreate(Buffer.from(text), fcContext()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvocationFailedError);
    const reports = (error as InvocationFailedError).reports;
    expect(reports.map((report) => [report.eventId, report.ok])).toEqual([
      ['good-1', true],
      ['deep', false],
      [null, false],
      ['good-2', true],
    ]);
    expect(reports[1]).toMatchObject({ error: { code: 'INVALID_EVENT', message: `invalid event: data${'[0]'.repeat(MAX_EVENT_DEPTH - 1)}: nested deeper than ${MAX_EVENT_DEPTH} levels` } });
    expect(reports[2]).toMatchObject({ error: { code: 'INVALID_EVENT', message: 'invalid event: (event): expected a JSON object, got number' } });
    expect(logs.records().filter((record) => record.msg === 'event refused')).toHaveLength(2);
  });
});

describe('refused raw events in the logs', () => {
  it('logs a 1 MB refused event within 256 KB per line, with its size and sha256, and fails the invocation', async () => {
    const event = sampleOf('aws/sns/alarm-firing.json');
    const sns = (event.Records as Json[])[0]!.Sns as Json;
    const message = JSON.parse(sns.Message as string) as Json;
    message.NewStateValue = 'SOMETHING_NEW';
    message.NewStateReason = 'é"\\'.repeat(350_000);
    sns.Message = JSON.stringify(message);
    const whole = JSON.stringify(event);
    expect(Buffer.byteLength(whole)).toBeGreaterThan(1024 * 1024);
    logs.lines.length = 0;
    const error = await snsNotification(event, lambdaContext()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvocationFailedError);
    expect((error as InvocationFailedError).reports[0]).toMatchObject({ ok: false, error: { code: 'INVALID_EVENT' } });
    const line = logs.lines.find((l) => l.includes('"event refused"'))!;
    expect(Buffer.byteLength(line)).toBeLessThanOrEqual(LOG_EVENT_LIMIT);
    const logged = (JSON.parse(line) as { event: { text: string; bytes: number; sha256: string; truncated: boolean } }).event;
    expect(logged).toMatchObject({ bytes: Buffer.byteLength(whole), sha256: createHash('sha256').update(whole).digest('hex'), truncated: true });
    expect(whole.startsWith(logged.text)).toBe(true);
  });

  it('logs an undecodable FC payload the same way', async () => {
    const payload = Buffer.from(`{${'x'.repeat(600_000)}`);
    logs.lines.length = 0;
    await expect(armsCreate(payload, fcContext())).rejects.toThrow(/not valid JSON/);
    const line = logs.lines.find((l) => l.includes('"event refused"'))!;
    expect(Buffer.byteLength(line)).toBeLessThanOrEqual(LOG_EVENT_LIMIT);
    expect(JSON.parse(line)).toMatchObject({ event: { bytes: payload.length, truncated: true } });
  });

  it('keeps the raw event in a line that a huge refused value would have made too long, and names it in a short error', async () => {
    const event = sampleOf('aws/state-change-single-metric.json');
    ((event.detail as Json).state as Json).value = 'X'.repeat(240_000);
    const whole = JSON.stringify(event);
    logs.lines.length = 0;
    const error = (await stateChange(event, lambdaContext()).catch((e: unknown) => e)) as InvocationFailedError;
    expect(error).toBeInstanceOf(InvocationFailedError);
    expect(error.message.length).toBeLessThan(2000);
    expect(error.reports[0]).toMatchObject({ error: { message: expect.stringMatching(/^invalid event: detail\.state\.value: .*… \(\d+ characters\)$/) } });
    const line = logs.lines.find((l) => l.includes('"event refused"'))!;
    expect(Buffer.byteLength(line)).toBeLessThanOrEqual(LOG_EVENT_LIMIT);
    expect(JSON.parse(line)).toMatchObject({ event: { bytes: Buffer.byteLength(whole), sha256: createHash('sha256').update(whole).digest('hex'), truncated: true } });
  });

  it('cuts the long strings of a line that would pass the limit, keeping it one JSON object', async () => {
    const event = sampleOf('aws/state-change-single-metric.json');
    event.id = 'i'.repeat(300_000);
    logs.lines.length = 0;
    await stateChange(event, lambdaContext());
    const line = logs.lines.find((l) => l.includes('"delivery report"'))!;
    expect(Buffer.byteLength(line)).toBeLessThanOrEqual(LOG_EVENT_LIMIT);
    expect(JSON.parse(line)).toMatchObject({ cut: expect.stringContaining('cut'), report: { eventId: expect.stringMatching(/^i{2048}… \(300000 characters\)$/) } });
  });

  it('logs an event nested too deep for JSON.stringify as its JSON text all the same', async () => {
    let deep: unknown = 1;
    for (let i = 0; i < 20_000; i++) deep = [deep];
    const event = { ...sampleOf('aws/state-change-single-metric.json'), extra: deep };
    logs.lines.length = 0;
    await expect(stateChange(event, lambdaContext())).rejects.toThrow(/nested deeper than/);
    const logged = (JSON.parse(logs.lines.find((l) => l.includes('"event refused"'))!) as { event: { text: string; sha256: string } }).event;
    expect(logged.text).toMatch(/^\{"version":"0",/);
    expect(logged.text.endsWith(`${'['.repeat(20_000)}1${']'.repeat(20_000)}}`)).toBe(true);
  });

  it('logs an FC event as the bytes it came as, and a failed batch as a whole, to match the dead-lettered copy', async () => {
    const pretty = Buffer.from(JSON.stringify({ ...sampleOf('alibaba/arms-alarm-create.json'), type: 'aliyun:arms:alarm:close' }, null, 2));
    const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
    logs.lines.length = 0;
    await expect(armsCreate(pretty, fcContext())).rejects.toThrow(InvocationFailedError);
    expect(logs.records().find((record) => record.msg === 'event refused')).toMatchObject({ event: { bytes: pretty.length, sha256: sha(pretty) } });

    const batch = Buffer.from(`[${JSON.stringify(sampleOf('alibaba/arms-alarm-create.json'))},7]`);
    logs.lines.length = 0;
    await expect(armsCreate(batch, fcContext())).rejects.toThrow(InvocationFailedError);
    expect(logs.records().find((record) => record.msg === 'batch failed')).toMatchObject({ events: 2, event: { bytes: batch.length, sha256: sha(batch) } });
  });

  it('names ten problems in the invocation error of a batch with more, and counts the rest', async () => {
    const batch = Buffer.from(`[${Array.from({ length: 25 }, (_, i) => i).join(',')}]`);
    const error = (await armsCreate(batch, fcContext()).catch((e: unknown) => e)) as InvocationFailedError;
    expect(error.message.split('; ')).toHaveLength(11);
    expect(error.message).toMatch(/; and 15 more \(see the delivery reports in the log\)$/);
  });

  it('keeps a lone surrogate and control characters within the limit once escaped', () => {
    const logged = rawEventForLog('\uD800\u0001'.repeat(100_000), 10_000);
    expect(Buffer.byteLength(JSON.stringify(logged.text))).toBeLessThanOrEqual(10_000);
    expect(logged.truncated).toBe(true);
  });
});

describe('decode', () => {
  it(`refuses a payload above ${MAX_EVENT_BYTES} bytes before parsing it`, () => {
    expect(() => decodeEvents(Buffer.alloc(MAX_EVENT_BYTES + 1, 0x20))).toThrow(/above the limit/);
  });

  it('reads an FC payload that starts with a byte order mark', () => {
    const event = sampleOf('alibaba/arms-alarm-create.json');
    expect(decodeEvents(Buffer.from(`\uFEFF${JSON.stringify(event)}`))).toEqual({ events: [event], batch: false });
  });

  it('splits a Lambda SNS event of several records into a batch', async () => {
    const first = sampleOf('aws/sns/alarm-firing.json');
    const second = sampleOf('aws/sns/alarm-resolved-no-arn.json');
    const event = { Records: [...(first.Records as Json[]), ...(second.Records as Json[])] };
    const reports = (await snsNotification(event, lambdaContext())) as EventReport[];
    expect(reports.map((report) => report.ok)).toEqual([true, true]);
  });
});

describe('platform adapters', () => {
  it('reads the Lambda request id and deadline', () => {
    expect(lambdaAdapter.begin({ awsRequestId: 'r1', getRemainingTimeInMillis: () => 1500 }, 1000)).toEqual({ requestId: 'r1', deadline: 2500 });
    expect(lambdaAdapter.begin(undefined, 1000)).toEqual({ requestId: undefined, deadline: undefined });
  });

  it('reads the FC request id and deadline', () => {
    expect(fcAdapter.begin({ requestId: 'r2', function: { timeout: 3 } }, 1000)).toEqual({ requestId: 'r2', deadline: 4000 });
    expect(fcAdapter.begin(null, 1000)).toEqual({ requestId: undefined, deadline: undefined });
  });
});
