// AWS Lambda: the event is an object; the context has awsRequestId and
// getRemainingTimeInMillis(). The AWS clients read the function role's credentials from the
// environment Lambda sets (shared/aws.ts), so there are none to pass on.
import type { PlatformAdapter } from './platform';

interface LambdaContextFields {
  awsRequestId?: unknown;
  getRemainingTimeInMillis?: unknown;
}

export const lambdaAdapter: PlatformAdapter = {
  name: 'lambda',
  begin(context, startedAt) {
    const fields = (typeof context === 'object' && context !== null ? context : {}) as LambdaContextFields;
    const remaining = typeof fields.getRemainingTimeInMillis === 'function' ? (fields.getRemainingTimeInMillis as () => unknown)() : undefined;
    return {
      requestId: typeof fields.awsRequestId === 'string' ? fields.awsRequestId : undefined,
      deadline: typeof remaining === 'number' && Number.isFinite(remaining) ? startedAt + remaining : undefined,
    };
  },
};
