// lambda-invoke: starts a remediation Lambda function with the alert as its event
// (`{"alert": {...}}`). Asynchronous (`Event`) by default: Lambda queues the event and
// retries the function itself. With `RequestResponse` the call waits for the function,
// and a function error is a failed delivery that a retry would only repeat.
import { z } from 'zod';
import type { Alert } from '../../model/alert';
import { defineTarget, type Outcome } from '../contract';
import { classifyError } from '../errors';
import { awsClientSettings, createAwsClient } from './aws-client';

/** A function name, partial ARN (ACCOUNT:function:NAME) or full ARN, with an optional :QUALIFIER. */
const FUNCTION_NAME =
  /^(arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:|\d{12}:function:)?[A-Za-z0-9_-]{1,140}(:(\$LATEST|[A-Za-z0-9_-]+))?$/;

const settings = z
  .object({
    functionName: z.string().regex(FUNCTION_NAME, 'a Lambda function name or ARN'),
    /** Version or alias to invoke. */
    qualifier: z
      .string()
      .regex(/^(\$LATEST|[A-Za-z0-9_-]{1,128})$/, 'a version number, $LATEST or an alias name')
      .optional(),
    invocationType: z.enum(['Event', 'RequestResponse']).default('Event'),
    ...awsClientSettings,
  })
  .strict();

type LambdaSettings = z.infer<typeof settings>;

function invokeInput(alert: Alert, s: LambdaSettings) {
  return {
    FunctionName: s.functionName,
    InvocationType: s.invocationType,
    Payload: JSON.stringify({ alert }),
    ...(s.qualifier ? { Qualifier: s.qualifier } : {}),
  };
}

/** `errorType: errorMessage` of a function error payload (`{"errorType", "errorMessage"}`), when it has one. */
function functionErrorText(payload: Uint8Array | undefined): string {
  if (!payload || payload.length === 0) return '';
  try {
    const body = JSON.parse(Buffer.from(payload).toString('utf8')) as { errorType?: unknown; errorMessage?: unknown };
    return [body.errorType, body.errorMessage].filter((part) => typeof part === 'string').join(': ');
  } catch {
    return '';
  }
}

export default defineTarget({
  type: 'lambda-invoke',
  settings,
  sdk: ['@aws-sdk/client-lambda'],
  render: (alert, s) => {
    const input = invokeInput(alert, s);
    return { ...input, Payload: JSON.parse(input.Payload) as unknown };
  },
  async create(s) {
    const { LambdaClient, InvokeCommand } = await import('@aws-sdk/client-lambda');
    const client = createAwsClient(LambdaClient, s, s.functionName);
    return {
      async send(alert, ctx): Promise<Outcome> {
        const input = invokeInput(alert, s);
        try {
          const out = await client.send(
            new InvokeCommand({ ...input, Payload: new TextEncoder().encode(input.Payload) }),
            { abortSignal: ctx.signal },
          );
          const ref = out.$metadata.requestId;
          if (out.FunctionError) {
            // The function ran and failed: the same event would fail the same way.
            const text = functionErrorText(out.Payload);
            return { outcome: 'failed', retryable: false, detail: `function error ${out.FunctionError}${text ? `: ${text}` : ''}` };
          }
          return { outcome: 'delivered', detail: `${s.invocationType} invocation, status ${out.StatusCode}`, ...(ref ? { ref } : {}) };
        } catch (err) {
          return classifyError(err);
        }
      },
    };
  },
});
