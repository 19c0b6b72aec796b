// What the Alibaba Cloud targets (alibaba-eventbridge, fc-invoke) share: account and region
// settings, the outcome when no credentials are at hand, and credentials read at send time.
// No SDK is imported here: each target imports its own client inside create().
import { z } from 'zod';
import type { AlibabaCredentials, Outcome } from './contract';

export const alibabaRegion = z.string().regex(/^[a-z]{2}(-[a-z0-9]+)+$/, 'an Alibaba Cloud region id such as cn-hangzhou');
export const alibabaAccountId = z.string().regex(/^\d{10,20}$/, 'an Alibaba Cloud account id (digits)');

/**
 * How long an Alibaba SDK call may take at most. Dispatch abandons an attempt at its own
 * timeout (these SDKs take no abort signal); this bounds the abandoned socket.
 */
export const SDK_TIMEOUT_MS = 30_000;

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
