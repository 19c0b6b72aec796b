// What the project's AWS clients share: credentials, regional endpoints, Signature Version 4,
// one signed request, and the error of a JSON protocol's answer. Each client sends the
// request the AWS SDK v3 client would (same request, same signature) through the project's
// HTTP client: no SDK in a bundle. The SDK's clients cost some 100 ms of CPU to load and
// allocate enough per call to grow a Node 24 function's young generation to its cap
// (bench/README.md).
import { hmacSha256, sha256Hex } from './hash';
import { httpRequest, type HttpResponse } from './http';
import { secretsGuard } from './log';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

type CredentialChain = () => Promise<AwsCredentials>;
let chain: Promise<CredentialChain | undefined> | undefined;

/**
 * The AWS SDK's default credential chain (profiles, SSO, container and instance roles), for
 * where the environment has no keys: the command line on an operator's machine. Never
 * bundled (scripts/build.ts): a deployed function has its role's keys in its environment
 * (Lambda sets them), and where it has none and no SDK either, there is no chain.
 */
function credentialChain(): Promise<CredentialChain | undefined> {
  return (chain ??= import('@aws-sdk/credential-provider-node').then(
    ({ defaultProvider }) => defaultProvider(),
    () => undefined,
  ));
}

/**
 * The credentials to sign with, read at every call: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY
 * and AWS_SESSION_TOKEN (on Lambda, the function role's temporary credentials), else the
 * SDK's default chain when it is installed (it caches and refreshes what it finds; it reads
 * process.env itself). As in the SDK's chain, AWS_PROFILE names a profile that wins over keys
 * in the environment.
 */
export async function awsCredentials(env: NodeJS.ProcessEnv = process.env): Promise<AwsCredentials> {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (accessKeyId && secretAccessKey && !env.AWS_PROFILE) {
    const sessionToken = env.AWS_SESSION_TOKEN;
    return guarded({ accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) });
  }
  const provider = await credentialChain();
  if (!provider) throw new Error('no AWS credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set, and the AWS SDK credential chain is not installed');
  const found = await provider().catch((err: unknown) => {
    throw new Error(`no AWS credentials: ${err instanceof Error ? err.message : String(err)}`);
  });
  return guarded({ accessKeyId: found.accessKeyId, secretAccessKey: found.secretAccessKey, ...(found.sessionToken ? { sessionToken: found.sessionToken } : {}) });
}

/** The secret key and the session token registered with redact() (x-amz-security-token carries the token). */
const guarded = secretsGuard((credentials: AwsCredentials) => [credentials.secretAccessKey, credentials.sessionToken]);

/** The DNS suffix of a region's partition (the SDK's partitions table). */
function dnsSuffix(region: string): string {
  if (region.startsWith('cn-')) return 'amazonaws.com.cn';
  if (region.startsWith('eusc-')) return 'amazonaws.eu';
  if (region.startsWith('us-isob-')) return 'sc2s.sgov.gov';
  if (region.startsWith('us-iso-')) return 'c2s.ic.gov';
  if (region.startsWith('eu-isoe-')) return 'cloud.adc-e.uk';
  if (region.startsWith('us-isof-')) return 'csp.hci.ic.gov';
  return 'amazonaws.com';
}

/** Services whose FIPS endpoint in GovCloud is their standard one (the SDK's endpoint rules). */
const GOVCLOUD_FIPS_BY_DEFAULT = new Set(['sns', 'events', 'dynamodb']);

/**
 * The regional endpoint of a service (by its signing name), as the SDK's endpoint rules give
 * it: `https://<service>.<region>.<partition's suffix>`, with `-fips` after the service for a
 * FIPS endpoint (none needed for some services in GovCloud).
 */
export function awsEndpoint(service: string, region: string, options: { fips?: boolean } = {}): string {
  const fips = options.fips === true && !(region.startsWith('us-gov-') && GOVCLOUD_FIPS_BY_DEFAULT.has(service));
  return `https://${service}${fips ? '-fips' : ''}.${region}.${dnsSuffix(region)}`;
}

