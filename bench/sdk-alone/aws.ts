// The calls of the AWS targets fixture made with the AWS SDK v3 clients the targets stand in
// for (sns, aws-eventbridge and lambda-invoke sign their own requests and bundle no SDK).
// Each call mirrors what its target sends (one client per service and endpoint, kept
// between invocations; SDK retries off; the same request to the same local fake).
import { SNSClient, PublishCommand } from '@aws-sdk/client-sns';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { LambdaClient, InvokeCommand } from '@aws-sdk/client-lambda';
import { keptClients, sdkAloneHandler, type SdkCalls } from './calls';

const sns = keptClients((endpoint) => new SNSClient({ maxAttempts: 1, endpoint }));
const eventBridge = keptClients((endpoint) => new EventBridgeClient({ maxAttempts: 1, endpoint }));
const lambda = keptClients((endpoint) => new LambdaClient({ maxAttempts: 1, endpoint }));

export const awsCalls: SdkCalls = {
  sns: {
    sdk: '@aws-sdk/client-sns',
    send: async (endpoint, message) => {
      await sns(endpoint).send(new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:123456789012:alerts', Message: message }));
    },
  },
  'aws-eventbridge': {
    sdk: '@aws-sdk/client-eventbridge',
    send: async (endpoint, message) => {
      const out = await eventBridge(endpoint).send(
        new PutEventsCommand({ Entries: [{ EventBusName: 'alerts', Source: 'alert-router', DetailType: 'Alert', Detail: message }] }),
      );
      if (out.FailedEntryCount) throw new Error('PutEvents failed an entry');
    },
  },
  'lambda-invoke': {
    sdk: '@aws-sdk/client-lambda',
    send: async (endpoint, message) => {
      await lambda(endpoint).send(new InvokeCommand({ FunctionName: 'remediate', InvocationType: 'Event', Payload: Buffer.from(message) }));
    },
  },
};

export const handler = sdkAloneHandler(awsCalls);
