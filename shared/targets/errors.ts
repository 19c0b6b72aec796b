// Classification of errors thrown by targets and their SDKs into an Outcome, so that
// dispatch retries only what a retry can fix (throttling, 5xx, network, timeouts).
// The detail is one redacted line: never a stack, never a request dump.
import { redact } from '../log';
import type { Outcome } from './contract';

/** The failed arm of Outcome: what classifyError always returns. */
export type Failure = Extract<Outcome, { outcome: 'failed' }>;

/** Statuses worth retrying: request timeout, too early, throttling and server errors. */
export function retryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || (status >= 500 && status <= 599);
}

/** Node and undici error codes of a connection that failed or broke: the next attempt may work. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);

/** Error names (AWS SDK v3) and codes (Alibaba Tea, FC) that mean "slow down" or "busy". */
const THROTTLING_NAMES = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'TooManyRequests',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'BandwidthLimitExceeded',
  'LimitExceededException',
  'SlowDown',
  'PriorRequestNotComplete',
  'EC2ThrottledException',
  // SNS on a topic encrypted with KMS: KMS throttled the data key request.
  'KMSThrottling',
  'KMSThrottlingException',
]);
/** Alibaba codes come dotted (`Throttling.User`, `Throttling.Api`) and FC adds its own. */
const TRANSIENT_CODE = /^(Throttling|ServiceUnavailable|InternalError|SystemBusy|ServiceBusy|ResourceThrottled|ResourceExhausted)\b/;
const TRANSIENT_NAMES = new Set(['TimeoutError', 'AbortError', 'RequestTimeout', 'RequestTimeoutException', 'InternalFailure', 'InternalException']);

const MAX_DETAIL = 300;

type ErrorLike = Record<string, unknown> & { name?: unknown; message?: unknown; code?: unknown };

function asRecord(value: unknown): ErrorLike | undefined {
  return typeof value === 'object' && value !== null ? (value as ErrorLike) : undefined;
}

/** The error and its causes (undici wraps the socket error as `cause`, happy eyeballs in an AggregateError). */
function chain(err: unknown): ErrorLike[] {
  const out: ErrorLike[] = [];
  let current = asRecord(err);
  while (current && out.length < 8 && !out.includes(current)) {
    out.push(current);
    const nested: unknown = Array.isArray(current.errors) ? current.errors[0] : undefined;
    current = asRecord(current.cause) ?? asRecord(nested);
  }
  return out;
}

/** The HTTP status an SDK error carries, if any. */
function statusOf(err: ErrorLike): number | undefined {
  const candidates = [
    asRecord(err.$metadata)?.httpStatusCode,
    err.statusCode,
    err.status,
    asRecord(err.data)?.statusCode,
  ];
  for (const value of candidates) {
    const status = typeof value === 'string' ? Number(value) : value;
    if (typeof status === 'number' && Number.isInteger(status) && status >= 100 && status <= 599) return status;
  }
  return undefined;
}

function isRetryable(err: ErrorLike, status: number | undefined): boolean {
  const name = typeof err.name === 'string' ? err.name : '';
  const code = typeof err.code === 'string' ? err.code : '';
  if (err.$retryable !== undefined) return true;
  if (THROTTLING_NAMES.has(name) || THROTTLING_NAMES.has(code) || TRANSIENT_NAMES.has(name)) return true;
  if (TRANSIENT_CODE.test(code) || NETWORK_CODES.has(code)) return true;
  return status !== undefined && retryableStatus(status);
}

/** One line, at most MAX_DETAIL characters, secrets removed. */
export function oneLine(text: string, max = MAX_DETAIL): string {
  const flat = redact(text).replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function describeError(links: ErrorLike[], status: number | undefined): string {
  const parts: string[] = [];
  for (const link of links) {
    const name = typeof link.name === 'string' && link.name !== 'Error' ? link.name : '';
    const code = typeof link.code === 'string' && !String(link.message).includes(link.code) ? link.code : '';
    const message = typeof link.message === 'string' ? link.message : '';
    const text = [name, code].filter(Boolean).join(' ');
    const part = text && message ? `${text}: ${message}` : text || message;
    if (part && !parts.includes(part)) parts.push(part);
  }
  if (parts.length === 0) parts.push('unknown error');
  return `${status !== undefined ? `HTTP ${status}: ` : ''}${parts.join(': ')}`;
}

/** Turns anything a target threw into a failed Outcome, retryable when a retry can help. */
export function classifyError(err: unknown): Failure {
  const links = chain(err);
  if (links.length === 0) {
    return { outcome: 'failed', retryable: false, detail: oneLine(`non-error thrown: ${String(err)}`) };
  }
  const status = links.map(statusOf).find((value) => value !== undefined);
  const retryable = links.some((link) => isRetryable(link, status));
  return { outcome: 'failed', retryable, detail: oneLine(describeError(links, status)) };
}
