// lambda-invoke: starts a remediation Lambda function with the alert as its event
// (`{"alert": {...}}`). Asynchronous (`Event`) by default: Lambda queues the event and
// retries the function itself. With `RequestResponse` the call waits for the function,
// and a function error is a failed delivery that a retry would only repeat.
// Invoke is a REST call (`POST /2015-03-31/functions/NAME/invocations`), signed and sent by
// shared/aws.ts as @aws-sdk/client-lambda would.
import { z } from 'zod';
import type { Alert } from '../../model/alert';
import type { AwsResource, WrittenSettings } from '../../permissions';
import { defineTarget, type Outcome } from '../contract';
import { classifyError, oneLine } from '../errors';
import { awsApi, awsClientSettings, awsFailure } from './aws-client';

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
function functionErrorText(payload: string): string {
  if (!payload) return '';
  try {
    const body = JSON.parse(payload) as { errorType?: unknown; errorMessage?: unknown };
    return [body.errorType, body.errorMessage].filter((part) => typeof part === 'string').join(': ');
  } catch {
    return '';
  }
}

const LAMBDA_ARN = /^arn:(aws[a-z-]*):lambda:([a-z0-9-]+):(\d{12}):function:([A-Za-z0-9_-]+)(?::([$A-Za-z0-9_-]+))?$/;
const LAMBDA_PARTIAL_ARN = /^(\d{12}):function:([A-Za-z0-9_-]+)(?::([$A-Za-z0-9_-]+))?$/;
const LAMBDA_NAME = /^([A-Za-z0-9_-]+)(?::([$A-Za-z0-9_-]+))?$/;

/** The resources lambda:InvokeFunction needs: the function, and every qualifier of it when none is fixed. */
function invokeResources(written: WrittenSettings): AwsResource[] {
  const value = written.required('functionName');
  const region = written.optional('region');
  const inStack = (account: string | undefined, name: string | undefined) => (qualifier?: string): AwsResource => ({
    service: 'lambda',
    region,
    account,
    resource: `function:${name}${qualifier ? `:${qualifier}` : ''}`,
  });
  let resource: (qualifier?: string) => AwsResource;
  let qualifier: string | undefined;
  let match: RegExpExecArray | null;
  if ((match = LAMBDA_ARN.exec(value))) {
    const arn = `arn:${match[1]}:lambda:${match[2]}:${match[3]}:function:${match[4]}`;
    resource = (q) => (q ? `${arn}:${q}` : arn);
    qualifier = match[5];
  } else if ((match = LAMBDA_PARTIAL_ARN.exec(value))) {
    resource = inStack(match[1], match[2]);
    qualifier = match[3];
  } else if ((match = LAMBDA_NAME.exec(value))) {
    resource = inStack(undefined, match[1]);
    qualifier = match[2];
  } else {
    return written.invalid('functionName', 'not a Lambda function name or ARN');
  }
  qualifier = written.optional('qualifier') ?? qualifier;
  return qualifier ? [resource(qualifier)] : [resource(), resource('*')];
}

export default defineTarget({
  type: 'lambda-invoke',
  settings,
  permissions: { aws: (written) => [{ action: 'lambda:InvokeFunction', resources: invokeResources(written) }] },
  render: (alert, s) => {
    const input = invokeInput(alert, s);
    return { ...input, Payload: JSON.parse(input.Payload) as unknown };
  },
  create(s) {
    const api = awsApi('lambda', s, s.functionName);
    const path = `/2015-03-31/functions/${encodeURIComponent(s.functionName)}/invocations${s.qualifier ? `?Qualifier=${encodeURIComponent(s.qualifier)}` : ''}`;
    return {
      async send(alert, ctx): Promise<Outcome> {
        const input = invokeInput(alert, s);
        try {
          const res = await api.send(
            { method: 'POST', path, headers: { 'content-type': 'application/octet-stream', 'x-amz-invocation-type': s.invocationType }, body: input.Payload },
            ctx.signal,
          );
          if (res.status < 200 || res.status > 299) return awsFailure(res, 'json');
          const functionError = res.headers.get('x-amz-function-error');
          if (functionError) {
            // The function ran and failed: the same event would fail the same way.
            const text = functionErrorText(res.text);
            return { outcome: 'failed', retryable: false, detail: oneLine(`function error ${functionError}${text ? `: ${text}` : ''}`) };
          }
          const ref = res.headers.get('x-amzn-requestid');
          return { outcome: 'delivered', detail: `${s.invocationType} invocation, status ${res.status}`, ...(ref ? { ref } : {}) };
        } catch (err) {
          return classifyError(err);
        }
      },
    };
  },
});
