import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deliver } from '../../../shared/dispatch/deliver';
import type { PreparedTarget } from '../../../shared/dispatch/types';
import { createLogger, setLogSink } from '../../../shared/log';
import type { Alert } from '../../../shared/model/alert';
import { normalizeEvent } from '../../../shared/normalize';
import dingtalk, { DINGTALK_LIMITS, dingtalkSign } from '../../../shared/targets/chat/dingtalk';
import { DINGTALK_MODES, startFakeDingTalk, type FakeDingTalk } from '../../support/fakes/dingtalk';
import { ROOT } from '../../support/samples';
import { armsAlert, cloudWatchAlert, describeConformance } from '../conformance';

describeConformance({ type: 'dingtalk', start: async () => (await startFakeDingTalk()).conformance() });

const log = createLogger({ test: 'dingtalk' });
const sample = (file: string): Alert => normalizeEvent(JSON.parse(readFileSync(join(ROOT, 'events', file), 'utf8')));
/** No half of a surrogate pair left: UTF-8 round-trips the text unchanged. */
const wellFormed = (text: string) => Buffer.from(text, 'utf8').toString('utf8') === text;

function prepare(settings: Record<string, unknown>): PreparedTarget {
  const target = dingtalk.create(dingtalk.settings.parse(settings), { name: 'ops-dingtalk', log, alibabaCredentials: () => undefined });
  if (target instanceof Promise) throw new Error('dingtalk.create is synchronous');
  return { name: 'ops-dingtalk', type: 'dingtalk', target, policy: { timeoutMs: 2000, retries: 2 } };
}

describe('dingtalk target', () => {
  let fake: FakeDingTalk;
  const send = async (alert: Alert, settings: Record<string, unknown> = {}) => {
    const [result] = await deliver(alert, [prepare({ ...fake.settings, ...settings })], { log, random: () => 0 });
    return result!;
  };
  const message = () => fake.messages[0]!;

  beforeAll(async () => {
    setLogSink(() => undefined);
    fake = await startFakeDingTalk();
  });
  afterAll(() => fake.server.close());
  beforeEach(() => {
    fake.messages.length = 0;
    fake.server.requests.length = 0;
    fake.server.respondWith(fake.handle);
  });

  it('posts a signed markdown message: coloured status, severity, summary and a clickable link', async () => {
    const before = Date.now();
    const result = await send(sample('aws/state-change-single-metric.json'));

    expect(result).toMatchObject({ outcome: 'delivered', attempts: 1, detail: 'dingtalk errcode 0: ok' });
    expect(message().title).toBe('🔥 FIRING · 🟠 ServerCpuTooHigh');
    expect(message().text).toMatch(/^### 🔥 <font color=#E8710A>FIRING<\/font> ServerCpuTooHigh\n\n\*\*🟠 ERROR\*\* · aws 123456789012 us-east-1\n/);
    expect(message().text).toContain('[CloudWatch console](https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#alarmsV2:alarm/ServerCpuTooHigh)');
    // The signature's timestamp is in milliseconds, taken when the request was made.
    expect(message().timestamp).toBeGreaterThanOrEqual(before);
    expect(message().timestamp).toBeLessThanOrEqual(Date.now());
  });

  it('renders a Chinese ARMS alert intact', async () => {
    await send(sample('alibaba/arms-chinese-p1.json'));

    expect(message().title).toBe('🔥 FIRING · 🔴 CPU使用率过高');
    expect(message().text).toContain('主机192.168.0.3 CPU使用率85%,超过阈值80%');
    expect(message().text).toContain('**🔴 CRITICAL** (P1)');
    expect(message().text).not.toContain('\uFFFD');
  });

  it('mentions the configured people on firing only, with their @ in the text', async () => {
    const at = { atMobiles: ['13800000000'], atUserIds: ['ops-lead'] };

    await send(armsAlert(), { at });
    await send(armsAlert({ status: 'resolved' }), { at });

    expect(fake.messages[0]!.at).toEqual({ atMobiles: ['13800000000'], atUserIds: ['ops-lead'], isAtAll: false });
    expect(fake.messages[0]!.text.endsWith('\n\n@13800000000 @ops-lead')).toBe(true);
    expect(fake.messages[1]!.at).toEqual({ atMobiles: [], atUserIds: [], isAtAll: false });
    expect(fake.messages[1]!.text).not.toContain('@13800000000');
  });

  it('mentions everyone when isAtAll is set for the status', async () => {
    await send(armsAlert({ status: 'commented', comment: '正在处理' }), { at: { isAtAll: true, statuses: ['commented'] } });

    expect(message().at.isAtAll).toBe(true);
    expect(message().text).toContain('💬 正在处理');
  });

  it('keeps the text limit for a huge description, cutting between characters, links kept', async () => {
    const alert = cloudWatchAlert({ description: '磁盘已满🔥'.repeat(30_000) });

    const result = await send(alert, { at: { atMobiles: ['13800000000'] } });

    expect(result.outcome).toBe('delivered');
    expect(message().text.length).toBeLessThanOrEqual(DINGTALK_LIMITS.text);
    expect(message().text).toContain('…');
    expect(message().text).toContain('[CloudWatch console](');
    expect(message().text.endsWith('@13800000000')).toBe(true);
    expect(wellFormed(message().text)).toBe(true);
  });

  it('cuts a template that renders past the text limit to it, mentions kept', async () => {
    const result = await send(cloudWatchAlert({ description: '磁盘已满🔥'.repeat(30_000) }), { templates: { text: '{{description}}'.repeat(12) }, at: { atUserIds: ['ops-lead'] } });

    expect(result.outcome).toBe('delivered');
    expect(message().text.length).toBeGreaterThan(DINGTALK_LIMITS.text - 4);
    expect(message().text.endsWith('…\n\n@ops-lead')).toBe(true);
    expect(wellFormed(message().text)).toBe(true);
  });

  it('uses the templates of its settings', async () => {
    const templates = { title: '告警 {{name}}', text: '{{#isFiring}}**{{severityLabel}}**{{/isFiring}} {{name}} {{labels.InstanceId}}' };

    await send(cloudWatchAlert(), { templates });

    expect(message()).toMatchObject({ title: '告警 ServerCpuTooHigh', text: '**CRITICAL** ServerCpuTooHigh i-12345678901234567' });
  });

  it('skips statuses outside `statuses`', async () => {
    const result = await send(cloudWatchAlert({ kind: 'config-change', status: 'config-updated' }), { statuses: ['firing', 'resolved'] });

    expect(result).toMatchObject({ outcome: 'skipped', detail: 'status config-updated is not in statuses (firing, resolved)' });
    expect(fake.server.requests).toHaveLength(0);
  });

  it('is retried through deliver() when the robot throttles (130101), then delivered', async () => {
    fake.server.respondWith(DINGTALK_MODES.throttle, fake.handle);

    const result = await send(cloudWatchAlert());

    expect(result).toMatchObject({ outcome: 'delivered', attempts: 2 });
    expect(fake.messages).toHaveLength(1);
  });

  it('fails for good with a wrong signing secret, naming the code but not the secret', async () => {
    const wrong = 'SECwrong0secret0for0this0robot0123456';

    const result = await send(cloudWatchAlert(), { secret: wrong });

    expect(result).toMatchObject({ outcome: 'failed', retryable: false, attempts: 1, detail: 'dingtalk errcode 310000: sign not match' });
    expect(JSON.stringify(result)).not.toContain(wrong);
  });

  it('the fake robot refuses a signature older than an hour, as DingTalk does', async () => {
    const stale = Date.now() - 3700_000;
    const url = `${fake.url}/robot/send?access_token=${fake.accessToken}&timestamp=${stale}&sign=${encodeURIComponent(dingtalkSign(fake.secret, stale))}`;

    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(dingtalk.render!(cloudWatchAlert(), dingtalk.settings.parse(fake.settings))) });

    expect(await res.json()).toMatchObject({ errcode: 310000 });
    expect(fake.messages).toHaveLength(0);
  });
});

