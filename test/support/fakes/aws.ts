// Fakes of the AWS services the cloud targets call (SNS Query/XML, EventBridge JSON 1.1,
// Lambda REST), served by the scripted server on 127.0.0.1. Each authenticates a request as
// the service does (a SigV4 signature by the fake credentials, within AWS's 5-minute window)
// with the service's own errors, and SNS checks Publish's parameters and size. The SigV4
// verifier is written from the AWS specification, independently of the SDK's signer.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { ServiceMode } from '../../targets/conformance';
import { startScriptedServer, type RecordedRequest, type ScriptedResponse, type ScriptedServer } from '../http-server';

/** Fake credentials the AWS SDK's default chain reads from the environment. */
export const AWS_CREDENTIALS = {
  accessKeyId: 'AKIAFAKE0ALERTROUTER',
  secretAccessKey: 'fake/aws+secret0key0for0tests0only0abcdef',
  sessionToken: 'fake-aws-session-token-3c1d5e7f9a',
  region: 'us-east-1',
};

export const AWS_ENV: Record<string, string> = {
  AWS_ACCESS_KEY_ID: AWS_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: AWS_CREDENTIALS.secretAccessKey,
  AWS_SESSION_TOKEN: AWS_CREDENTIALS.sessionToken,
  AWS_REGION: AWS_CREDENTIALS.region,
};

/** What must never leak from an AWS target. */
export const AWS_SECRETS = [AWS_CREDENTIALS.secretAccessKey, AWS_CREDENTIALS.sessionToken];

type Modes = Record<Exclude<ServiceMode, 'hang' | 'echo'>, ScriptedResponse>;

const xmlError = (status: number, type: 'Sender' | 'Receiver', code: string, message: string): ScriptedResponse => ({
  status,
  headers: { 'content-type': 'text/xml' },
  body: `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>${type}</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>2f1b7e1c-0000-4000-8000-000000000001</RequestId></ErrorResponse>`,
});

export const SNS_MESSAGE_ID = '95df01b4-ee98-5cb9-9903-4c221d41eb5e';

/** SNS Query protocol: form-encoded requests, XML replies (a JSON body does not parse). */
export const SNS_MODES: Modes = {
  ok: {
    status: 200,
    headers: { 'content-type': 'text/xml' },
    body: `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${SNS_MESSAGE_ID}</MessageId></PublishResult><ResponseMetadata><RequestId>f187a3c1-376f-11df-8963-01868b7c937a</RequestId></ResponseMetadata></PublishResponse>`,
  },
  throttle: xmlError(429, 'Sender', 'Throttled', 'Rate exceeded'),
  'server-error': xmlError(500, 'Receiver', 'InternalError', 'Internal service error'),
  'client-error': xmlError(404, 'Sender', 'NotFound', 'Topic does not exist'),
};

const jsonError = (status: number, type: string, message: string): ScriptedResponse => ({
  status,
  headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': '8b3c1e2a-0000-4000-8000-000000000002' },
  body: { __type: type, message },
});

export const EVENTBRIDGE_EVENT_ID = '11710aed-b79e-4468-a20b-bb3c0c3b4860';

/** PutEvents with the given entry results (a failed entry has ErrorCode and ErrorMessage). */
export function putEventsReply(entries: { EventId?: string; ErrorCode?: string; ErrorMessage?: string }[]): ScriptedResponse {
  return {
    status: 200,
    headers: { 'content-type': 'application/x-amz-json-1.1' },
    body: { FailedEntryCount: entries.filter((entry) => entry.ErrorCode).length, Entries: entries },
  };
}

/** EventBridge: JSON 1.1 (`x-amz-target: AWSEvents.PutEvents`), errors named by `__type`. */
export const EVENTBRIDGE_MODES: Modes = {
  ok: putEventsReply([{ EventId: EVENTBRIDGE_EVENT_ID }]),
  throttle: jsonError(400, 'ThrottlingException', 'Rate exceeded'),
  'server-error': jsonError(500, 'InternalException', 'Internal service error'),
  'client-error': jsonError(400, 'ResourceNotFoundException', 'Event bus alerts does not exist.'),
};

const restError = (status: number, type: string, message: string): ScriptedResponse => ({
  status,
  headers: { 'content-type': 'application/json', 'x-amzn-errortype': type, 'x-amzn-requestid': '7e0d2a44-0000-4000-8000-000000000003' },
  body: { Type: status >= 500 ? 'Service' : 'User', message },
});

