// A fake WeCom group robot (POST /cgi-bin/webhook/send?key=...) on 127.0.0.1. It checks what
// the robot checks: the key, a JSON body with msgtype markdown and markdown.content of at
// most 4096 bytes of UTF-8 (errcode 40058 beyond), and answers HTTP 200 with
// {errcode, errmsg} as WeCom does (93000 for an unknown key, 45009 when throttled).
import type { FakeService, ServiceMode } from '../../targets/conformance';
import { asFakeService, startScriptedServer, type RecordedRequest, type ScriptedResponse, type ScriptedServer } from '../http-server';

export interface FakeWeCom {
  url: string;
  key: string;
  /** Settings of a wecom target posting to this robot. */
  settings: Record<string, unknown>;
  /** markdown.content of every message the robot accepted, in order. */
  messages: string[];
  /** The robot's own checking handler (what `ok` mode plays), for scripting sequences. */
  handle(req: RecordedRequest): ScriptedResponse;
  server: ScriptedServer;
  conformance(): FakeService;
}

const reply = (errcode: number, errmsg: string): ScriptedResponse => ({ status: 200, body: { errcode, errmsg } });

export const WECOM_MODES: Record<Exclude<ServiceMode, 'hang' | 'ok' | 'echo'>, ScriptedResponse> = {
  throttle: reply(45009, 'api freq out of limit'),
  'server-error': reply(-1, 'system busy'),
  'client-error': reply(93000, 'invalid webhook url'),
};

const MAX_CONTENT_BYTES = 4096;

export async function startFakeWeCom(): Promise<FakeWeCom> {
  const server = await startScriptedServer({ modes: { ok: reply(0, 'ok'), ...WECOM_MODES } });
  const key = '693a91f6-7b2c-4bc4-97a0-0ec2f1fa5aaa';
  const messages: string[] = [];

  const handle = (req: RecordedRequest): ScriptedResponse => {
    const url = new URL(req.url, 'http://127.0.0.1');
    if (req.method !== 'POST' || url.pathname !== '/cgi-bin/webhook/send') return { status: 404, body: 'Not Found' };
    if (url.searchParams.get('key') !== key) return reply(93000, 'invalid webhook url');
    let body: Record<string, unknown>;
    try {
      body = req.json() as Record<string, unknown>;
    } catch {
      return reply(40058, 'invalid json. invalid Request Parameter');
    }
    if (body.msgtype !== 'markdown') return reply(40008, 'invalid message type');
    const content = (body.markdown as Record<string, unknown> | undefined)?.content;
    if (typeof content !== 'string' || content.trim() === '') return reply(40058, 'markdown.content is empty. invalid Request Parameter');
    if (Buffer.byteLength(content, 'utf8') > MAX_CONTENT_BYTES) {
      return reply(40058, `markdown.content exceed max length ${MAX_CONTENT_BYTES}. invalid Request Parameter`);
    }
    messages.push(content);
    return reply(0, 'ok');
  };
  server.respondWith(handle);

  const settings = { webhookUrl: `${server.url}/cgi-bin/webhook/send`, allowPrivateNetwork: true, key };
  return {
    url: server.url,
    key,
    settings,
    messages,
    handle,
    server,
    conformance: () => ({
      ...asFakeService(server, settings, [key]),
      // `ok` keeps checking every request; the other modes answer as the robot does.
      respondWith: (mode) => (mode === 'ok' ? server.respondWith(handle) : server.respondWith(mode)),
    }),
  };
}
