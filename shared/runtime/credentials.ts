// Alibaba Cloud credentials for SDK-backed targets: on FC 3.0 the function's temporary
// credentials arrive with every invocation in context.credentials; elsewhere (a Lambda
// publishing to an Alibaba bus, the command line) the ALIBABA_CLOUD_* variables.
// The AWS clients read theirs themselves (shared/aws.ts).
import { secretsGuard } from '../log';
import type { AlibabaCredentials } from '../targets/contract';

let fromContext: AlibabaCredentials | undefined;
/** The secret and the token registered with redact() (x-acs-security-token carries the token). */
const guarded = secretsGuard((credentials: AlibabaCredentials) => [credentials.accessKeySecret, credentials.securityToken]);

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
