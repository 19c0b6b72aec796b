// The shared HTTP helper of HTTP-based targets (webhook, PagerDuty, Slack, Jira...):
// a thin layer over Node's global fetch, the mapping of a response to an Outcome, and the
// URL rule for config validation.
import { isIP } from 'node:net';
import { z } from 'zod';
import type { Outcome } from '../contract';
import { oneLine, retryableStatus } from '../errors';

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  headers?: Record<string, string> | Headers;
  /** A string is sent as is; anything else as JSON (with a JSON content type unless one is set). */
  body?: string | object;
  /** The attempt's signal (AttemptContext.signal): aborts the request and the body read. */
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON; throws a SyntaxError when it is not JSON. */
  json<T = unknown>(): T;
}

export const USER_AGENT = 'alert-router/1';

/**
 * Extra request headers in router.yaml (values may be secret references). Checked at load
 * time, so a bad name or a line break fails config validation rather than every delivery.
 */
export const headersSchema = z.record(
  z.string().regex(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/, 'is not a valid HTTP header name'),
  z.string().regex(/^[^\r\n\0]*$/, 'must not contain line breaks'),
);

export async function httpRequest(request: HttpRequest): Promise<HttpResponse> {
  const headers = new Headers(request.headers);
  if (!headers.has('user-agent')) headers.set('user-agent', USER_AGENT);
  let body: string | undefined;
  if (typeof request.body === 'string') {
    body = request.body;
  } else if (request.body !== undefined) {
    body = JSON.stringify(request.body);
    if (!headers.has('content-type')) headers.set('content-type', 'application/json');
  }
  const res = await fetch(request.url, {
    method: request.method,
    headers,
    body,
    signal: request.signal,
    // A redirect is a misconfigured URL; following it would carry our headers (tokens,
    // signatures) to another host. outcomeFromResponse reports it instead.
    redirect: 'manual',
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    text,
    json: <T>() => JSON.parse(text) as T,
  };
}

/**
 * Retry-After as milliseconds from `now`: delta-seconds or an HTTP date (RFC 9110), which
 * always names its day and month. Dispatch decides whether the delay is worth waiting.
 */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  const trimmed = value?.trim();
  if (!trimmed) return undefined;
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = /[a-z]/i.test(trimmed) ? Date.parse(trimmed) : NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

const EXCERPT = 200;

/** `HTTP 503: <first 200 characters of the body>`, one redacted line. */
export function describeResponse(res: Pick<HttpResponse, 'status' | 'text'>): string {
  const excerpt = oneLine(res.text, EXCERPT);
  return excerpt ? `HTTP ${res.status}: ${excerpt}` : `HTTP ${res.status}`;
}

/**
 * 2xx delivered; 408/425/429/5xx failed and retryable (with Retry-After); anything else
 * (3xx redirects included) failed for good: retrying the same request cannot succeed.
 */
export function outcomeFromResponse(res: HttpResponse, okDetail?: string): Outcome {
  if (res.status >= 200 && res.status <= 299) {
    return { outcome: 'delivered', detail: oneLine(okDetail ?? `HTTP ${res.status}`) };
  }
  if (retryableStatus(res.status)) {
    const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
    return {
      outcome: 'failed',
      retryable: true,
      detail: describeResponse(res),
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    };
  }
  const detail = res.status >= 300 && res.status <= 399 ? `HTTP ${res.status}: redirect not followed, check the URL` : describeResponse(res);
  return { outcome: 'failed', retryable: false, detail };
}

function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1';
  return false;
}

/**
 * The problem with a target URL, or undefined when it is fine: https, or plain http to a
 * loopback address (local tests, sidecars), or any http with allowInsecureHttp. The
 * sentence never repeats the URL, which may carry a token.
 */
export function checkUrl(url: string, allowInsecureHttp: boolean): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not a valid absolute URL';
  }
  if (parsed.protocol === 'https:') return undefined;
  if (parsed.protocol !== 'http:') return `must be an https URL, not ${parsed.protocol.replace(/:$/, '')}`;
  if (allowInsecureHttp || isLoopback(parsed.hostname)) return undefined;
  return 'must use https: plain http is allowed only to a loopback address, or with allowInsecureHttp: true';
}

/**
 * A superRefine callback for a target's settings schema: checks the URL at `key` with
 * checkUrl, honouring the settings' own `allowInsecureHttp`.
 *   z.object({ url: z.string(), allowInsecureHttp: z.boolean().default(false) }).superRefine(refineUrl('url'))
 */
export function refineUrl<K extends string>(key: K) {
  return (settings: { [P in K]?: unknown } & { allowInsecureHttp?: boolean }, ctx: z.RefinementCtx): void => {
    const value = settings[key];
    if (typeof value !== 'string') return;
    const problem = checkUrl(value, settings.allowInsecureHttp === true);
    if (problem) ctx.addIssue({ code: 'custom', path: [key], message: problem });
  };
}
