// Fakes of the Alibaba Cloud services the cloud targets call (EventBridge /openapi/putEvents,
// Function Compute 3.0 InvokeFunction), served by the scripted server on 127.0.0.1, each
// refusing what the service refuses (unknown keys, bad signatures, its limits), and
// verifiers of both signature schemes written from Alibaba's documentation, so tests check
// the requests' signatures independently of the code that signs them.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { ServiceMode } from '../../targets/conformance';
import { startScriptedServer, type RecordedRequest, type ScriptedResponse, type ScriptedServer } from '../http-server';

/** Fake credentials, as FC or the ALIBABA_CLOUD_* variables would give them. */
export const ALIBABA_CREDENTIALS = {
  accessKeyId: 'LTAI5tFakeAlertRouter01',
  accessKeySecret: 'fakeAlibabaSecretForTests0123456789',
  securityToken: 'CAISfakeStsTokenForTests+abcdef==',
};

export const ALIBABA_ENV: Record<string, string> = {
  ALIBABA_CLOUD_ACCESS_KEY_ID: ALIBABA_CREDENTIALS.accessKeyId,
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: ALIBABA_CREDENTIALS.accessKeySecret,
  ALIBABA_CLOUD_SECURITY_TOKEN: ALIBABA_CREDENTIALS.securityToken,
};

/** What must never leak from an Alibaba target. */
export const ALIBABA_SECRETS = [ALIBABA_CREDENTIALS.accessKeySecret, ALIBABA_CREDENTIALS.securityToken];

export const ACCOUNT_ID = '1234567890123456';

type Modes = Record<Exclude<ServiceMode, 'hang' | 'echo'>, ScriptedResponse>;

export const ALIBABA_EVENT_ID = '99418e3a-2025-41c6-a914-b8d6568e0001';

/** putEvents with the given entry results (a failed entry has ErrorCode and ErrorMessage). */
export function putEventsReply(entries: { EventId?: string; TraceId?: string; ErrorCode?: string; ErrorMessage?: string }[]): ScriptedResponse {
  return {
    status: 200,
    body: {
      RequestId: '5E9AB1DF333245F1D8000001',
      ResourceOwnerAccountId: ACCOUNT_ID,
      FailedEntryCount: entries.filter((entry) => entry.ErrorCode).length,
      EntryList: entries,
    },
  };
}

/** The error body of the EventBridge API (lower-case keys: the SDK reads `code` and `message`). */
const eventBridgeError = (status: number, code: string, message: string): ScriptedResponse => ({
  status,
  body: { requestId: '5E9AB1DF333245F1D8000002', code, message, success: false },
});

/** Alibaba EventBridge: `POST /openapi/putEvents`, CloudEvents batch JSON, `acs:` signatures. */
export const EVENTBRIDGE_MODES: Modes = {
  ok: putEventsReply([{ EventId: ALIBABA_EVENT_ID, TraceId: '445EFED2EC2A7FC17FB05AF4AD010001' }]),
  throttle: eventBridgeError(429, 'TooManyRequests', 'The request is denied by flow limiter for too many requests.'),
  'server-error': eventBridgeError(500, 'InternalError', 'The request processing has failed due to some unknown error.'),
  'client-error': eventBridgeError(403, 'AccessDenied', 'The OwnerId that your Access Key Id associated to is forbidden for this operation.'),
};

/**
 * What a gateway in front of an Alibaba API answers when the backend is down or slow: an
 * HTML page, no JSON, no code (Tengine's pages).
 */
export const GATEWAY_PAGES: Record<string, ScriptedResponse> = {
  '502 Bad Gateway': {
    status: 502,
    headers: { 'content-type': 'text/html', server: 'Tengine' },
    body: '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>Tengine</center>\r\n</body>\r\n</html>\r\n',
  },
  '504 Gateway Time-out': {
    status: 504,
    headers: { 'content-type': 'text/html', server: 'Tengine' },
    body: '<html>\r\n<head><title>504 Gateway Time-out</title></head>\r\n<body>\r\n<center><h1>504 Gateway Time-out</h1></center>\r\n<hr><center>Tengine</center>\r\n</body>\r\n</html>\r\n',
  },
};

export const FC_REQUEST_ID = '1ef6b6c5-0000-4000-8000-0000000000fc';

const fcError = (status: number, code: string, message: string): ScriptedResponse => ({
  status,
  headers: { 'x-fc-request-id': FC_REQUEST_ID, 'content-type': 'application/json' },
  body: { Code: code, Message: message, RequestId: FC_REQUEST_ID },
});

/** FC 3.0 InvokeFunction: Async answers 202 with no body. */
export const FC_MODES: Modes = {
  ok: { status: 202, headers: { 'x-fc-request-id': FC_REQUEST_ID } },
  throttle: fcError(429, 'TooManyRequests', 'Reserve resource exhausted, please retry later.'),
  'server-error': fcError(500, 'InternalServerError', 'An internal error has occurred.'),
  'client-error': fcError(404, 'FunctionNotFound', 'function not found: remediate'),
};

