// fc-invoke: starts a remediation function on Alibaba Cloud Function Compute 3.0 with the
// alert as its event (`{"alert": {...}}`), through the 2023-03-30 API's InvokeFunction
// (`POST /2023-03-30/functions/{name}/invocations?qualifier=...`). The request is the one
// @alicloud/fc20230330 sends, signed the same way (ACS3-HMAC-SHA256), but sent through the
// shared HTTP client: the SDK and its OpenAPI core weigh about 1.1 MB minified.
// Asynchronous by default: FC queues the event (202) and retries the function itself, with
// the function's async settings (retries, destinations). With Sync the call waits, and a
// function error (x-fc-error-type) is a failed delivery that a retry would only repeat.
import { z } from 'zod';
import type { Alert } from '../../model/alert';
import { defineTarget, type Outcome } from '../contract';
import { classifyError, oneLine, retryableStatus } from '../errors';
import { allowPrivateNetworkSetting, describeResponse, parseRetryAfter } from '../http/client';
import { httpRequest, type HttpResponse } from '../../http';
import { NO_CREDENTIALS, acs3SignedHeaders, alibabaAccountId, alibabaRegion } from './alibaba-client';

/** FC 3.0's payload limits: "32 MB for a synchronous invocation, 128 KB for an asynchronous one" (EntityTooLarge). */
export const PAYLOAD_MAX_BYTES = { Sync: 32 * 1024 * 1024, Async: 128 * 1024 } as const;

const settings = z
  .object({
    functionName: z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]{0,127}$/, 'an FC function name'),
    /** Version or alias; FC's default is LATEST. */
    qualifier: z
      .string()
      .regex(/^(LATEST|[0-9]+|[A-Za-z_][A-Za-z0-9_-]{0,127})$/, 'a version number, LATEST or an alias name')
      .optional(),
    invocationType: z.enum(['Async', 'Sync']).default('Async'),
    /** With region gives the endpoint `https://<accountId>.<region>.fc.aliyuncs.com`. */
    accountId: alibabaAccountId.optional(),
    region: alibabaRegion.optional(),
    /** Full URL of the FC API, such as a VPC endpoint `https://<accountId>.<region>-internal.fc.aliyuncs.com`. */
    endpoint: z.url({ protocol: /^https?$/, error: 'an http(s) URL' }).optional(),
    /** VPC endpoints resolve to private addresses: allow them (and loopback, for tests) explicitly. */
    allowPrivateNetwork: allowPrivateNetworkSetting,
  })
  .strict()
  .refine((s) => s.endpoint !== undefined || (s.accountId !== undefined && s.region !== undefined), {
    message: 'one of endpoint, or accountId and region, must be configured',
  });

type FcSettings = z.infer<typeof settings>;

const payload = (alert: Alert) => JSON.stringify({ alert });

/** `errorType: errorMessage` of a function error body, when it has one. */
function functionErrorText(text: string): string {
  try {
    const body = JSON.parse(text) as { errorType?: unknown; errorMessage?: unknown } | null;
    if (typeof body !== 'object' || body === null) return oneLine(text);
    return [body.errorType, body.errorMessage].filter((part) => typeof part === 'string').join(': ');
  } catch {
    return oneLine(text);
  }
}

/** FC's error body: `{"Code": ..., "Message": ..., "RequestId": ...}`. */
function errorCode(res: HttpResponse): { code?: string; message?: string } {
  try {
    const body = JSON.parse(res.text) as Record<string, unknown> | null;
    const pick = (...keys: string[]) => keys.map((key) => body?.[key]).find((value): value is string => typeof value === 'string');
    return { code: pick('Code', 'ErrorCode'), message: pick('Message', 'ErrorMessage') };
  } catch {
    return {};
  }
}

/** The outcome of an InvokeFunction answer; exported for the tests of odd replies. */
export function invokeOutcome(res: HttpResponse, invocationType: FcSettings['invocationType']): Outcome {
  const ref = res.headers.get('x-fc-request-id') ?? undefined;
  if (res.status < 200 || res.status > 299) {
    const { code, message } = errorCode(res);
    const detail = code ? oneLine(`HTTP ${res.status}: ${code}${message ? `: ${message}` : ''}`) : describeResponse(res);
    const retryable = retryableStatus(res.status);
    const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
    return { outcome: 'failed', retryable, detail, ...(retryable && retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  }
  const errorType = res.headers.get('x-fc-error-type');
  if (errorType) {
    // The function ran and failed: the same event would fail the same way.
    const text = functionErrorText(res.text);
    return { outcome: 'failed', retryable: false, detail: oneLine(`function error ${errorType}${text ? `: ${text}` : ''}`) };
  }
  return { outcome: 'delivered', detail: `${invocationType} invocation`, ...(ref ? { ref } : {}) };
}

export default defineTarget({
  type: 'fc-invoke',
  settings,
  permissions: {
    // FC 3.0 names the function alone; a qualifier (version or alias) is part of the same resource.
    alibaba: (written) => [
      {
        action: 'fc:InvokeFunction',
        resources: [{ service: 'fc', region: written.optional('region'), account: written.optional('accountId'), resource: `functions/${written.required('functionName')}` }],
      },
    ],
  },
  render: (alert, s) => ({
    function: s.functionName,
    ...(s.qualifier ? { qualifier: s.qualifier } : {}),
    invocationType: s.invocationType,
    payload: JSON.parse(payload(alert)) as unknown,
  }),
  create(s: FcSettings, runtime) {
    const base = new URL(s.endpoint ?? `https://${s.accountId}.${s.region}.fc.aliyuncs.com`);
    const path = `/2023-03-30/functions/${encodeURIComponent(s.functionName)}/invocations`;
    const query: Record<string, string> = s.qualifier ? { qualifier: s.qualifier } : {};
    const url = `${base.protocol}//${base.host}${path}${s.qualifier ? `?qualifier=${encodeURIComponent(s.qualifier)}` : ''}`;
    const limit = PAYLOAD_MAX_BYTES[s.invocationType];
    return {
      async send(alert, ctx): Promise<Outcome> {
        const credentials = runtime.alibabaCredentials();
        if (!credentials) return NO_CREDENTIALS;
        const body = payload(alert);
        const size = Buffer.byteLength(body, 'utf8');
        if (size > limit) {
          return { outcome: 'failed', retryable: false, detail: `the event is ${size} bytes, over FC's ${s.invocationType} invocation limit of ${limit}` };
        }
        const headers = acs3SignedHeaders({
          method: 'POST',
          host: base.host,
          path,
          query,
          credentials,
          body,
          headers: {
            accept: 'application/json',
            'content-type': 'application/octet-stream',
            'x-acs-version': '2023-03-30',
            'x-acs-action': 'InvokeFunction',
            'x-fc-invocation-type': s.invocationType,
          },
        });
        try {
          const res = await httpRequest({ method: 'POST', url, headers, body, signal: ctx.signal, allowPrivateNetwork: s.allowPrivateNetwork });
          return invokeOutcome(res, s.invocationType);
        } catch (err) {
          return classifyError(err);
        }
      },
    };
  },
});
