// The AWS SDK calls of the AWS targets fixture, made with the SDKs alone: the baseline a
// function that bundles these SDKs cannot beat. Each call mirrors what its target sends
// (one client per service, SDK retries off, the same request to the same local fake).
import { SNSClient, PublishCommand } from '@aws-sdk/client-sns';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { LambdaClient, InvokeCommand } from '@aws-sdk/client-lambda';
import { sdkAloneHandler, type SdkCall } from './calls';

export const awsCalls: Record<string, SdkCall> = {
  '@aws-sdk/client-sns': async (endpoint, message) => {
    const client = new SNSClient({ maxAttempts: 1, endpoint });
    await client.send(new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:123456789012:alerts', Message: message }));
  },
  '@aws-sdk/client-eventbridge': async (endpoint, message) => {
    const client = new EventBridgeClient({ maxAttempts: 1, endpoint });
    const out = await client.send(
      new PutEventsCommand({ Entries: [{ EventBusName: 'alerts', Source: 'alert-router', DetailType: 'Alert', Detail: message }] }),
    );
    if (out.FailedEntryCount) throw new Error('PutEvents failed an entry');
  },
  '@aws-sdk/client-lambda': async (endpoint, message) => {
    const client = new LambdaClient({ maxAttempts: 1, endpoint });
    await client.send(new InvokeCommand({ FunctionName: 'remediate', InvocationType: 'Event', Payload: Buffer.from(message) }));
  },
};

export const handler = sdkAloneHandler(awsCalls);
