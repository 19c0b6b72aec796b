import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deliver } from '../../../shared/dispatch/deliver';
import type { PreparedTarget } from '../../../shared/dispatch/types';
import { createLogger, setLogSink } from '../../../shared/log';
import { STATUSES, type Alert } from '../../../shared/model/alert';
import { normalizeEvent } from '../../../shared/normalize';
import lark, { LARK_LIMITS, larkSign } from '../../../shared/targets/chat/lark';
import { LARK_MODES, startFakeLark, type FakeLark } from '../../support/fakes/lark';
import { ROOT } from '../../support/samples';
import { armsAlert, cloudWatchAlert, describeConformance } from '../conformance';
import type { RecordedRequest } from '../../support/http-server';

describeConformance({ type: 'lark', start: async () => (await startFakeLark()).conformance() });

const log = createLogger({ test: 'lark' });
const sample = (file: string): Alert => normalizeEvent(JSON.parse(readFileSync(join(ROOT, 'events', file), 'utf8')));
/** No half of a surrogate pair left: UTF-8 round-trips the text unchanged. */
const wellFormed = (text: string) => Buffer.from(text, 'utf8').toString('utf8') === text;

function prepare(settings: Record<string, unknown>): PreparedTarget {
  const target = lark.create(lark.settings.parse(settings), { name: 'ops-lark', log, alibabaCredentials: () => undefined });
  if (target instanceof Promise) throw new Error('lark.create is synchronous');
  return { name: 'ops-lark', type: 'lark', target, policy: { timeoutMs: 2000, retries: 2 } };
}

type Card = {
  header: { title: { content: string }; template: string };
  elements: { tag: string; text?: { content: string }; fields?: { text: { content: string } }[]; actions?: { text: { content: string }; url: string }[] }[];
};