export const LAMBDA_REQUEST_ID = '5b6d9ea1-0000-4000-8000-000000000004';

/** Lambda Invoke: REST, `POST /2015-03-31/functions/NAME/invocations`; Event invocations answer 202. */
export const LAMBDA_MODES: Modes = {
  ok: { status: 202, headers: { 'x-amzn-requestid': LAMBDA_REQUEST_ID } },
  throttle: restError(429, 'TooManyRequestsException', 'Rate Exceeded.'),
  'server-error': restError(500, 'ServiceException', 'Internal service error'),
  'client-error': restError(404, 'ResourceNotFoundException', 'Function not found: arn:aws:lambda:us-east-1:123456789012:function:remediate'),
};

/** How far from its clock AWS accepts a signature's time (x-amz-date), either way. */
export const SIGNATURE_WINDOW_MS = 5 * 60_000;

const amzStamp = (ms: number) => new Date(ms).toISOString().replace(/[-:]|\.\d{3}/g, '');

/** AWS's message for a request signed outside its window at `now`, or undefined. */
export function signatureTimeError(req: RecordedRequest, now: number): string | undefined {
  const amzDate = String(req.headers['x-amz-date'] ?? '');
  const parts = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/.exec(amzDate);
  if (!parts) return undefined;
  const [year, month, day, hour, minute, second] = parts.slice(1).map(Number) as [number, number, number, number, number, number];
  const signedAt = Date.UTC(year, month - 1, day, hour, minute, second);
  if (signedAt < now - SIGNATURE_WINDOW_MS) return `Signature expired: ${amzDate} is now earlier than ${amzStamp(now - SIGNATURE_WINDOW_MS)} (${amzStamp(now)} - 5 min.)`;
  if (signedAt > now + SIGNATURE_WINDOW_MS) return `Signature not yet current: ${amzDate} is still later than ${amzStamp(now + SIGNATURE_WINDOW_MS)} (${amzStamp(now)} + 5 min.)`;
  return undefined;
}

/** How a service refuses a request it cannot authenticate: its error codes, and its answer's shape. */
interface AuthRefusal {
  missing: string;
  invalid: string;
  answer: (code: string, message: string) => ScriptedResponse;
}

/**
 * What the service answers a request that is not signed by AWS_CREDENTIALS, or signed outside
 * its window; undefined for a good one.
 */
