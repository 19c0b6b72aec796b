// What the Alibaba Cloud targets (alibaba-eventbridge, fc-invoke) share: account and region
// settings, the outcome when no credentials are at hand, and credentials read at send time.
// No SDK is imported here: each target imports its own client inside create().
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
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    call.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

export const NO_CREDENTIALS: Outcome = {
  outcome: 'failed',
  retryable: false,
  detail:
    'no Alibaba Cloud credentials: not running on FC 3.0 (context.credentials), and ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET are not set',
};

/**
 * A credential for Tea clients (@alicloud/eventbridge), which ask it for the keys on every
 * request: FC rotates the function's temporary credentials, so they are read at send time
 * rather than fixed when the client is created.
 */
export function teaCredential(current: () => AlibabaCredentials | undefined) {
  const read = (): AlibabaCredentials => {
    const credentials = current();
    if (!credentials) throw new Error(NO_CREDENTIALS.detail);
    return credentials;
  };
  return {
    getAccessKeyId: async () => read().accessKeyId,
    getAccessKeySecret: async () => read().accessKeySecret,
    getSecurityToken: async () => read().securityToken ?? '',
    getType: () => (read().securityToken ? 'sts' : 'access_key'),
  };
}
