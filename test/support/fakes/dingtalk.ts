// A fake DingTalk custom robot (POST /robot/send) on 127.0.0.1. It checks what the robot
// checks: the access_token, the signature (timestamp in ms within one hour of its clock,
// sign = base64 HMAC-SHA256 of "<timestamp>\n<secret>" keyed by the secret, URL-encoded),
// a UTF-8 JSON body with msgtype markdown, a title and a text, the `at` lists, and the text
// limits the target keeps. It always answers HTTP 200 with {errcode, errmsg}, as DingTalk does.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FakeService, ServiceMode } from '../../targets/conformance';
import { asFakeService, startScriptedServer, type RecordedRequest, type ScriptedResponse, type ScriptedServer } from '../http-server';

export interface DingTalkReceived {
  title: string;
  text: string;
  at: { atMobiles: string[]; atUserIds: string[]; isAtAll: boolean };
  timestamp: number;
}

export interface FakeDingTalk {
  url: string;
  accessToken: string;
  secret: string;
  /** Settings of a dingtalk target posting to this robot. */
  settings: Record<string, unknown>;
  /** Messages the robot accepted, in order. */
  messages: DingTalkReceived[];
  /** The robot's own checking handler (what `ok` mode plays), for scripting sequences. */
  handle(req: RecordedRequest): ScriptedResponse;
  server: ScriptedServer;
  conformance(): FakeService;
}

const reply = (errcode: number, errmsg: string): ScriptedResponse => ({ status: 200, body: { errcode, errmsg } });

export const DINGTALK_MODES: Record<Exclude<ServiceMode, 'hang' | 'ok' | 'echo'>, ScriptedResponse> = {
  throttle: reply(130101, 'send too fast, exceed 20 times per minute'),
  'server-error': reply(-1, '系统繁忙'),
  'client-error': reply(300001, 'token is not exist'),
};

const HOUR_MS = 3600_000;
/** Limits the target keeps (DingTalk's message limits, see shared/targets/chat/dingtalk.ts). */
const MAX_TEXT = 5000;
const MAX_TITLE = 64;

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

export async function startFakeDingTalk(): Promise<FakeDingTalk> {
  const server = await startScriptedServer({ modes: { ok: reply(0, 'ok'), ...DINGTALK_MODES } });
  const accessToken = 'dt-token-7f3a9c1e5b2d4f60a8c7e9b1d3f5a7c9';
  const secret = 'SECdingtalk0fake0secret0b5e8a1c3d7f9e2a4c6b8d0f1e3a5c7';
  const messages: DingTalkReceived[] = [];

  const handle = (req: RecordedRequest): ScriptedResponse => {
    const url = new URL(req.url, 'http://127.0.0.1');
    if (req.method !== 'POST' || url.pathname !== '/robot/send') return { status: 404, body: 'Not Found' };
    if (url.searchParams.get('access_token') !== accessToken) return reply(300001, 'token is not exist');
    const timestamp = Number(url.searchParams.get('timestamp'));
    const sign = url.searchParams.get('sign') ?? '';
    if (!Number.isInteger(timestamp) || Math.abs(Date.now() - timestamp) > HOUR_MS) {
      return reply(310000, 'sign not match, more: timestamp is not within one hour');
    }
    const expected = createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest();
    const given = Buffer.from(sign, 'base64');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return reply(310000, 'sign not match');
    if (!/^application\/json/i.test(req.headers['content-type'] ?? '')) return reply(43004, 'content-type must be application/json');
    let body: Record<string, unknown>;
    try {
      body = req.json() as Record<string, unknown>;
    } catch {
      return reply(400, 'invalid json');
    }
    if (body.msgtype !== 'markdown') return reply(40035, 'msgtype must be markdown here');
    const markdown = body.markdown as Record<string, unknown> | undefined;
    const title = markdown?.title;
    const text = markdown?.text;
    if (typeof title !== 'string' || title.trim() === '' || typeof text !== 'string' || text.trim() === '') {
      return reply(40035, '缺少参数 markdown.title / markdown.text');
    }
    if (text.length > MAX_TEXT || title.length > MAX_TITLE) return reply(34016, 'message content too long');
    const at = (body.at ?? {}) as Record<string, unknown>;
    const atMobiles = at.atMobiles ?? [];
    const atUserIds = at.atUserIds ?? [];
    if (!isStringArray(atMobiles) || !isStringArray(atUserIds) || (at.isAtAll !== undefined && typeof at.isAtAll !== 'boolean')) {
      return reply(40035, 'invalid at');
    }
    messages.push({ title, text, at: { atMobiles, atUserIds, isAtAll: at.isAtAll === true }, timestamp });
    return reply(0, 'ok');
  };
  server.respondWith(handle);

  const settings = { webhookUrl: `${server.url}/robot/send`, allowPrivateNetwork: true, accessToken, secret };
  return {
    url: server.url,
    accessToken,
    secret,
    settings,
    messages,
    handle,
    server,
    conformance: () => ({
      ...asFakeService(server, settings, [accessToken, secret]),
      // `ok` keeps checking every request; the other modes answer as the robot does.
      respondWith: (mode) => (mode === 'ok' ? server.respondWith(handle) : server.respondWith(mode)),
    }),
  };
}