function authError(req: RecordedRequest, now: number, refusal: AuthRefusal): ScriptedResponse | undefined {
  if (req.headers.authorization === undefined) return refusal.answer(refusal.missing, 'Missing Authentication Token');
  const check = verifySigV4(req, AWS_CREDENTIALS.secretAccessKey);
  if (!check?.valid || check.accessKeyId !== AWS_CREDENTIALS.accessKeyId || req.headers['x-amz-date'] === undefined) {
    return refusal.answer(refusal.invalid, 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.');
  }
  const expired = signatureTimeError(req, now);
  return expired ? refusal.answer(refusal.invalid, expired) : undefined;
}

export interface AwsFakeOptions {
  /** The service's clock against this machine's (its answers' Date, its signature window). */
  clockOffsetMs?: number;
}

/** A fake AWS API: authenticates each request as the service does (signature, window), then runs its own checks. */
function startAwsFake(modes: Modes, refusal: AuthRefusal, options: AwsFakeOptions, validate?: (req: RecordedRequest) => ScriptedResponse | undefined): Promise<ScriptedServer> {
  const now = () => Date.now() + (options.clockOffsetMs ?? 0);
  return startScriptedServer({
    modes,
    now,
    validate: (req) => authError(req, now(), refusal) ?? validate?.(req),
  });
}

/** SNS's default MaximumMessageSize of a topic (1,024 to 1,048,576 when set). */
export const SNS_DEFAULT_MAX_MESSAGE_SIZE = 262_144;

export interface SnsFakeOptions extends AwsFakeOptions {
  /** The topic's MaximumMessageSize. */
  maxMessageSize?: number;
}

/** Publish's own checks: a topic, a group id on a FIFO topic, the message and its attributes within the topic's size. */
function publishError(req: RecordedRequest, maxMessageSize: number): ScriptedResponse | undefined {
  const form = new URLSearchParams(req.body);
  if (form.get('Action') !== 'Publish') return undefined;
  const topic = form.get('TopicArn');
  if (!topic) return xmlError(400, 'Sender', 'InvalidParameter', 'Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter');
  if (topic.endsWith('.fifo') && !form.get('MessageGroupId')) return xmlError(400, 'Sender', 'InvalidParameter', 'Invalid parameter: The MessageGroupId parameter is required for FIFO topics');
  let size = Buffer.byteLength(form.get('Message') ?? '');
  for (const [key, value] of form) if (/^MessageAttributes\.entry\.\d+\.(Name|Value\.DataType|Value\.StringValue)$/.test(key)) size += Buffer.byteLength(value);
  if (size > maxMessageSize) return xmlError(400, 'Sender', 'InvalidParameter', 'Invalid parameter: Message too long');
  return undefined;
}

export const startSnsFake = (options: SnsFakeOptions = {}): Promise<ScriptedServer> =>
  startAwsFake(SNS_MODES, { missing: 'MissingAuthenticationToken', invalid: 'SignatureDoesNotMatch', answer: (code, message) => xmlError(403, 'Sender', code, message) }, options, (req) =>
    publishError(req, options.maxMessageSize ?? SNS_DEFAULT_MAX_MESSAGE_SIZE),
  );
export const startEventBridgeFake = (options: AwsFakeOptions = {}): Promise<ScriptedServer> =>
  startAwsFake(EVENTBRIDGE_MODES, { missing: 'MissingAuthenticationTokenException', invalid: 'InvalidSignatureException', answer: (code, message) => jsonError(400, code, message) }, options);
/** Lambda's payload limits: 1 MB for an asynchronous (Event) invocation, 6 MB for a synchronous one. */
export const LAMBDA_PAYLOAD_LIMITS = { Event: 1_048_576, RequestResponse: 6_291_456 } as const;

export const startLambdaFake = (options: AwsFakeOptions = {}): Promise<ScriptedServer> =>
  startAwsFake(LAMBDA_MODES, { missing: 'MissingAuthenticationTokenException', invalid: 'InvalidSignatureException', answer: (code, message) => restError(403, code, message) }, options, (req) => {
    const type = req.headers['x-amz-invocation-type'] === 'RequestResponse' ? 'RequestResponse' : 'Event';
    const size = Buffer.byteLength(req.body, 'utf8');
    if (size <= LAMBDA_PAYLOAD_LIMITS[type]) return undefined;
    return restError(413, 'RequestEntityTooLargeException', `${size} byte payload is too large for the ${type} invocation type (limit ${LAMBDA_PAYLOAD_LIMITS[type]} bytes)`);
  });

export interface SigV4Check {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  /** The signature matches the one recomputed with the secret key. */
  valid: boolean;
}

const AUTHORIZATION = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/;

/** RFC 3986 encoding, as SigV4 canonicalization wants it. */
const encode = (text: string) => encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const sha256 = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/**
 * Recomputes the SigV4 signature of a recorded request (AWS "Create a signed AWS API
 * request": canonical request, string to sign, derived key). Non-S3 services encode each
 * path segment once more, which the canonical URI below does.
 */
export function verifySigV4(request: RecordedRequest, secretAccessKey: string): SigV4Check | undefined {
  const match = AUTHORIZATION.exec(String(request.headers.authorization ?? ''));
  if (!match) return undefined;
  const [, accessKeyId, date, region, service, signedList, signature] = match as unknown as string[];
  const signedHeaders = signedList!.split(';');
  const url = new URL(request.url, 'http://fake');
  const canonicalUri = url.pathname.split('/').map(encode).join('/');
  const canonicalQuery = [...url.searchParams.entries()]
    .map(([key, value]) => `${encode(key)}=${encode(value)}`)
    .sort()
    .join('&');
  const canonicalHeaders = signedHeaders
    .map((name) => `${name}:${String(request.headers[name] ?? '').trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  const payloadHash = String(request.headers['x-amz-content-sha256'] ?? sha256(request.body));
  const canonicalRequest = [request.method, canonicalUri, canonicalQuery, canonicalHeaders, signedList, payloadHash].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', String(request.headers['x-amz-date']), scope, sha256(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, date!), region!), service!), 'aws4_request');
  const expected = Buffer.from(hmac(key, stringToSign).toString('hex'));
  const valid = timingSafeEqual(expected, Buffer.from(signature!));
  return { accessKeyId: accessKeyId!, date: date!, region: region!, service: service!, signedHeaders, valid };
}
