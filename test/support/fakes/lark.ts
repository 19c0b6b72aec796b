// A fake Feishu / Lark custom bot (POST /open-apis/bot/v2/hook/<token>) on 127.0.0.1. It
// checks what the bot checks: the hook token, a body of at most 20 KB, the signature in the
// body (timestamp in seconds within one hour of its clock, sign = base64 HMAC-SHA256 keyed by
// "<timestamp>\n<secret>" over an empty message), msg_type interactive and the shape of the
// card (a plain-text header with a known colour template, known elements, buttons with
// http(s) URLs). Answers {code, msg} as Lark does: 19021 for a bad signature, 9499 with
// HTTP 400 for a malformed body, 11232 when throttled.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FakeService, ServiceMode } from '../../targets/conformance';
import { asFakeService, startScriptedServer, type RecordedRequest, type ScriptedResponse, type ScriptedServer } from '../http-server';

export interface FakeLark {
  url: string;
  webhookUrl: string;
  secret: string;
  /** Settings of a lark target posting to this bot. */
  settings: Record<string, unknown>;
  /** The card of every message the bot accepted, in order. */
  cards: Record<string, unknown>[];
  /** The bot's own checking handler (what `ok` mode plays), for scripting sequences. */
  handle(req: RecordedRequest): ScriptedResponse;
  server: ScriptedServer;
  conformance(): FakeService;
}

const reply = (code: number, msg: string, status = 200): ScriptedResponse => ({ status, body: { code, msg, data: {} } });
const badRequest = (why: string) => reply(9499, `Bad Request: ${why}`, 400);

export const LARK_MODES: Record<Exclude<ServiceMode, 'hang' | 'ok' | 'echo'>, ScriptedResponse> = {
  throttle: reply(11232, 'frequency limited psm[lark.oapi.app_platform_runtime]'),
  'server-error': { status: 502, body: 'Bad Gateway' },
  'client-error': reply(19001, 'param invalid: incoming webhook access token invalid'),
};

const MAX_BODY_BYTES = 20 * 1024;
const HOUR_S = 3600;
const TEMPLATES = ['blue', 'wathet', 'turquoise', 'green', 'yellow', 'orange', 'red', 'carmine', 'violet', 'purple', 'indigo', 'grey'];

type Json = Record<string, unknown>;
const isRecord = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const isText = (value: unknown): boolean => isRecord(value) && (value.tag === 'plain_text' || value.tag === 'lark_md') && typeof value.content === 'string';

/** The problem with one card element, or undefined. */
function elementProblem(element: unknown): string | undefined {
  if (!isRecord(element)) return 'element is not an object';
  switch (element.tag) {
    case 'hr':
      return undefined;
    case 'div': {
      const fields = element.fields;
      if (element.text === undefined && fields === undefined) return 'div needs text or fields';
      if (element.text !== undefined && !isText(element.text)) return 'div.text is not a text object';
      if (fields !== undefined && (!Array.isArray(fields) || !fields.every((field) => isRecord(field) && isText(field.text)))) return 'div.fields are not text fields';
      return undefined;
    }
    case 'note':
      return Array.isArray(element.elements) && element.elements.every(isText) ? undefined : 'note.elements are not text objects';
    case 'action': {
      const actions = element.actions;
      if (!Array.isArray(actions) || actions.length === 0) return 'action.actions is empty';
      const ok = actions.every((button) => isRecord(button) && button.tag === 'button' && isText(button.text) && typeof button.url === 'string' && /^https?:\/\//.test(button.url));
      return ok ? undefined : 'action.actions must be buttons with a text and an http(s) url';
    }
    default:
      return `unknown element tag ${JSON.stringify(element.tag)}`;
  }
}

function cardProblem(card: unknown): string | undefined {
  if (!isRecord(card)) return 'card is missing';
  const header = card.header;
  if (!isRecord(header) || !isRecord(header.title) || header.title.tag !== 'plain_text' || typeof header.title.content !== 'string' || header.title.content === '') {
    return 'card.header.title must be a non-empty plain_text';
  }
  if (header.template !== undefined && !TEMPLATES.includes(String(header.template))) return `unknown header template ${String(header.template)}`;
  if (!Array.isArray(card.elements) || card.elements.length === 0) return 'card.elements is empty';
  return card.elements.map(elementProblem).find((problem) => problem !== undefined);
}

export async function startFakeLark(): Promise<FakeLark> {
  const server = await startScriptedServer({ modes: { ok: reply(0, 'success'), ...LARK_MODES } });
  const hookToken = '5e3d587e-d78e-4a07-bd07-265f269f86fd';
  const secret = 'lark0fake0signing0secret0nIMtb7r3N9pk';
  const cards: Json[] = [];

  const handle = (req: RecordedRequest): ScriptedResponse => {
    if (req.method !== 'POST' || !req.url.startsWith('/open-apis/bot/v2/hook/')) return { status: 404, body: '404 page not found' };
    if (req.url !== `/open-apis/bot/v2/hook/${hookToken}`) return reply(19001, 'param invalid: incoming webhook access token invalid');
    if (Buffer.byteLength(req.body, 'utf8') > MAX_BODY_BYTES) return badRequest('request body exceeds 20 KB');
    let body: Json;
    try {
      const parsed: unknown = req.json();
      if (!isRecord(parsed)) return badRequest('body is not an object');
      body = parsed;
    } catch {
      return badRequest('body is not JSON');
    }
    const timestamp = Number(body.timestamp);
    const sign = typeof body.sign === 'string' ? body.sign : '';
    const expected = createHmac('sha256', `${timestamp}\n${secret}`).update('').digest();
    const given = Buffer.from(sign, 'base64');
    const fresh = Number.isInteger(timestamp) && Math.abs(Date.now() / 1000 - timestamp) <= HOUR_S;
    if (!fresh || given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return reply(19021, 'sign match fail or timestamp is not within one hour from current time');
    }
    if (body.msg_type !== 'interactive') return badRequest(`msg_type ${JSON.stringify(body.msg_type)} is not interactive`);
    const problem = cardProblem(body.card);
    if (problem) return badRequest(problem);
    cards.push(body.card as Json);
    return reply(0, 'success');
  };
  server.respondWith(handle);

  const webhookUrl = `${server.url}/open-apis/bot/v2/hook/${hookToken}`;
  const settings = { webhookUrl, secret, allowPrivateNetwork: true };
  return {
    url: server.url,
    webhookUrl,
    secret,
    settings,
    cards,
    handle,
    server,
    conformance: () => ({
      ...asFakeService(server, settings, [webhookUrl, hookToken, secret]),
      // `ok` keeps checking every request; the other modes answer as the bot does.
      respondWith: (mode) => (mode === 'ok' ? server.respondWith(handle) : server.respondWith(mode)),
    }),
  };
}
