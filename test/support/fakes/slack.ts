// A fake Slack on 127.0.0.1: an incoming webhook (POST /services/T.../B.../<secret>) or the
// Web API's chat.postMessage and chat.update (POST /api/<method> with a bot token). It checks
// what Slack checks: the webhook path or the Bearer token, the channel (chat.postMessage takes
// its id or its #name and answers with the id; chat.update only the id), a JSON body with text
// or blocks, the Block Kit limits (50 blocks; header plain_text of at most 150 characters;
// section text of at most 3000, at most 10 fields of at most 2000; context of at most 10
// elements), that chat.update names a message of that channel (`message_not_found`) and
// that a thread_ts names a message that is no reply itself. It keeps the channel's messages
// with their replies, each with its own ts. Webhooks answer by HTTP status with a plain-text
// word, as Slack's do; the Web API answers 200 with {ok, error}, 429 with Retry-After.
import type { FakeService, ServiceMode } from '../../targets/conformance';
import { asFakeService, startScriptedServer, type RecordedRequest, type ScriptedResponse, type ScriptedServer } from '../http-server';

export type SlackVia = 'webhook' | 'api';

export interface SlackReceived {
  channel?: string;
  text?: string;
  blocks: Record<string, unknown>[];
  /** Web API: the message's ts, and the parent's for a reply in a thread. */
  ts?: string;
  threadTs?: string;
  /** Web API: how many times chat.update changed it. */
  edits?: number;
}

export interface FakeSlack {
  url: string;
  via: SlackVia;
  /** The secret: the webhook URL, or the bot token. */
  credential: string;
  channel: string;
  /** Settings of a slack target posting through this fake. */
  settings: Record<string, unknown>;
  /** Messages Slack accepted, in order (chat.update changes them in place). */
  messages: SlackReceived[];
  /** The channel's #name, which chat.postMessage also takes. */
  channelName: string;
  /** A message already in the channel (posted before the test), as its ref: `C.../ts`. */
  seededRef: string;
  /** Slack's own checking handler (what `ok` mode plays), for scripting sequences. */
  handle(req: RecordedRequest): ScriptedResponse;
  server: ScriptedServer;
  conformance(): FakeService;
}

const LIMITS = { blocks: 50, header: 150, text: 3000, fields: 10, field: 2000, contextElements: 10, messageText: 40_000 };
/** The ts of the first message the fake's Web API accepts; each next one is 0.000001 later. */
export const SLACK_TS = '1700000000.000100';
const SEEDED_TS = '1690000000.000001';
const CHANNEL = 'C0123ALERTS';
/** The ref of the message the fake's channel holds from the start. */
export const SLACK_SEEDED_REF = `${CHANNEL}/${SEEDED_TS}`;

type Json = Record<string, unknown>;
const isRecord = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A text object of the given types with 1..max characters. */
function textOk(value: unknown, types: string[], max: number): boolean {
  return isRecord(value) && types.includes(String(value.type)) && typeof value.text === 'string' && value.text.length > 0 && value.text.length <= max;
}

function blockOk(block: unknown): boolean {
  if (!isRecord(block)) return false;
  switch (block.type) {
    case 'header':
      return textOk(block.text, ['plain_text'], LIMITS.header);
    case 'section': {
      const { text, fields } = block;
      if (text === undefined && fields === undefined) return false;
      if (text !== undefined && !textOk(text, ['plain_text', 'mrkdwn'], LIMITS.text)) return false;
      if (fields === undefined) return true;
      return Array.isArray(fields) && fields.length > 0 && fields.length <= LIMITS.fields && fields.every((field) => textOk(field, ['plain_text', 'mrkdwn'], LIMITS.field));
    }
    case 'context':
      return Array.isArray(block.elements) && block.elements.length > 0 && block.elements.length <= LIMITS.contextElements && block.elements.every((element) => textOk(element, ['plain_text', 'mrkdwn'], LIMITS.text));
    case 'divider':
      return true;
    default:
      return false;
  }
}

/** The error word Slack gives a message, or undefined when it is acceptable. */
function messageError(body: Json): string | undefined {
  const { text, blocks } = body;
  if (text !== undefined && typeof text !== 'string') return 'invalid_arguments';
  if (blocks === undefined) return typeof text === 'string' && text.trim() !== '' ? undefined : 'no_text';
  if (!Array.isArray(blocks) || blocks.length === 0 || blocks.length > LIMITS.blocks || !blocks.every(blockOk)) return 'invalid_blocks';
  if (typeof text === 'string' && text.length > LIMITS.messageText) return 'msg_too_long';
  return undefined;
}

const MODES: Record<SlackVia, Record<Exclude<ServiceMode, 'hang' | 'echo'>, ScriptedResponse>> = {
  webhook: {
    ok: { status: 200, body: 'ok' },
    throttle: { status: 429, headers: { 'retry-after': '1' }, body: 'rate_limited' },
    'server-error': { status: 500, body: 'rollup_error' },
    'client-error': { status: 404, body: 'channel_not_found' },
  },
  api: {
    ok: { status: 200, body: { ok: true, channel: CHANNEL, ts: SLACK_TS } },
    throttle: { status: 429, headers: { 'retry-after': '1' }, body: { ok: false, error: 'ratelimited' } },
    'server-error': { status: 503, body: { ok: false, error: 'service_unavailable' } },
    'client-error': { status: 200, body: { ok: false, error: 'channel_not_found' } },
  },
};

