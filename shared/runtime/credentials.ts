// Alibaba Cloud credentials for SDK-backed targets: on FC 3.0 the function's temporary
// credentials arrive with every invocation in context.credentials; elsewhere (a Lambda
// publishing to an Alibaba bus, the command line) the ALIBABA_CLOUD_* variables.
// The AWS clients read theirs themselves (shared/aws.ts).
import { registerSecret } from '../log';
import type { AlibabaCredentials } from '../targets/contract';

let fromContext: AlibabaCredentials | undefined;
let lastGuarded: AlibabaCredentials | undefined;

/**
 * Registers the secret and the token with redact(), once per credentials: a server or proxy
 * that echoes a request (the token travels in x-acs-security-token) must not get them into a
 * delivery's detail or a log line.
 */
function guarded(credentials: AlibabaCredentials): AlibabaCredentials {
  if (lastGuarded?.accessKeySecret !== credentials.accessKeySecret || lastGuarded.securityToken !== credentials.securityToken) {
    registerSecret(credentials.accessKeySecret);
    if (credentials.securityToken) registerSecret(credentials.securityToken);
    lastGuarded = credentials;
  }
  return credentials;
}

export interface FcCredentials {
  accessKeyId?: string;
  accessKeySecret?: string;
  securityToken?: string;
}

/** Called at the start of every FC invocation: the temporary credentials rotate. */
export function useInvocationCredentials(credentials: FcCredentials | undefined): void {
  fromContext =
    credentials?.accessKeyId && credentials.accessKeySecret
      ? {
          accessKeyId: credentials.accessKeyId,
          accessKeySecret: credentials.accessKeySecret,
          ...(credentials.securityToken ? { securityToken: credentials.securityToken } : {}),
        }
      : undefined;
}

export function alibabaCredentials(env: NodeJS.ProcessEnv = process.env): AlibabaCredentials | undefined {
  if (fromContext) return guarded(fromContext);
  const accessKeyId = env.ALIBABA_CLOUD_ACCESS_KEY_ID;
  const accessKeySecret = env.ALIBABA_CLOUD_ACCESS_KEY_SECRET;
  if (!accessKeyId || !accessKeySecret) return undefined;
  const securityToken = env.ALIBABA_CLOUD_SECURITY_TOKEN;
  return guarded({ accessKeyId, accessKeySecret, ...(securityToken ? { securityToken } : {}) });
}
