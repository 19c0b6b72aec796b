import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deliver } from '../../../shared/dispatch/deliver';
import type { PreparedTarget } from '../../../shared/dispatch/types';
import { createLogger, setLogSink } from '../../../shared/log';
import type { Alert } from '../../../shared/model/alert';
import { normalizeEvent } from '../../../shared/normalize';
import wecom, { WECOM_LIMITS } from '../../../shared/targets/chat/wecom';
import { startFakeWeCom, WECOM_MODES, type FakeWeCom } from '../../support/fakes/wecom';
import { ROOT } from '../../support/samples';
import { armsAlert, cloudWatchAlert, describeConformance } from '../conformance';

describeConformance({ type: 'wecom', start: async () => (await startFakeWeCom()).conformance() });

const log = createLogger({ test: 'wecom' });
const sample = (file: string): Alert => normalizeEvent(JSON.parse(readFileSync(join(ROOT, 'events', file), 'utf8')));
/** No half of a surrogate pair left: UTF-8 round-trips the text unchanged. */
const wellFormed = (text: string) => Buffer.from(text, 'utf8').toString('utf8') === text;

function prepare(settings: Record<string, unknown>): PreparedTarget {
  const target = wecom.create(wecom.settings.parse(settings), { name: 'ops-wecom', log, alibabaCredentials: () => undefined });
  if (target instanceof Promise) throw new Error('wecom.create is synchronous');
  return { name: 'ops-wecom', type: 'wecom', target, policy: { timeoutMs: 2000, retries: 2 } };
}

describe('wecom target', () => {
  let fake: FakeWeCom;
  const send = async (alert: Alert, settings: Record<string, unknown> = {}) => {
    const [result] = await deliver(alert, [prepare({ ...fake.settings, ...settings })], { log, random: () => 0 });
    return result!;
  };
  const content = (i = 0) => fake.messages[i]!;

  beforeAll(async () => {
    setLogSink(() => undefined);
    fake = await startFakeWeCom();
  });
  afterAll(() => fake.server.close());
  beforeEach(() => {
    fake.messages.length = 0;
    fake.server.requests.length = 0;
    fake.server.respondWith(fake.handle);
  });

  it('posts a markdown message: coloured status, severity, summary and a clickable link', async () => {
    const result = await send(sample('aws/state-change-single-metric.json'));

    expect(result).toMatchObject({ outcome: 'delivered', attempts: 1, detail: 'wecom errcode 0: ok' });
    expect(content()).toMatch(/^### 🔥 <font color="warning">FIRING<\/font> ServerCpuTooHigh\n> \*\*🟠 ERROR\*\* · aws 123456789012 us-east-1\n/);
    expect(content()).toContain('[CloudWatch console](https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#alarmsV2:alarm/ServerCpuTooHigh)');
  });

  it('shows resolved in green and lifecycle texts', async () => {
    await send(armsAlert({ status: 'resolved', solution: '重启了服务', actor: { owner: 'xx', handler: '张三', operator: 'xx' } }));

    expect(content()).toMatch(/^### ✅ <font color="info">RESOLVED<\/font> Manually triggered alert/);
    expect(content()).toContain('👤 Handler: 张三');
    expect(content()).toContain('🛠️ 重启了服务');
  });

  it('renders a Chinese ARMS alert intact', async () => {
    await send(sample('alibaba/arms-chinese-p1.json'));

    expect(content()).toContain('CPU使用率过高');
    expect(content()).toContain('主机192.168.0.3 CPU使用率85%,超过阈值80%');
    expect(content()).not.toContain('\uFFFD');
  });

  it('keeps 4096 bytes of UTF-8 for a huge description, cutting between characters, links kept', async () => {
    const alert = cloudWatchAlert({ description: '磁盘已满🔥'.repeat(30_000), summary: '摘要'.repeat(512) });

    const result = await send(alert);

    // The fake answers 40058 past 4096 bytes, as WeCom does, so delivery proves the limit kept.
    expect(result.outcome).toBe('delivered');
    expect(Buffer.byteLength(content(), 'utf8')).toBeLessThanOrEqual(WECOM_LIMITS.contentBytes);
    expect(content()).toContain('[CloudWatch console](');
    expect(wellFormed(content())).toBe(true);
  });

  it('cuts a template that renders past 4096 bytes to the limit', async () => {
    const result = await send(cloudWatchAlert({ description: '磁盘已满🔥'.repeat(30_000) }), { templates: { content: '{{description}}'.repeat(12) } });

    expect(result.outcome).toBe('delivered');
    expect(Buffer.byteLength(content(), 'utf8')).toBeGreaterThan(WECOM_LIMITS.contentBytes - 8);
    expect(content().endsWith('…')).toBe(true);
    expect(wellFormed(content())).toBe(true);
  });

  it('an over-long content is refused by the fake with 40058, as WeCom does', async () => {
    const res = await fetch(`${fake.url}/cgi-bin/webhook/send?key=${fake.key}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ msgtype: 'markdown', markdown: { content: '告'.repeat(1366) } }),
    });

    expect(await res.json()).toMatchObject({ errcode: 40058 });
  });

  it('uses the template of its settings', async () => {
    await send(cloudWatchAlert(), { templates: { content: '{{severityEmoji}} {{name}} @ {{region}}' } });

    expect(content()).toBe('🔴 ServerCpuTooHigh @ us-east-1');
  });

  it('skips statuses outside `statuses`', async () => {
    const result = await send(cloudWatchAlert({ status: 'insufficient-data' }), { statuses: ['firing'] });

    expect(result).toMatchObject({ outcome: 'skipped', detail: 'status insufficient-data is not in statuses (firing)' });
    expect(fake.server.requests).toHaveLength(0);
  });

  it('is retried through deliver() at the frequency limit (45009), then delivered', async () => {
    fake.server.respondWith(WECOM_MODES.throttle, fake.handle);

    const result = await send(cloudWatchAlert());

    expect(result).toMatchObject({ outcome: 'delivered', attempts: 2 });
  });

  it('fails for good with a wrong key (93000), the key nowhere', async () => {
    const wrong = 'aaaaaaaa-0000-4bc4-97a0-wrongkey0000';

    const result = await send(cloudWatchAlert(), { key: wrong });

    expect(result).toMatchObject({ outcome: 'failed', retryable: false, attempts: 1, detail: 'wecom errcode 93000: invalid webhook url' });
    expect(JSON.stringify(result)).not.toContain(wrong);
  });
});

describe('wecom settings', () => {
  it('takes the webhook URL as pasted (with its key) the same as key', () => {
    const pasted = wecom.settings.parse({ webhookUrl: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx' });
    expect(pasted.key).toBeUndefined();
    expect(wecom.settings.parse({ key: '693a91f6-7xxx' }).webhookUrl).toBe('https://qyapi.weixin.qq.com/cgi-bin/webhook/send');
  });

  it.each([
    [{ key: 'k', webhookUrl: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc' }, 'webhookUrl already carries key: set one of them'],
    [{}, 'set webhookUrl as pasted from the robot (with key), or key'],
    [{ key: 'k', webhookUrl: 'ftp://qyapi.weixin.qq.com/' }, 'must be an https URL'],
    [{ key: 'k', statuses: [] }, 'at least one status'],
  ])('refuses %j', (settings, message) => {
    const result = wecom.settings.safeParse(settings as Record<string, unknown>);
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((issue) => issue.message).join('; ')).toContain(message);
  });
});