export async function startFakeSlack(via: SlackVia): Promise<FakeSlack> {
  const server = await startScriptedServer({ modes: MODES[via] });
  const channel = CHANNEL;
  const channelName = '#alerts';
  const hookPath = '/services/T0001ABCD/B0001ABCD/fakeSlackHookSecret0Q8d7s6a5';
  const token = 'xoxb-1111-2222-fakeSlackBotToken0a1b2c3d';
  const messages: SlackReceived[] = [];

  const parse = (req: RecordedRequest): Json | undefined => {
    if (!/^application\/json/i.test(req.headers['content-type'] ?? '')) return undefined;
    try {
      const body: unknown = req.json();
      return isRecord(body) ? body : undefined;
    } catch {
      return undefined;
    }
  };

  const webhook = (req: RecordedRequest): ScriptedResponse => {
    if (req.method !== 'POST' || req.url !== hookPath) return { status: 404, body: 'no_service' };
    const body = parse(req);
    if (!body) return { status: 400, body: 'invalid_payload' };
    const error = messageError(body);
    if (error) return { status: 400, body: error };
    messages.push({ text: body.text as string | undefined, blocks: (body.blocks ?? []) as Json[] });
    return { status: 200, body: 'ok' };
  };

  // The channel already holds one message of this bot: a stored ref can point at it.
  const seeded: SlackReceived = { channel, text: 'an earlier alert', blocks: [], ts: SEEDED_TS, edits: 0 };
  let sequence = 0;
  const nextTs = () => `1700000000.${String(100 + sequence++).padStart(6, '0')}`;
  const find = (ts: unknown) => [seeded, ...messages].find((m) => m.ts === ts);

  const api = (req: RecordedRequest): ScriptedResponse => {
    const fail = (error: string): ScriptedResponse => ({ status: 200, body: { ok: false, error } });
    const method = req.method === 'POST' ? /^\/api\/(chat\.postMessage|chat\.update)$/.exec(req.url)?.[1] : undefined;
    if (!method) return { status: 404, body: { ok: false, error: 'unknown_method' } };
    const auth = req.headers.authorization;
    if (!auth) return fail('not_authed');
    if (auth !== `Bearer ${token}`) return fail('invalid_auth');
    const body = parse(req);
    if (!body) return fail('invalid_json');
    if (method === 'chat.update') {
      // chat.update takes the channel id only, and a message of that channel.
      if (body.channel !== channel) return fail('channel_not_found');
      const message = typeof body.ts === 'string' ? find(body.ts) : undefined;
      if (!message) return fail('message_not_found');
      const error = messageError(body);
      if (error) return fail(error);
      Object.assign(message, { text: body.text as string | undefined, blocks: (body.blocks ?? []) as Json[], edits: (message.edits ?? 0) + 1 });
      return { status: 200, body: { ok: true, channel, ts: message.ts, text: body.text, message: { text: body.text } } };
    }
    if (body.channel !== channel && body.channel !== channelName) return fail('channel_not_found');
    const error = messageError(body);
    if (error) return fail(error);
    const threadTs = body.thread_ts;
    if (threadTs !== undefined) {
      const parent = typeof threadTs === 'string' ? find(threadTs) : undefined;
      // Slack: "avoid using a reply's ts value; use its parent instead". The error word is the
      // one Slack's thread methods document for a thread_ts that names no thread.
      if (!parent || parent.threadTs !== undefined) return fail('thread_not_found');
    }
    const ts = nextTs();
    messages.push({ channel, text: body.text as string | undefined, blocks: (body.blocks ?? []) as Json[], ts, edits: 0, ...(typeof threadTs === 'string' ? { threadTs } : {}) });
    return { status: 200, body: { ok: true, channel, ts, message: { text: body.text } } };
  };

  const handle = via === 'webhook' ? webhook : api;
  server.respondWith(handle);

  const webhookUrl = `${server.url}${hookPath}`;
  const settings: Record<string, unknown> = via === 'webhook' ? { webhookUrl, allowPrivateNetwork: true } : { token, channel, apiUrl: `${server.url}/api`, allowPrivateNetwork: true };
  const credential = via === 'webhook' ? webhookUrl : token;
  return {
    url: server.url,
    via,
    credential,
    channel,
    channelName,
    seededRef: SLACK_SEEDED_REF,
    settings,
    messages,
    handle,
    server,
    conformance: () => ({
      ...asFakeService(server, settings, via === 'webhook' ? [webhookUrl, hookPath] : [token]),
      // `ok` keeps checking every request; the other modes answer as Slack does.
      respondWith: (mode) => (mode === 'ok' ? server.respondWith(handle) : server.respondWith(mode)),
    }),
  };
}

