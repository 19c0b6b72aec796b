// fauxqs (an SNS + SQS emulator) on 127.0.0.1, for checking what the sns target publishes
// against an independent implementation of SNS: FIFO rules, deduplication, filter policies,
// fan-out to SQS. fauxqs is ESM-only, which jest's CommonJS sandbox cannot import, and its
// startFauxqs() listens on every interface: a child process runs its app on loopback only.
// Setup and reads go over the wire protocols themselves (SNS Query, SQS JSON); fauxqs does
// not check signatures.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { ROOT } from '../samples';

const CHILD = `
import { buildApp } from 'fauxqs';
const app = buildApp({ logger: false });
const address = await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(JSON.stringify({ address }) + '\\n');
`;

/** Bounds drain(): a test queue holds a handful of messages. */
const MAX_RECEIVES = 20;

export interface SqsMessage {
  Body: string;
  ReceiptHandle: string;
  MessageAttributes?: Record<string, { DataType: string; StringValue?: string }>;
  Attributes?: Record<string, string>;
}

export interface Fauxqs {
  /** `http://127.0.0.1:<port>`: the endpoint of both SNS and SQS. */
  address: string;
  createTopic(name: string, fifo: boolean): Promise<string>;
  /** Creates a queue and returns its URL and ARN. */
  createQueue(name: string, fifo: boolean): Promise<{ url: string; arn: string }>;
  subscribe(topicArn: string, queueArn: string, filterPolicy?: object): Promise<void>;
  /**
   * Every message waiting in the queue, with all attributes, each deleted once read: a FIFO
   * queue hands out the next message of a group only when the previous one is deleted.
   */
  drain(queueUrl: string): Promise<SqsMessage[]>;
  stop(): Promise<void>;
}

export async function startFauxqs(): Promise<Fauxqs> {
  const child: ChildProcess = spawn(process.execPath, ['--input-type=module', '-e', CHILD], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const address = await new Promise<string>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`fauxqs exited with ${code} before listening`)));
    createInterface({ input: child.stdout! }).once('line', (line) => resolve((JSON.parse(line) as { address: string }).address));
  });

  const sns = async (params: Record<string, string>): Promise<string> => {
    const res = await fetch(address, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ Version: '2010-03-31', ...params }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`fauxqs SNS ${params.Action}: ${res.status} ${text}`);
    return text;
  };
  const sqs = async <T>(action: string, body: object): Promise<T> => {
    const res = await fetch(address, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AmazonSQS.${action}` },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`fauxqs SQS ${action}: ${res.status} ${text}`);
    return JSON.parse(text) as T;
  };

  return {
    address,
    async createTopic(name, fifo) {
      const xml = await sns({ Action: 'CreateTopic', Name: name, ...(fifo ? { 'Attributes.entry.1.key': 'FifoTopic', 'Attributes.entry.1.value': 'true' } : {}) });
      const arn = /<TopicArn>([^<]+)<\/TopicArn>/.exec(xml)?.[1];
      if (!arn) throw new Error(`fauxqs CreateTopic: no TopicArn in ${xml}`);
      return arn;
    },
    async createQueue(name, fifo) {
      const { QueueUrl } = await sqs<{ QueueUrl: string }>('CreateQueue', { QueueName: name, ...(fifo ? { Attributes: { FifoQueue: 'true' } } : {}) });
      const { Attributes } = await sqs<{ Attributes: { QueueArn: string } }>('GetQueueAttributes', { QueueUrl, AttributeNames: ['QueueArn'] });
      return { url: QueueUrl, arn: Attributes.QueueArn };
    },
    async subscribe(topicArn, queueArn, filterPolicy) {
      await sns({
        Action: 'Subscribe',
        TopicArn: topicArn,
        Protocol: 'sqs',
        Endpoint: queueArn,
        ...(filterPolicy ? { 'Attributes.entry.1.key': 'FilterPolicy', 'Attributes.entry.1.value': JSON.stringify(filterPolicy) } : {}),
      });
    },
    async drain(queueUrl) {
      const all: SqsMessage[] = [];
      for (let round = 0; round < MAX_RECEIVES; round += 1) {
        const { Messages = [] } = await sqs<{ Messages?: SqsMessage[] }>('ReceiveMessage', {
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
          MessageAttributeNames: ['All'],
          MessageSystemAttributeNames: ['All'],
        });
        if (Messages.length === 0) break;
        all.push(...Messages);
        for (const message of Messages) await sqs('DeleteMessage', { QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle });
      }
      return all;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill();
      }),
  };
}
