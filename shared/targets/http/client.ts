// How the targets that take a URL (webhook, PagerDuty, Slack, Jira...) use the HTTP client
// (shared/http.ts): the mapping of a response to an Outcome, Retry-After, and the URL rule
// and settings for config validation.
import { isIP } from 'node:net';
import { z } from 'zod';
import type { Outcome } from '../contract';
import { oneLine, retryableStatus } from '../errors';
import { isLocalhostName, isNonPublicAddress } from '../../outbound';
import type { HttpResponse } from '../../http';

/**
 * Extra request headers in router.yaml (values may be secret references). Checked at load
 * time, so a bad name or a line break fails config validation rather than every delivery.
 */
export const headersSchema = z.record(
  z.string().regex(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/, 'is not a valid HTTP header name'),
  z.string().regex(/^[^\r\n\0]*$/, 'must not contain line breaks'),
);

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
  const host = hostname.replace(/^\[|\]$/g, '');
  if (isLocalhostName(host)) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1';
  return false;
}

export interface UrlPolicy {
  /** Plain http to any host (else only to a loopback address). */
  allowInsecureHttp?: boolean;
  /** Private, loopback and link-local addresses (else refused). */
  allowPrivateNetwork?: boolean;
}

/**
 * The problem with a target URL, or undefined when it is fine: https, or plain http to a
 * loopback address (local tests, sidecars), or any http with allowInsecureHttp; a host
 * written as a non-public IP address (or localhost) only with allowPrivateNetwork (names
 * are checked again after DNS, at connect time). The sentence never repeats the URL, which
 * may carry a token.
 */
export function checkUrl(url: string, policy: UrlPolicy = {}): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not a valid absolute URL';
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return `must be an https URL, not ${parsed.protocol.replace(/:$/, '')}`;
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (!policy.allowPrivateNetwork && (isNonPublicAddress(host) || isLocalhostName(host))) {
    return `points to ${host}, not a public address: set allowPrivateNetwork: true on the target to allow it`;
  }
  if (parsed.protocol === 'https:' || policy.allowInsecureHttp || isLoopback(parsed.hostname)) return undefined;
  return 'must use https: plain http is allowed only to a loopback address, or with allowInsecureHttp: true';
}

/** The `allowPrivateNetwork` setting of every target that takes a URL. */
export const allowPrivateNetworkSetting = z
  .boolean()
  .default(false)
  .describe('Allow requests to private, loopback and link-local addresses (refused by default, checked after DNS resolution)');

/**
 * A superRefine callback for a target's settings schema: checks the URL at `key` with
 * checkUrl, honouring the settings' own `allowInsecureHttp` and `allowPrivateNetwork`.
 *   z.object({ url: z.string(), allowPrivateNetwork: allowPrivateNetworkSetting }).superRefine(refineUrl('url'))
 */
export function refineUrl<K extends string>(key: K) {
  return (settings: { [P in K]?: unknown } & UrlPolicy, ctx: z.RefinementCtx): void => {
    const value = settings[key];
    if (typeof value !== 'string') return;
    const problem = checkUrl(value, { allowInsecureHttp: settings.allowInsecureHttp === true, allowPrivateNetwork: settings.allowPrivateNetwork === true });
    if (problem) ctx.addIssue({ code: 'custom', path: [key], message: problem });
  };
}
