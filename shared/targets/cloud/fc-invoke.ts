// fc-invoke: starts a remediation function on Alibaba Cloud Function Compute with the alert
// as its event (`{"alert": {...}}`), through the FC 2016-08-15 API (@alicloud/fc2), which
// addresses a function as service + function. Asynchronous by default: FC queues the event
// and retries the function itself. With Sync the call waits, and a function error is a
// failed delivery that a retry would only repeat.
import { z } from 'zod';
import type { Alert } from '../../model/alert';
import { defineTarget, type AlibabaCredentials, type Outcome } from '../contract';
import { classifyError } from '../errors';
import { NO_CREDENTIALS, SDK_TIMEOUT_MS, alibabaAccountId, alibabaRegion, untilAborted } from './alibaba-client';

const NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,127}$/;

const settings = z
  .object({
    accountId: alibabaAccountId,
    region: alibabaRegion,
    serviceName: z.string().regex(NAME, 'an FC service name'),
    functionName: z.string().regex(NAME, 'an FC function name'),
    /** Service version or alias. */
    qualifier: z
      .string()
      .regex(/^(LATEST|[0-9]+|[A-Za-z_][A-Za-z0-9_-]{0,127})$/, 'a version number, LATEST or an alias name')
      .optional(),
    invocationType: z.enum(['Async', 'Sync']).default('Async'),
    /** Full URL of the FC API. Default `https://<accountId>.<region>.fc.aliyuncs.com`. */
    endpoint: z.url({ protocol: /^https?$/, error: 'an http(s) URL' }).optional(),
    /** https for the default endpoint (the SDK's own default is plain http). */
    secure: z.boolean().default(true),
  })
  .strict();

type FcSettings = z.infer<typeof settings>;

/** What we use of @alicloud/fc2's Client, which ships no type declarations. */
interface FcResponse {
  headers: Record<string, string | string[] | undefined>;
  data: unknown;
}
interface FcClient {
  securityToken?: string;
  invokeFunction(serviceName: string, functionName: string, event: string, headers: Record<string, string>, qualifier?: string): Promise<FcResponse>;
}
type FcClientClass = new (
  accountId: string,
  config: { accessKeyID: string; accessKeySecret: string; securityToken?: string; region: string; secure: boolean; endpoint?: string; timeout: number },
) => FcClient;

const payload = (alert: Alert) => JSON.stringify({ alert });

/**
 * fc2 reports the HTTP status of a failed call only inside its message ("... failed with
 * 503. requestid: ..."): copy it to statusCode, where classifyError looks for it.
 */
function withStatus(err: unknown): unknown {
  if (err instanceof Error && (err as { statusCode?: unknown }).statusCode === undefined) {
    const status = /failed with (\d{3})\b/.exec(err.message)?.[1];
    if (status) Object.assign(err, { statusCode: Number(status) });
  }
  return err;
}

/** `errorType: errorMessage` of a function error body, when it has one. */
function functionErrorText(data: unknown): string {
  if (typeof data !== 'object' || data === null) return typeof data === 'string' ? data : '';
  const body = data as { errorType?: unknown; errorMessage?: unknown };
  return [body.errorType, body.errorMessage].filter((part) => typeof part === 'string').join(': ');
}

function header(response: FcResponse, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export default defineTarget({
  type: 'fc-invoke',
  settings,
  sdk: ['@alicloud/fc2'],
  render: (alert, s) => ({
    service: s.serviceName,
    function: s.functionName,
    ...(s.qualifier ? { qualifier: s.qualifier } : {}),
    invocationType: s.invocationType,
    payload: JSON.parse(payload(alert)) as unknown,
  }),
  async create(s: FcSettings, runtime) {
    // @ts-expect-error -- @alicloud/fc2 ships no type declarations; FcClientClass types what we use.
    const { default: FcClientCtor } = (await import('@alicloud/fc2')) as { default: FcClientClass };

    // fc2 takes credentials in its constructor, and FC rotates them every invocation:
    // keep one client per set of credentials (building one does no I/O).
    let cached: { key: string; client: FcClient } | undefined;
    const clientFor = (c: AlibabaCredentials): FcClient => {
      const key = JSON.stringify([c.accessKeyId, c.accessKeySecret, c.securityToken ?? '']);
      if (cached?.key !== key) {
        const client = new FcClientCtor(s.accountId, {
          accessKeyID: c.accessKeyId,
          accessKeySecret: c.accessKeySecret,
          ...(c.securityToken ? { securityToken: c.securityToken } : {}),
          region: s.region,
          secure: s.secure,
          ...(s.endpoint ? { endpoint: s.endpoint.replace(/\/+$/, '') } : {}),
          timeout: SDK_TIMEOUT_MS,
        });
        // fc2 sends the token only for access key ids starting with "STS."; send it whenever there is one.
        if (c.securityToken) client.securityToken = c.securityToken;
        cached = { key, client };
      }
      return cached.client;
    };

    return {
      async send(alert, ctx): Promise<Outcome> {
        const credentials = runtime.alibabaCredentials();
        if (!credentials) return NO_CREDENTIALS;
        try {
          const call = clientFor(credentials).invokeFunction(
            s.serviceName,
            s.functionName,
            payload(alert),
            { 'x-fc-invocation-type': s.invocationType },
            s.qualifier,
          );
          const response = await untilAborted(call, ctx.signal);
          const errorType = header(response, 'x-fc-error-type');
          if (errorType) {
            // The function ran and failed: the same event would fail the same way.
            const text = functionErrorText(response.data);
            return { outcome: 'failed', retryable: false, detail: `function error ${errorType}${text ? `: ${text}` : ''}` };
          }
          const ref = header(response, 'x-fc-request-id');
          return { outcome: 'delivered', detail: `${s.invocationType} invocation`, ...(ref ? { ref } : {}) };
        } catch (err) {
          return classifyError(withStatus(err));
        }
      },
    };
  },
});
