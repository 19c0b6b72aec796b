import { createServer, type Server, type Socket } from 'node:net';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { setLogSink } from '../../../shared/log';
import { createAwsClient } from '../../../shared/targets/cloud/aws-client';
import sns from '../../../shared/targets/cloud/sns';
import { AWS_ENV, SNS_MESSAGE_ID, startSnsFake } from '../../support/fakes/aws';
import { deliverOne, prepare, sampleAlert, useEnv } from '../../support/fakes/deliver';
import type { ScriptedServer } from '../../support/http-server';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:alerts';

type Handler = (args: unknown) => Promise<unknown>;
type Probe = (next: Handler) => Handler;

/** What the deserializer was handed as the response body, seen from just outside it. */
function bodySeenByDeserializer(client: SNSClient): () => unknown {
  let seen: unknown;
  const probe: Probe = (next) => async (args) => {
    const out = (await next(args)) as { response: { body: unknown } };
    seen = out.response.body;
    return out;
  };
  (client.middlewareStack as unknown as { add(m: Probe, o: object): void }).add(probe, { step: 'deserialize', name: 'probeBody' });
  return () => seen;
}

describe('AWS client', () => {
  useEnv(AWS_ENV);
  let server: ScriptedServer;

  beforeAll(async () => {
    setLogSink(() => undefined);
    server = await startSnsFake();
  });
  afterAll(() => server.close());
  beforeEach(() => {
    server.requests.length = 0;
    server.respondWith('ok');
  });

  it('hands the deserializer the whole body as bytes, not the socket stream', async () => {
    const client = createAwsClient(SNSClient, { endpoint: server.url }, TOPIC);
    const body = bodySeenByDeserializer(client);

    const out = await client.send(new PublishCommand({ TopicArn: TOPIC, Message: 'hello' }));

    expect(out.MessageId).toBe(SNS_MESSAGE_ID);
    expect(body()).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(body() as Uint8Array).toString('utf8')).toContain(`<MessageId>${SNS_MESSAGE_ID}</MessageId>`);
  });

  it('still parses error replies read that way', async () => {
    const client = createAwsClient(SNSClient, { endpoint: server.url }, TOPIC);
    server.respondWith('client-error');

    await expect(client.send(new PublishCommand({ TopicArn: TOPIC, Message: 'hello' }))).rejects.toMatchObject({
      name: 'NotFoundException',
      $metadata: { httpStatusCode: 404 },
    });
  });
});

describe('AWS client, a reply cut off in its body', () => {
  useEnv(AWS_ENV);
  let server: Server;
  let url: string;
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    setLogSink(() => undefined);
    // Headers promise 500 bytes of XML; 20 come, then the connection drops.
    server = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.once('data', () => {
        socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 500\r\n\r\n<PublishResponse xmln');
        setImmediate(() => socket.destroy());
      });
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('no port');
    url = `http://127.0.0.1:${address.port}`;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((done) => server.close(() => done()));
  });

  it('is a retryable network failure of the delivery', async () => {
    const target = await prepare(sns, { topicArn: TOPIC, endpoint: url }, { policy: { timeoutMs: 2000, retries: 0 } });

    const result = await deliverOne(target, sampleAlert('aws/state-change-single-metric.json'));

    expect(result).toMatchObject({ outcome: 'failed', retryable: true, attempts: 1 });
    expect(result.detail).toMatch(/aborted|ECONNRESET/);
  });
});