/** Payload limits of FC 3.0 invocations, by x-fc-invocation-type. */
const FC_PAYLOAD_LIMITS: Record<string, number> = { Sync: 32 * 1024 * 1024, Async: 128 * 1024 };
const INVOKE_PATH = /^\/2023-03-30\/functions\/([^/?]+)\/invocations(\?.*)?$/;

/**
 * FC 3.0's own checks, before any script: the path, an ACS3 signature by a known key
 * (secrets maps key id to secret), the body hash, the invocation type, the payload limit,
 * and functions that exist.
 */
function fcValidate(secrets: Map<string, string>, functions: Set<string>) {
  return (req: RecordedRequest): ScriptedResponse | undefined => {
    const path = INVOKE_PATH.exec(req.url);
    if (req.method !== 'POST' || !path) return fcError(404, 'PathNotSupported', `${req.method} ${req.url} is not supported`);
    const accessKeyId = /Credential=([^,]+)/.exec(header(req.headers, 'authorization'))?.[1];
    const secret = accessKeyId ? secrets.get(accessKeyId) : undefined;
    if (!secret) return fcError(403, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
    if (!verifyAcs3Signature(req, secret)?.valid) return fcError(403, 'SignatureNotMatch', 'The request signature we calculated does not match the signature you provided.');
    const type = header(req.headers, 'x-fc-invocation-type') || 'Sync';
    if (!(type in FC_PAYLOAD_LIMITS)) return fcError(400, 'InvalidArgument', `invalid invocation type ${type}`);
    if (Buffer.byteLength(req.body, 'utf8') > FC_PAYLOAD_LIMITS[type]!) return fcError(413, 'EntityTooLarge', 'payload size exceeds maximum allowed size');
    if (!functions.has(decodeURIComponent(path[1]!))) return fcError(404, 'FunctionNotFound', `function not found: ${path[1]}`);
    return undefined;
  };
}

/** An FC 3.0 API serving the functions named, for the keys given (the test credentials by default). */
export const startFcFake = (
  options: { functions?: string[]; keys?: Record<string, string> } = {},
): Promise<ScriptedServer> =>
  startScriptedServer({
    modes: FC_MODES,
    validate: fcValidate(
      new Map(Object.entries(options.keys ?? { [ALIBABA_CREDENTIALS.accessKeyId]: ALIBABA_CREDENTIALS.accessKeySecret })),
      new Set(options.functions ?? ['remediate']),
    ),
  });

/** The CloudEvent attributes PutEvents requires of every event. */
const REQUIRED_ATTRIBUTES = ['id', 'source', 'specversion', 'type', 'time', 'aliyuneventbusname'];
/** "The maximum size of a single event that can be published is 64 KB": time counts 36 bytes, the bus name nothing, the data as JSON. */
const EVENT_LIMIT_BYTES = 65_536;

/**
 * EventBridge's own checks, before any script: the path, an `acs:` signature by a known key
 * (secrets maps key id to secret) with a Date, a CloudEvents batch whose events carry the
 * required attributes, each within 64 KB.
 */
function eventBridgeValidate(secrets: Map<string, string>) {
  return (req: RecordedRequest): ScriptedResponse | undefined => {
    if (req.method !== 'POST' || new URL(req.url, 'http://fake').pathname !== '/openapi/putEvents') return eventBridgeError(404, 'PathNotSupported', `${req.method} ${req.url} is not supported`);
    const accessKeyId = /^acs:([^:]+):/.exec(header(req.headers, 'authorization'))?.[1];
    const secret = accessKeyId ? secrets.get(accessKeyId) : undefined;
    if (!secret) return eventBridgeError(403, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
    if (!header(req.headers, 'date') || !verifyAcsSignature(req, secret)?.valid) {
      return eventBridgeError(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.');
    }
    let events: unknown;
    try {
      events = JSON.parse(req.body);
    } catch {
      return eventBridgeError(400, 'InvalidArgument', 'the body is not a CloudEvents batch (JSON)');
    }
    if (!Array.isArray(events) || events.length === 0) return eventBridgeError(400, 'InvalidArgument', 'the body is not a CloudEvents batch (a JSON array of events)');
    for (const event of events as Record<string, unknown>[]) {
      const missing = REQUIRED_ATTRIBUTES.find((name) => typeof event?.[name] !== 'string' || event[name] === '');
      if (missing) return eventBridgeError(400, 'InvalidArgument', `the event attribute ${missing} is required`);
      const { time: _time, data, aliyuneventbusname: _bus, ...attributes } = event;
      const size = 36 + Object.values(attributes).reduce((sum: number, value) => sum + Buffer.byteLength(String(value)), 0) + Buffer.byteLength(JSON.stringify(data ?? null));
      if (size > EVENT_LIMIT_BYTES) return eventBridgeError(400, 'EventSizeExceeded', `the event is ${size} bytes, over ${EVENT_LIMIT_BYTES}`);
    }
    return undefined;
  };
}

/** An Alibaba EventBridge API for the keys given (the test credentials by default). */
export const startAlibabaEventBridgeFake = (options: { keys?: Record<string, string> } = {}): Promise<ScriptedServer> =>
  startScriptedServer({
    modes: EVENTBRIDGE_MODES,
    validate: eventBridgeValidate(new Map(Object.entries(options.keys ?? { [ALIBABA_CREDENTIALS.accessKeyId]: ALIBABA_CREDENTIALS.accessKeySecret }))),
  });

export interface SignatureCheck {
  accessKeyId: string;
  /** The signature matches the one recomputed with the secret. */
  valid: boolean;
}

const header = (headers: IncomingHttpHeaders, name: string) => {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : (value ?? '');
};

/** `name:value\n` for every header with the prefix, sorted by name, as the acs: scheme canonicalizes them. */
function canonicalHeaders(headers: IncomingHttpHeaders, prefix: string): string {
  return Object.keys(headers)
    .filter((name) => name.startsWith(prefix))
    .sort()
    .map((name) => `${name}:${header(headers, name).replace(/[\t\n\r\f]/g, ' ').trim()}\n`)
    .join('');
}

function check(request: RecordedRequest, scheme: RegExp, algorithm: 'sha1' | 'sha256', prefix: string, resource: string, secret: string) {
  const match = scheme.exec(header(request.headers, 'authorization'));
  if (!match) return undefined;
  const [, accessKeyId, signature] = match as unknown as [string, string, string];
  const stringToSign =
    [request.method, header(request.headers, 'content-md5'), header(request.headers, 'content-type'), header(request.headers, 'date')].join('\n') +
    '\n' +
    canonicalHeaders(request.headers, prefix) +
    resource;
  const expected = Buffer.from(createHmac(algorithm, secret).update(stringToSign, 'utf8').digest('base64'));
  const given = Buffer.from(signature);
  return { accessKeyId, valid: expected.length === given.length && timingSafeEqual(expected, given) };
}

/**
 * EventBridge API signature: `acs:<AccessKeyId>:<base64 HMAC-SHA1>` over method, Content-MD5,
 * Content-Type, Date, the x-acs-* headers and the resource (path and sorted query).
 */
export function verifyAcsSignature(request: RecordedRequest, secret: string): SignatureCheck | undefined {
  const url = new URL(request.url, 'http://fake');
  const query = [...url.searchParams.entries()].map(([key, value]) => `${key}=${value}`).sort();
  const resource = query.length > 0 ? `${url.pathname}?${query.join('&')}` : url.pathname;
  return check(request, /^acs:([^:]+):(.+)$/, 'sha1', 'x-acs-', resource, secret);
}

const sha256 = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex');
const rfc3986 = (value: string) => encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * V3 signature (ACS3-HMAC-SHA256), from Alibaba's "Request syntax and signature method V3":
 * `ACS3-HMAC-SHA256 Credential=<id>,SignedHeaders=<names>,Signature=<hex>`, the HMAC-SHA256 of
 * "ACS3-HMAC-SHA256\n" + hex SHA-256 of the canonical request (method, path, sorted encoded
 * query, the signed headers as name:value lines, their names, hex SHA-256 of the body).
 * The signed headers must include host, x-acs-date and x-acs-content-sha256, the body's hash.
 */
export function verifyAcs3Signature(request: RecordedRequest, secret: string): SignatureCheck | undefined {
  const match = /^ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]+),Signature=([0-9a-f]{64})$/.exec(header(request.headers, 'authorization'));
  if (!match) return undefined;
  const [, accessKeyId, signedHeaders, signature] = match as unknown as [string, string, string, string];
  const names = signedHeaders.split(';');
  const required = ['host', 'x-acs-date', 'x-acs-content-sha256'];
  const bodyHash = sha256(request.body);
  if (required.some((name) => !names.includes(name)) || header(request.headers, 'x-acs-content-sha256') !== bodyHash) return { accessKeyId, valid: false };
  const url = new URL(request.url, 'http://fake');
  const query = [...url.searchParams.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${rfc3986(key)}=${rfc3986(value)}`)
    .join('&');
  const canonical = [request.method, url.pathname, query, names.map((name) => `${name}:${header(request.headers, name).trim()}\n`).join(''), signedHeaders, bodyHash].join('\n');
  const expected = Buffer.from(createHmac('sha256', secret).update(`ACS3-HMAC-SHA256\n${sha256(canonical)}`, 'utf8').digest('hex'));
  const given = Buffer.from(signature);
  return { accessKeyId, valid: expected.length === given.length && timingSafeEqual(expected, given) };
}