/** The SDK's service ids of the signing names used here, for AWS_ENDPOINT_URL_<SERVICE ID>. */
const SERVICE_IDS: Record<string, string> = { sns: 'SNS', events: 'EVENTBRIDGE', lambda: 'LAMBDA', dynamodb: 'DYNAMODB' };

/**
 * The endpoint of a service: the setting, else the SDK's environment variables
 * (AWS_ENDPOINT_URL_<SERVICE>, then AWS_ENDPOINT_URL, unless AWS_IGNORE_CONFIGURED_ENDPOINT_URLS
 * is true), else the region's (FIPS with AWS_USE_FIPS_ENDPOINT=true); undefined without a region.
 */
export function resolveAwsEndpoint(service: string, region: string | undefined, setting: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (setting) return setting;
  if (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS !== 'true') {
    const configured = env[`AWS_ENDPOINT_URL_${SERVICE_IDS[service] ?? service.toUpperCase()}`] || env.AWS_ENDPOINT_URL;
    if (configured) return configured;
  }
  return region ? awsEndpoint(service, region, { fips: env.AWS_USE_FIPS_ENDPOINT === 'true' }) : undefined;
}

/** A lone UTF-16 surrogate, which has no UTF-8 form (encodeURIComponent throws on it). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * RFC 3986 encoding, as SigV4 canonicalizes paths and queries (and the SDK its Query bodies).
 * A lone surrogate (an alert name parsed from `"\ud800"`) becomes U+FFFD, as in
 * String.prototype.toWellFormed, instead of failing the request.
 */
export const rfc3986 = (text: string): string =>
  encodeURIComponent(text.replace(LONE_SURROGATE, '\uFFFD')).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * The headers of a request signed with AWS Signature Version 4 ("Create a signed AWS API
 * request"): `host`, `x-amz-date`, the session token and the given headers are signed; the
 * canonical URI encodes each path segment once more, as every service but S3 wants.
 */
export function sigV4Headers(input: {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: string;
  service: string;
  region: string;
  credentials: AwsCredentials;
  now?: Date;
}): Record<string, string> {
  const amzDate = (input.now ?? new Date()).toISOString().replace(/[-:]|\.\d{3}/g, '');
  const date = amzDate.slice(0, 8);
  const headers: Record<string, string> = { host: input.url.host, 'x-amz-date': amzDate };
  for (const [name, value] of Object.entries(input.headers)) headers[name.toLowerCase()] = value;
  if (input.credentials.sessionToken) headers['x-amz-security-token'] = input.credentials.sessionToken;
  const names = Object.keys(headers).sort();
  const canonicalRequest = [
    input.method,
    input.url.pathname.split('/').map(rfc3986).join('/'),
    canonicalQuery(input.url.search),
    names.map((name) => `${name}:${String(headers[name]).trim().replace(/ +/g, ' ')}\n`).join(''),
    names.join(';'),
    sha256Hex(input.body),
  ].join('\n');
  const scope = `${date}/${input.region}/${input.service}/aws4_request`;
  const stringToSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${sha256Hex(canonicalRequest)}`;
  let key = hmacSha256(`AWS4${input.credentials.secretAccessKey}`, date);
  for (const part of [input.region, input.service, 'aws4_request']) key = hmacSha256(key, part);
  const signature = hmacSha256(key, stringToSign).toString('hex');
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${input.credentials.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`;
  return headers;
}

/**
 * The query as SigV4 canonicalizes it: each name and value decoded as sent (a `+` stays a
 * `+`) and RFC 3986 encoded, the pairs sorted by name, then by value.
 */
function canonicalQuery(search: string): string {
  const pairs = search
    .slice(1)
    .split('&')
    .filter(Boolean)
    .map((pair): [string, string] => {
      const at = pair.indexOf('=');
      const [name, value] = at < 0 ? [pair, ''] : [pair.slice(0, at), pair.slice(at + 1)];
      return [rfc3986(decodeURIComponent(name)), rfc3986(decodeURIComponent(value))];
    });
  pairs.sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0));
  return pairs.map(([name, value]) => `${name}=${value}`).join('&');
}

