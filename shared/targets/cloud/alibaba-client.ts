// What the Alibaba Cloud targets (alibaba-eventbridge, fc-invoke) share: account and region
// settings, the outcome when no credentials are at hand, credentials read at send time, and
// the EventBridge API's `acs:` request signature and FC 3.0's ACS3-HMAC-SHA256 (V3) one.
// No SDK is imported here: a target that uses one imports it inside create().
import { randomUUID } from 'node:crypto';
import { hmac, sha256Hex } from '../../hash';
import { z } from 'zod';
import type { AlibabaCredentials, Outcome } from '../contract';

export const alibabaRegion = z.string().regex(/^[a-z]{2}(-[a-z0-9]+)+$/, 'an Alibaba Cloud region id such as cn-hangzhou');
export const alibabaAccountId = z.string().regex(/^\d{10,20}$/, 'an Alibaba Cloud account id (digits)');

/**
 * How long an Alibaba SDK call may take at most. These SDKs take no abort signal:
 * untilAborted() lets send() return when the attempt is aborted, and this bounds the
 * request left behind.
 */
export const SDK_TIMEOUT_MS = 30_000;

/** The SDK call's result, or a rejection with the signal's reason as soon as it aborts. */
export function untilAborted<T>(call: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    call.then(resolve, reject).finally(() => {
      signal.removeEventListener('abort', onAbort);
    });
  });
}

export const NO_CREDENTIALS: Outcome = {
  outcome: 'failed',
  retryable: false,
  detail:
    'no Alibaba Cloud credentials: not running on FC 3.0 (context.credentials), and ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET are not set',
};

/**
 * The headers of an EventBridge API request signed as Alibaba documents it (and as
 * @alicloud/eventbridge does): `authorization: acs:<AccessKeyId>:<base64 HMAC-SHA1>` over the
 * method, Content-MD5, Content-Type, Date, the sorted `x-acs-*` headers and the path with its
 * sorted query. Temporary (STS) credentials add their key id and token as x-acs-* headers.
 */
export function acsSignedHeaders(input: {
  method: string;
  /** Path and sorted query, as sent. */
  resource: string;
  headers: Record<string, string>;
  credentials: AlibabaCredentials;
  now?: Date;
}): Record<string, string> {
  const headers: Record<string, string> = {
    date: (input.now ?? new Date()).toUTCString(),
    'x-acs-signature-nonce': randomUUID(),
    'x-acs-signature-method': 'HMAC-SHA1',
    'x-acs-signature-version': '1.0',
    ...Object.fromEntries(Object.entries(input.headers).map(([name, value]) => [name.toLowerCase(), value])),
  };
  const { accessKeyId, accessKeySecret, securityToken } = input.credentials;
  if (securityToken) {
    headers['x-acs-accesskey-id'] = accessKeyId;
    headers['x-acs-security-token'] = securityToken;
  }
  const canonical = sortedEntries(headers)
    .filter(([name]) => name.startsWith('x-acs-'))
    .map(([name, value]) => `${name}:${value.replace(/[\t\n\r\f]/g, ' ').trim()}\n`)
    .join('');
  const stringToSign = `${input.method.toUpperCase()}\n${headers['content-md5'] ?? ''}\n${headers['content-type'] ?? ''}\n${headers.date}\n${canonical}${input.resource}`;
  headers.authorization = `acs:${accessKeyId}:${hmac('sha1', accessKeySecret, stringToSign, 'base64')}`;
  return headers;
}

/** The entries of a header or query record in the order of their names (code units, as the signers sort). */
function sortedEntries(record: Record<string, string>): [string, string][] {
  return Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** RFC 3986 encoding, as the Alibaba SDKs canonicalize query values. */
const rfc3986 = (value: string) => encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * The headers of an OpenAPI request signed with ACS3-HMAC-SHA256 (V3 signature), as
 * @alicloud/openapi-core signs them: the canonical request is method, path, sorted encoded
 * query, the sorted `host`, `content-type` and `x-acs-*` headers, their names, and the body's
 * SHA-256; `authorization` carries the HMAC-SHA256 of its hash. Temporary (STS) credentials
 * add their key id and token as x-acs-* headers.
 */
export function acs3SignedHeaders(input: {
  method: string;
  host: string;
  /** Path, already percent-encoded. */
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: string;
  credentials: AlibabaCredentials;
  now?: Date;
}): Record<string, string> {
  const headers: Record<string, string> = {
    host: input.host,
    'x-acs-date': (input.now ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    'x-acs-signature-nonce': randomUUID(),
    'x-acs-content-sha256': sha256Hex(Buffer.from(input.body, 'utf8')),
    ...Object.fromEntries(Object.entries(input.headers).map(([name, value]) => [name.toLowerCase(), value])),
  };
  const { accessKeyId, accessKeySecret, securityToken } = input.credentials;
  if (securityToken) {
    headers['x-acs-accesskey-id'] = accessKeyId;
    headers['x-acs-security-token'] = securityToken;
  }
  const signed = sortedEntries(headers).filter(([name]) => name === 'host' || name === 'content-type' || name.startsWith('x-acs-'));
  const signedNames = signed.map(([name]) => name).join(';');
  const canonicalRequest = [
    input.method.toUpperCase(),
    input.path,
    sortedEntries(input.query)
      .map(([key, value]) => `${key}=${rfc3986(value)}`)
      .join('&'),
    signed.map(([name, value]) => `${name}:${value.trim()}\n`).join(''),
    signedNames,
    headers['x-acs-content-sha256'],
  ].join('\n');
  const stringToSign = `ACS3-HMAC-SHA256\n${sha256Hex(canonicalRequest)}`;
  const signature = hmac('sha256', accessKeySecret, stringToSign, 'hex');
  headers.authorization = `ACS3-HMAC-SHA256 Credential=${accessKeyId},SignedHeaders=${signedNames},Signature=${signature}`;
  return headers;
}
