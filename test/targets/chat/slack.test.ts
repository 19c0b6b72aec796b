import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deliver } from '../../../shared/dispatch/deliver';
import type { PreparedTarget } from '../../../shared/dispatch/types';
import { createLogger, setLogSink } from '../../../shared/log';
import type { Alert } from '../../../shared/model/alert';
import { normalizeEvent } from '../../../shared/normalize';
import slack, { SLACK_LIMITS } from '../../../shared/targets/chat/slack';
import { startFakeSlack, SLACK_SEEDED_REF, type FakeSlack, type SlackVia } from '../../support/fakes/slack';
import { ROOT } from '../../support/samples';
import { armsAlert, cloudWatchAlert, describeConformance } from '../conformance';

describeConformance({ type: 'slack', label: 'webhook', start: async () => (await startFakeSlack('webhook')).conformance() });
describeConformance({ type: 'slack', label: 'api', memory: false, ref: SLACK_SEEDED_REF, start: async () => (await startFakeSlack('api')).conformance() });

const log = createLogger({ test: 'slack' });
const sample = (file: string): Alert => normalizeEvent(JSON.parse(readFileSync(join(ROOT, 'events', file), 'utf8')));

function prepare(settings: Record<string, unknown>, retries = 2): PreparedTarget {
  const target = slack.create(slack.settings.parse(settings), { name: 'team-slack', log, alibabaCredentials: () => undefined });
  if (target instanceof Promise) throw new Error('slack.create is synchronous');
  return { name: 'team-slack', type: 'slack', target, policy: { timeoutMs: 2000, retries } };
}

async function send(settings: Record<string, unknown>, alert: Alert, retries = 2, ref?: string) {
  const [result] = await deliver(alert, [prepare(settings, retries)], { log, random: () => 0, ...(ref ? { refs: { 'team-slack': ref } } : {}) });
  return result!;
}

/** No half of a surrogate pair left: UTF-8 round-trips the text unchanged. */
const wellFormed = (text: string) => Buffer.from(text, 'utf8').toString('utf8') === text;

type Block = { type: string; text?: { type: string; text: string }; fields?: { text: string }[]; elements?: { text: string }[] };
const blocksOf = (fake: FakeSlack, i = 0) => fake.messages[i]!.blocks as unknown as Block[];
const block = (fake: FakeSlack, type: string, i = 0) => blocksOf(fake, i).find((b) => b.type === type && (type !== 'section' || b.text));