/** One signed request to an AWS API. */
export interface AwsRequest {
  /** The signing name of the service (`sns`, `events`, `lambda`, `dynamodb`). */
  service: string;
  region: string;
  /** The API's endpoint (resolveAwsEndpoint): the regional one, a VPC endpoint, an emulator; its path prefixes `path`. */
  endpoint: string;
  method: 'POST';
  /** Path and query, already percent-encoded (`/2015-03-31/functions/NAME/invocations?Qualifier=live`). */
  path: string;
  headers: Record<string, string>;
  body: string;
  signal: AbortSignal;
  /** How much of the answer to read (default: the HTTP client's cap). */
  maxResponseBytes?: number;
}

/**
 * Server time minus ours, as AWS's answers tell it (their `Date`): requests are signed with
 * the corrected time, as the SDK's signer does. AWS refuses a signature more than 5 minutes
 * away from its clock ("Signature expired"), and a machine's clock can be that far off (a
 * laptop after sleep, a VM without NTP).
 */
let clockOffsetMs = 0;
/** A correction this large means the request was signed with a wrong time (the SDK's threshold). */
const SKEW_MS = 240_000;

/**
 * Learns the server's time from an answer's `Date`, as the SDK does: not from a cached answer
 * (`Age`), nor after a wait so long that the date says nothing of when it was sent.
 */
function learnClock(res: HttpResponse, sentAt: number): void {
  if (res.headers.get('age') !== null) return;
  const serverTime = Date.parse(res.headers.get('date') ?? '');
  const receivedAt = Date.now();
  if (Number.isNaN(serverTime) || receivedAt - sentAt > 900_000) return;
  clockOffsetMs = serverTime - receivedAt;
}

/**
 * Signs the request with the current credentials and sends it. Private addresses are
 * allowed: with private DNS, a VPC endpoint gives the regional name a private address, and
 * an endpoint setting is the operator's own. A request that AWS refused (400 or 403) while
 * its answer showed our clock at least 4 minutes off is signed again with the server's time
 * and sent once more: refused at the signature, it was not processed. Answers whatever the
 * status; throws when nothing came back (network, abort) or there is nothing to sign with.
 */
export async function awsRequest(request: AwsRequest, env: NodeJS.ProcessEnv = process.env): Promise<HttpResponse> {
  const base = new URL(request.endpoint);
  const url = new URL(`${base.origin}${base.pathname.replace(/\/+$/, '')}${request.path}`);
  const credentials = await awsCredentials(env);
  for (let attempt = 1; ; attempt += 1) {
    const offset = clockOffsetMs;
    const sentAt = Date.now();
    const headers = sigV4Headers({ method: request.method, url, headers: request.headers, body: request.body, service: request.service, region: request.region, credentials, now: new Date(sentAt + offset) });
    const res = await httpRequest({
      method: request.method,
      url: url.href,
      headers,
      body: request.body,
      signal: request.signal,
      allowPrivateNetwork: true,
      ...(request.maxResponseBytes ? { maxResponseBytes: request.maxResponseBytes } : {}),
    });
    learnClock(res, sentAt);
    const refusedForSkew = (res.status === 400 || res.status === 403) && Math.abs(clockOffsetMs - offset) >= SKEW_MS;
    if (attempt > 1 || !refusedForSkew) return res;
  }
}

/** The error code and message of a JSON protocol's error answer (`x-amzn-errortype`, `__type`, `message`). */
export function awsJsonError(res: HttpResponse): { code?: string; message?: string } {
  let body: Record<string, unknown> = {};
  try {
    const value: unknown = JSON.parse(res.text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) body = value as Record<string, unknown>;
  } catch {
    // A gateway's HTML page: no code to read.
  }
  const text = (value: unknown) => (typeof value === 'string' && value ? value : undefined);
  // `ResourceNotFoundException:http://internal.amazon.com/...`, `com.amazonaws.events#ThrottlingException`
  const raw = text(res.headers.get('x-amzn-errortype')) ?? text(body.__type) ?? text(body.code) ?? text(body.Code);
  const code = raw?.split(':')[0]?.split('#').pop();
  return { code: code || undefined, message: text(body.message) ?? text(body.Message) ?? text(body.errorMessage) };
}

