// The Alibaba SDK calls of the Alibaba targets fixture, made with the SDKs alone (see aws.ts).
import EventBridge, { Config, CloudEvent } from '@alicloud/eventbridge';
// @ts-expect-error -- @alicloud/fc2 ships no type declarations.
import FcClient from '@alicloud/fc2';
import { sdkAloneHandler, type SdkCall } from './calls';

const credentials = () => ({
  accessKeyId: process.env.ALIBABA_CLOUD_ACCESS_KEY_ID ?? '',
  accessKeySecret: process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET ?? '',
  securityToken: process.env.ALIBABA_CLOUD_SECURITY_TOKEN ?? '',
});

export const alibabaCalls: Record<string, SdkCall> = {
  '@alicloud/eventbridge': async (endpoint, message) => {
    const client = new EventBridge(new Config({ endpoint: new URL(endpoint).host, protocol: 'http', ...credentials() }));
    const event = new CloudEvent({
      id: 'bench',
      source: 'alert-router',
      type: 'alert-router:Alert',
      datacontenttype: 'application/json;charset=utf-8',
      data: Buffer.from(message),
      extensions: { aliyuneventbusname: 'alerts' },
    });
    const out = await client.putEvents([event]);
    if (out.failedEntryCount) throw new Error('putEvents failed an entry');
  },
  '@alicloud/fc2': async (endpoint, message) => {
    const c = credentials();
    const client = new FcClient('1234567890123456', {
      accessKeyID: c.accessKeyId,
      accessKeySecret: c.accessKeySecret,
      securityToken: c.securityToken,
      region: 'cn-hangzhou',
      secure: false,
      endpoint,
    });
    client.securityToken = c.securityToken;
    await client.invokeFunction('ops', 'remediate', message, { 'x-fc-invocation-type': 'Async' });
  },
};

export const handler = sdkAloneHandler(alibabaCalls);