describe.each<SlackVia>(['webhook', 'api'])('slack target via %s', (via) => {
  let fake: FakeSlack;

  beforeAll(async () => {
    setLogSink(() => undefined);
    fake = await startFakeSlack(via);
  });
  afterAll(() => fake.server.close());
  beforeEach(() => {
    fake.messages.length = 0;
    fake.server.requests.length = 0;
    fake.server.respondWith(fake.handle);
  });

  it('posts a Block Kit message: status and severity at a glance, fields, a clickable console link, a text fallback', async () => {
    const result = await send(fake.settings, sample('aws/state-change-single-metric.json'));

    expect(result).toMatchObject({ outcome: 'delivered', attempts: 1 });
    if (via === 'api') expect(result.ref).toBe(`${fake.channel}/${fake.messages[0]!.ts}`);
    expect(block(fake, 'header')!.text!.text).toBe('🔥 FIRING · 🟠 ServerCpuTooHigh');
    expect(block(fake, 'section')!.text!.text).toMatch(/^\*ServerCpuTooHigh is ALARM: Threshold Crossed/);
    const fields = blocksOf(fake).find((b) => b.fields)!.fields!.map((f) => f.text);
    expect(fields).toEqual(['*Status*\n🔥 FIRING', '*Severity*\n🟠 ERROR', '*Where*\naws 123456789012 us-east-1', '*When*\n2019-10-02T17:04:40.989Z']);
    const context = block(fake, 'context')!.elements!.map((e) => e.text);
    expect(context[0]).toBe('<https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#alarmsV2:alarm/ServerCpuTooHigh|CloudWatch console>');
    expect(fake.messages[0]!.text).toContain('🔥 FIRING 🟠 ERROR ServerCpuTooHigh');
  });

  it('renders a Chinese ARMS alert intact', async () => {
    const alert = sample('alibaba/arms-chinese-p1.json');

    const result = await send(fake.settings, alert);

    expect(result.outcome).toBe('delivered');
    expect(block(fake, 'header')!.text!.text).toBe('🔥 FIRING · 🔴 CPU使用率过高');
    expect(block(fake, 'section')!.text!.text).toContain('主机192.168.0.3 CPU使用率85%,超过阈值80%');
    expect(JSON.stringify(fake.messages[0])).not.toContain('\uFFFD');
  });

  it('keeps every Block Kit limit for a huge description, cutting between characters', async () => {
    const alert = cloudWatchAlert({ name: '数据库'.repeat(100), description: '磁盘已满🔥'.repeat(30_000), summary: 'x'.repeat(1024) });

    const result = await send(fake.settings, alert);

    // The fake refuses any block past Slack's limits, so delivery proves them kept.
    expect(result.outcome).toBe('delivered');
    const header = block(fake, 'header')!.text!.text;
    const body = block(fake, 'section')!.text!.text;
    expect(header.length).toBeLessThanOrEqual(SLACK_LIMITS.header);
    expect(header.endsWith('…')).toBe(true);
    expect(body.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    for (const text of [header, body, fake.messages[0]!.text!]) expect(wellFormed(text)).toBe(true);
  });

  it('cuts a template that renders past the section limit to it', async () => {
    const result = await send({ ...fake.settings, templates: { body: '{{description}}'.repeat(12) } }, cloudWatchAlert({ description: '磁盘已满🔥'.repeat(30_000) }));

    expect(result.outcome).toBe('delivered');
    const body = block(fake, 'section')!.text!.text;
    expect(body.length).toBeGreaterThan(SLACK_LIMITS.sectionText - 2);
    expect(body.endsWith('…')).toBe(true);
    expect(wellFormed(body)).toBe(true);
  });

  it('uses the templates of its settings, escaping values for mrkdwn', async () => {
    const settings = { ...fake.settings, templates: { header: '{{severityLabel}} on {{labels.InstanceId}}', body: 'Alarm {{name}} ({{{name}}})' } };
    const alert = cloudWatchAlert({ name: 'cpu <!channel> & co' });

    await send(settings, alert);

    expect(block(fake, 'header')!.text!.text).toBe('CRITICAL on i-12345678901234567');
    // {{name}} cannot mention the channel; the triple mustache is the user's explicit choice.
    expect(block(fake, 'section')!.text!.text).toBe('Alarm cpu &lt;!channel&gt; &amp; co (cpu <!channel> & co)');
    expect(fake.messages[0]!.text).toContain('cpu &lt;!channel&gt; &amp; co');
  });

  it('skips statuses outside `statuses`, with a detail and no request', async () => {
    const settings = { ...fake.settings, statuses: ['firing', 'resolved'] };

    const result = await send(settings, armsAlert({ status: 'acknowledged' }));

    expect(result).toMatchObject({ outcome: 'skipped', attempts: 1, detail: 'status acknowledged is not in statuses (firing, resolved)' });
    expect(fake.server.requests).toHaveLength(0);
  });

  it('is retried through deliver() when Slack throttles, then delivered', async () => {
    const throttled = via === 'webhook' ? { status: 429, headers: { 'retry-after': '0' }, body: 'rate_limited' } : { status: 200, headers: { 'retry-after': '0' }, body: { ok: false, error: 'ratelimited' } };
    fake.server.respondWith(throttled, fake.handle);

    const result = await send(fake.settings, cloudWatchAlert());

    expect(result).toMatchObject({ outcome: 'delivered', attempts: 2 });
    expect(fake.messages).toHaveLength(1);
  });
});

describe('slack answers', () => {
  let fake: FakeSlack;
  beforeAll(async () => {
    setLogSink(() => undefined);
    fake = await startFakeSlack('api');
  });
  afterAll(() => fake.server.close());

  it('a wrong bot token fails for good, without retries and without the token in the detail', async () => {
    const result = await send({ ...fake.settings, token: 'xoxb-0000-wrong-token-9f8e7d' }, cloudWatchAlert());

    expect(result).toMatchObject({ outcome: 'failed', retryable: false, attempts: 1, detail: 'slack error: invalid_auth' });
  });

  it('an unknown channel fails for good', async () => {
    const result = await send({ ...fake.settings, channel: 'C0NOTHERE' }, cloudWatchAlert());

    expect(result).toMatchObject({ outcome: 'failed', retryable: false, attempts: 1, detail: 'slack error: channel_not_found' });
  });

  it('ratelimited carries the server-requested delay', async () => {
    fake.server.respondWith({ status: 429, headers: { 'retry-after': '7' }, body: { ok: false, error: 'ratelimited' } });
    const target = prepare(fake.settings).target;

    const outcome = await target.send(cloudWatchAlert(), { signal: AbortSignal.timeout(2000), attempt: 1, log });

    expect(outcome).toMatchObject({ outcome: 'failed', retryable: true, retryAfterMs: 7000 });
    fake.server.respondWith(fake.handle);
  });
});

describe('slack settings', () => {
  const parse = (settings: Record<string, unknown>) => slack.settings.safeParse(settings);

  it.each([
    [{}, 'set exactly one of webhookUrl or token'],
    [{ webhookUrl: 'https://hooks.slack.com/services/T/B/x', token: 'xoxb-1' , channel: 'C1'}, 'set exactly one of webhookUrl or token'],
    [{ token: 'xoxb-1' }, 'is required with token'],
    [{ webhookUrl: 'https://hooks.slack.com/services/T/B/x', channel: 'C1' }, 'cannot be set with webhookUrl'],
    [{ webhookUrl: 'http://hooks.example.com/services/T/B/x' }, 'must use https'],
    [{ webhookUrl: 'https://hooks.slack.com/services/T/B/x', templates: { body: '{{#open}}never closed' } }, 'invalid Mustache template'],
    [{ webhookUrl: 'https://hooks.slack.com/services/T/B/x', statuses: ['firing', 'exploded'] }, 'Invalid option'],
  ])('refuses %j', (settings, message) => {
    const result = parse(settings);
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((issue) => issue.message).join('; ')).toContain(message);
  });

  it('fills the default templates and the API URL', () => {
    const settings = slack.settings.parse({ token: 'xoxb-1', channel: 'C1' });
    expect(settings.apiUrl).toBe('https://slack.com/api');
    expect(settings.templates.header).toContain('{{statusEmoji}}');
  });
});