describe('dingtalk settings', () => {
  it('accepts the webhook URL as pasted from the robot, and posts to it with its token', async () => {
    const fake = await startFakeDingTalk();
    try {
      const pasted = `${fake.server.url}/robot/send?access_token=${fake.accessToken}`;
      const settings = dingtalk.settings.parse({ webhookUrl: pasted, secret: fake.secret, allowPrivateNetwork: true });
      const target = await dingtalk.create(settings, { name: 'pasted', log, alibabaCredentials: () => undefined });
      const outcome = await target.send(cloudWatchAlert(), { signal: AbortSignal.timeout(5000), attempt: 1, log });
      expect(outcome).toMatchObject({ outcome: 'delivered' });
      expect(new URL(fake.server.requests.at(-1)!.url, 'http://x').searchParams.getAll('access_token')).toEqual([fake.accessToken]);
    } finally {
      await fake.server.close();
    }
  });

  it('shows times in its timezone', () => {
    const settings = dingtalk.settings.parse({ accessToken: 't', timezone: 'Asia/Shanghai' });
    const text = dingtalk.render!(cloudWatchAlert({ observedAt: '2024-03-01T01:30:00.000Z' }), settings) as { markdown: { text: string } };
    expect(text.markdown.text).toContain('2024-03-01T09:30:00.000+08:00');
  });

  it.each([
    [{ accessToken: 't', webhookUrl: 'https://oapi.dingtalk.com/robot/send?access_token=abc' }, 'webhookUrl already carries access_token: set one of them'],
    [{ timezone: 'Mars/Olympus', accessToken: 't' }, 'is not an IANA time zone'],
    [{ accessToken: 't', webhookUrl: 'http://oapi.dingtalk.com/robot/send' }, 'must use https'],
    [{}, 'set webhookUrl as pasted from the robot (with access_token), or accessToken'],
    [{ accessToken: 't', at: { atMobiles: [''] } }, 'Too small'],
  ])('refuses %j', (settings, message) => {
    const result = dingtalk.settings.safeParse(settings);
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((issue) => issue.message).join('; ')).toContain(message);
  });

  it('defaults to the official robot URL, no mentions, mentions on firing when configured', () => {
    const settings = dingtalk.settings.parse({ accessToken: 't' });
    expect(settings.webhookUrl).toBe('https://oapi.dingtalk.com/robot/send');
    expect(settings.at).toEqual({ atMobiles: [], atUserIds: [], isAtAll: false, statuses: ['firing'] });
  });
});