describe('lark target', () => {
  let fake: FakeLark;
  const send = async (alert: Alert, settings: Record<string, unknown> = {}) => {
    const [result] = await deliver(alert, [prepare({ ...fake.settings, ...settings })], { log, random: () => 0 });
    return result!;
  };
  const card = (i = 0) => fake.cards[i] as unknown as Card;
  const bodyText = (i = 0) => card(i).elements.find((e) => e.tag === 'div' && e.text)?.text?.content ?? '';

  beforeAll(async () => {
    setLogSink(() => undefined);
    fake = await startFakeLark();
  });
  afterAll(() => fake.server.close());
  beforeEach(() => {
    fake.cards.length = 0;
    fake.server.requests.length = 0;
    fake.server.respondWith(fake.handle);
  });

  it('posts a signed interactive card: coloured header, fields at a glance, a link button', async () => {
    const result = await send(sample('aws/state-change-single-metric.json'));

    expect(result).toMatchObject({ outcome: 'delivered', attempts: 1, detail: 'lark code 0: success' });
    expect(card().header).toEqual({ title: { tag: 'plain_text', content: '🔥 FIRING · 🟠 ServerCpuTooHigh' }, template: 'orange' });
    expect(bodyText()).toMatch(/^\*\*ServerCpuTooHigh is ALARM/);
    const fields = card().elements.find((e) => e.fields)!.fields!.map((f) => f.text.content);
    expect(fields).toEqual(['**Status**\n🔥 FIRING', '**Severity**\n🟠 ERROR', '**Where**\naws 123456789012 us-east-1', '**When**\n2019-10-02T17:04:40.989Z']);
    const buttons = card().elements.find((e) => e.tag === 'action')!.actions!;
    expect(buttons).toEqual([expect.objectContaining({ text: { tag: 'plain_text', content: 'CloudWatch console' }, url: 'https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#alarmsV2:alarm/ServerCpuTooHigh' })]);
    // The signature travels in the body, its timestamp in seconds.
    const sent = fake.server.requests[0]!.json() as { timestamp: string; sign: string };
    expect(Number(sent.timestamp)).toBeCloseTo(Date.now() / 1000, -1);
    expect(sent.sign).toBe(larkSign(fake.secret, Number(sent.timestamp)));
  });

  it('takes the legacy {StatusCode, StatusMessage} answer of older bots: 0 delivered, other codes failed', async () => {
    fake.server.respondWith({ status: 200, body: { Extra: null, StatusCode: 0, StatusMessage: 'success' } });
    expect(await send(cloudWatchAlert())).toMatchObject({ outcome: 'delivered', attempts: 1 });
    fake.server.respondWith({ status: 200, body: { StatusCode: 19021, StatusMessage: 'sign match fail or timestamp is not within one hour from current time' } });
    expect(await send(cloudWatchAlert())).toMatchObject({ outcome: 'failed', retryable: false, detail: expect.stringMatching(/^lark StatusCode 19021: sign match fail/) });
  });

  it('colours the header by status and severity', async () => {
    const alerts = [cloudWatchAlert(), armsAlert({ severity: 'warning' }), armsAlert({ status: 'resolved' }), armsAlert({ status: 'acknowledged' }), cloudWatchAlert({ status: 'insufficient-data' })];

    for (const alert of alerts) await send(alert);

    expect(fake.cards.map((_, i) => card(i).header.template)).toEqual(['red', 'yellow', 'green', 'purple', 'grey']);
  });

  it('renders a Chinese ARMS alert intact', async () => {
    await send(sample('alibaba/arms-chinese-p1.json'));

    expect(card().header.title.content).toBe('🔥 FIRING · 🔴 CPU使用率过高');
    expect(card().header.template).toBe('red');
    expect(bodyText()).toContain('主机192.168.0.3 CPU使用率85%,超过阈值80%');
    expect(JSON.stringify(card())).not.toContain('\uFFFD');
  });

  it('keeps the 20 KB body limit for a huge description, cutting between characters', async () => {
    const alert = cloudWatchAlert({ description: '"磁盘"\n已满🔥'.repeat(20_000), summary: '摘要'.repeat(512) });

    const result = await send(alert);

    // The fake refuses a body over 20 KB, so delivery proves the limit kept.
    expect(result.outcome).toBe('delivered');
    expect(Buffer.byteLength(fake.server.requests[0]!.body)).toBeLessThanOrEqual(LARK_LIMITS.bodyBytes);
    expect(bodyText()).toContain('…');
    expect(wellFormed(bodyText())).toBe(true);
  });

  it('cuts a template that renders past the body budget to it', async () => {
    const result = await send(cloudWatchAlert({ description: '"磁盘"\n已满🔥'.repeat(20_000) }), { templates: { body: '{{description}}'.repeat(12) } });

    expect(result.outcome).toBe('delivered');
    expect(Buffer.byteLength(fake.server.requests[0]!.body)).toBeGreaterThan(LARK_LIMITS.bodyBytes - LARK_LIMITS.signatureBytes - 16);
    expect(bodyText().endsWith('…')).toBe(true);
    expect(wellFormed(bodyText())).toBe(true);
  });

  it('uses the templates of its settings, escaping values for lark_md', async () => {
    const templates = { title: '{{severityLabel}} 告警: {{name}}', body: '{{name}} on {{labels.InstanceId}}' };

    await send(cloudWatchAlert({ name: 'cpu <at id=all></at>' }), { templates });

    expect(card().header.title.content).toBe('CRITICAL 告警: cpu <at id=all></at>');
    expect(bodyText()).toBe('cpu &lt;at id=all&gt;&lt;/at&gt; on i-12345678901234567');
  });

  it('posts every status, or skips those outside `statuses`', async () => {
    const results = [];
    for (const status of STATUSES) results.push(await send(armsAlert({ status }), { statuses: ['firing', 'resolved'] }));
    for (const status of STATUSES) results.push(await send(armsAlert({ status })));

    expect(results.map((r) => r.outcome)).toEqual([
      ...STATUSES.map((status) => (status === 'firing' || status === 'resolved' ? 'delivered' : 'skipped')),
      ...STATUSES.map(() => 'delivered'),
    ]);
    expect(results.map((r) => r.detail)).toContain('status commented is not in statuses (firing, resolved)');
    expect(fake.cards).toHaveLength(2 + STATUSES.length);
  });

  it('is retried through deliver() when the bot throttles (11232), then delivered', async () => {
    fake.server.respondWith(LARK_MODES.throttle, fake.handle);

    const result = await send(cloudWatchAlert());

    expect(result).toMatchObject({ outcome: 'delivered', attempts: 2 });
  });

  it("waits as long as the gateway's x-ogw-ratelimit-reset says before trying again", async () => {
    fake.server.respondWith({ ...LARK_MODES.throttle, headers: { 'x-ogw-ratelimit-reset': '1' } }, fake.handle);

    const result = await send(cloudWatchAlert());

    expect(result).toMatchObject({ outcome: 'delivered', attempts: 2 });
    const [first, second] = fake.server.requests.slice(-2) as [RecordedRequest, RecordedRequest];
    expect(second.receivedAt - first.receivedAt).toBeGreaterThanOrEqual(950);
  });

  it('fails for good with a wrong signing secret (19021), the secret nowhere', async () => {
    const wrong = 'wrong0lark0secret0abcdef123456';

    const result = await send(cloudWatchAlert(), { secret: wrong });

    expect(result).toMatchObject({ outcome: 'failed', retryable: false, attempts: 1 });
    expect(result.detail).toContain('lark code 19021');
    expect(JSON.stringify(result)).not.toContain(wrong);
  });

  it('the fake bot refuses a signature older than an hour, as Lark does', async () => {
    const stale = Math.floor(Date.now() / 1000) - 3700;
    const body = { timestamp: String(stale), sign: larkSign(fake.secret, stale), ...(lark.render!(cloudWatchAlert(), lark.settings.parse(fake.settings)) as object) };

    const res = await fetch(fake.webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

    expect(await res.json()).toMatchObject({ code: 19021 });
    expect(fake.cards).toHaveLength(0);
  });
});

describe('lark settings', () => {
  it.each([
    [{}, 'expected string'],
    [{ webhookUrl: 'http://open.feishu.cn/open-apis/bot/v2/hook/x' }, 'must use https'],
    [{ webhookUrl: 'https://open.feishu.cn/open-apis/bot/v2/hook/x', templates: { footer: 'x' } }, 'Unrecognized key'],
  ])('refuses %j', (settings, message) => {
    const result = lark.settings.safeParse(settings);
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((issue) => issue.message).join('; ')).toContain(message);
  });
});