describe('slack with a bot token: the later events of an alert', () => {
  let fake: FakeSlack;
  const firing = () => cloudWatchAlert({ status: 'firing', previousStatus: 'resolved' });
  const resolved = () => cloudWatchAlert({ id: 'resolve-1', status: 'resolved', previousStatus: 'firing' });
  const header = (m: { blocks: Record<string, unknown>[] }) => (m.blocks as unknown as Block[]).find((b) => b.type === 'header')!.text!.text;
  /** Posts the firing; its ref is what the alert state keeps. */
  const postFiring = async (settings = fake.settings) => {
    const result = await send(settings, firing());
    expect(result.outcome).toBe('delivered');
    return result.ref!;
  };

  beforeAll(async () => {
    setLogSink(() => undefined);
    fake = await startFakeSlack('api');
  });
  afterAll(() => fake.server.close());
  beforeEach(() => {
    fake.messages.length = 0;
    fake.server.requests.length = 0;
    fake.server.respondWith(fake.handle);
  });

  it("return the message's channel id and ts as ref, also when the channel is configured by name", async () => {
    const ref = await postFiring({ ...fake.settings, channel: fake.channelName });

    expect(ref).toBe(`${fake.channel}/${fake.messages[0]!.ts}`);
    expect(ref).toMatch(/^C0123ALERTS\/\d+\.\d+$/);
  });

  it("a resolve updates the firing's message and is replied in its thread; the ref stays the message's", async () => {
    const ref = await postFiring();

    const result = await send(fake.settings, resolved(), 2, ref);

    expect(result).toMatchObject({ outcome: 'delivered', attempts: 1, ref, detail: 'slack ok: updated the message, replied in its thread' });
    expect(fake.server.requests.map((r) => r.url)).toEqual(['/api/chat.postMessage', '/api/chat.update', '/api/chat.postMessage']);
    const [parent, reply] = fake.messages;
    expect(fake.messages).toHaveLength(2);
    expect(parent).toMatchObject({ edits: 1 });
    expect(header(parent!)).toBe('✅ RESOLVED · 🔴 ServerCpuTooHigh');
    expect(reply).toMatchObject({ threadTs: parent!.ts });
    expect(header(reply!)).toBe('✅ RESOLVED · 🔴 ServerCpuTooHigh');
  });

  it('with threadReplies: false, only updates the message', async () => {
    const settings = { ...fake.settings, threadReplies: false };
    const ref = await postFiring(settings);

    const result = await send(settings, resolved(), 2, ref);

    expect(result).toMatchObject({ outcome: 'delivered', ref, detail: 'slack ok: updated the message' });
    expect(fake.messages).toHaveLength(1);
    expect(header(fake.messages[0]!)).toMatch(/RESOLVED/);
  });

  it('a firing after a resolve opens a new episode: a new message, a new ref', async () => {
    const first = await postFiring();

    const result = await send(fake.settings, cloudWatchAlert({ id: 'firing-2', status: 'firing', previousStatus: 'resolved' }), 2, first);

    expect(result.outcome).toBe('delivered');
    expect(result.ref).not.toBe(first);
    expect(fake.server.requests.map((r) => r.url)).toEqual(['/api/chat.postMessage', '/api/chat.postMessage']);
    expect(fake.messages.map((m) => m.threadTs)).toEqual([undefined, undefined]);
  });

  it('a message that is gone (message_not_found) gets the event a new message and a new ref', async () => {
    const gone = `${fake.channel}/1600000000.000009`;

    const result = await send(fake.settings, resolved(), 2, gone);

    expect(result).toMatchObject({ outcome: 'delivered', detail: "slack ok: the alert's message is gone (message_not_found), posted a new one" });
    expect(result.ref).toBe(`${fake.channel}/${fake.messages[0]!.ts}`);
    expect(fake.messages).toHaveLength(1);
  });

  it('a ref of an older version (a bare ts) names a message of the configured channel', async () => {
    const result = await send(fake.settings, resolved(), 2, SLACK_SEEDED_REF.split('/')[1]);

    expect(result).toMatchObject({ outcome: 'delivered', ref: SLACK_SEEDED_REF });
    expect(fake.messages).toEqual([expect.objectContaining({ threadTs: SLACK_SEEDED_REF.split('/')[1] })]);
  });

  it('ratelimited on the update (429, Retry-After) is retried after the delay Slack asks; one reply in the end', async () => {
    const ref = await postFiring();
    fake.server.respondWith({ status: 429, headers: { 'retry-after': '0' }, body: { ok: false, error: 'ratelimited' } }, fake.handle);

    const result = await send(fake.settings, resolved(), 2, ref);

    expect(result).toMatchObject({ outcome: 'delivered', attempts: 2, ref });
    expect(fake.messages.filter((m) => m.threadTs)).toHaveLength(1);
  });

  it('a reply that fails after the update is retried whole: the update again (it changes nothing), one reply', async () => {
    const ref = await postFiring();
    fake.server.respondWith(fake.handle, { status: 200, body: { ok: false, error: 'internal_error' } }, fake.handle);

    const result = await send(fake.settings, resolved(), 2, ref);

    expect(result).toMatchObject({ outcome: 'delivered', attempts: 2 });
    expect(fake.messages[0]).toMatchObject({ edits: 2 });
    expect(fake.messages.filter((m) => m.threadTs)).toHaveLength(1);
  });

  it.each([
    ['invalid_auth', false],
    ['not_in_channel', false],
    ['missing_scope', false],
    ['internal_error', true],
    ['fatal_error', true],
    ['service_unavailable', true],
    ['request_timeout', true],
  ])('an update answered %s fails (retryable: %s), without a reply', async (error, retryable) => {
    fake.server.respondWith({ status: 200, body: { ok: false, error } });
    const target = prepare(fake.settings).target;

    const outcome = await target.send(resolved(), { signal: AbortSignal.timeout(2000), attempt: 1, log, ref: SLACK_SEEDED_REF });

    expect(outcome).toEqual({ outcome: 'failed', retryable, detail: `slack error: ${error}` });
    expect(fake.server.requests).toHaveLength(1);
  });

  it("a thread reply answered by a proxy's error page (no `ok`) is classified by its HTTP status", async () => {
    fake.server.respondWith(fake.handle, { status: 502, body: '<html>bad gateway</html>' });
    const target = prepare(fake.settings).target;

    const outcome = await target.send(resolved(), { signal: AbortSignal.timeout(2000), attempt: 1, log, ref: SLACK_SEEDED_REF });

    expect(outcome).toMatchObject({ outcome: 'failed', retryable: true, detail: expect.stringMatching(/^HTTP 502/) });
  });

  it('an update Slack refuses for the message (edit_window_closed) still replies in the thread', async () => {
    fake.server.respondWith({ status: 200, body: { ok: false, error: 'edit_window_closed' } }, fake.handle);

    const result = await send(fake.settings, resolved(), 2, SLACK_SEEDED_REF);

    expect(result).toMatchObject({ outcome: 'delivered', ref: SLACK_SEEDED_REF, detail: 'slack ok: replied in the thread (message not updated: edit_window_closed)' });
    expect(fake.messages).toEqual([expect.objectContaining({ threadTs: SLACK_SEEDED_REF.split('/')[1] })]);
  });
});
