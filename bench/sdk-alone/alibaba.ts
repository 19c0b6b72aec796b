// The calls of the Alibaba targets fixture made with the official Alibaba SDKs the targets
// stand in for (alibaba-eventbridge and fc-invoke sign their own requests and bundle no
// SDK): the same requests to the same local fakes, clients kept between invocations, SDK
// retries off (see calls.ts).
import EventBridge, { Config, CloudEvent } from '@alicloud/eventbridge';
import { Readable } from 'node:stream';
import FcClient, { InvokeFunctionHeaders, InvokeFunctionRequest } from '@alicloud/fc20230330';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { RuntimeOptions } from '@darabonba/typescript';
import { keptClients, sdkAloneHandler, type SdkCalls } from './calls';

const credentials = () => ({
  accessKeyId: process.env.ALIBABA_CLOUD_ACCESS_KEY_ID ?? '',
  accessKeySecret: process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET ?? '',
  securityToken: process.env.ALIBABA_CLOUD_SECURITY_TOKEN ?? '',
});

const eventBridge = keptClients((endpoint) => new EventBridge(new Config({ endpoint: new URL(endpoint).host, protocol: 'http', ...credentials() })));
const fc = keptClients((endpoint) => new FcClient(new $OpenApiUtil.Config({ endpoint: new URL(endpoint).host, protocol: 'http', ...credentials() })));

export const alibabaCalls: SdkCalls = {
  'alibaba-eventbridge': {
    sdk: '@alicloud/eventbridge',
    send: async (endpoint, message) => {
      const event = new CloudEvent({
        id: 'bench',
        source: 'alert-router',
        type: 'alert-router:Alert',
        // Required by putEvents ("time: Timestamp, required"); the SDK does not fill it in.
        time: new Date().toISOString(),
        datacontenttype: 'application/json;charset=utf-8',
        data: Buffer.from(message),
        extensions: { aliyuneventbusname: 'alerts' },
      });
      const out = await eventBridge(endpoint).putEvents([event]);
      if (out.failedEntryCount) throw new Error('putEvents failed an entry');
    },
  },
  'fc-invoke': {
    sdk: '@alicloud/fc20230330',
    send: async (endpoint, message) => {
      await fc(endpoint).invokeFunctionWithOptions(
        'remediate',
        new InvokeFunctionRequest({ body: Readable.from([Buffer.from(message)]) }),
        new InvokeFunctionHeaders({ xFcInvocationType: 'Async' }),
        new RuntimeOptions({ autoretry: false }),
      );
    },
  },
};

export const handler = sdkAloneHandler(alibabaCalls);
