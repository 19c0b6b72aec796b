import { createServer, type Socket } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { MAX_RESPONSE_BYTES } from '../../shared/http';
import { stateSettings } from '../../shared/state/settings';
import { createStore } from '../../shared/state/store';
import { DYNALITE_ENV, startDynalite } from '../support/dynalite';
import { verifySigV4 } from '../support/fakes/aws';
import { useEnv } from '../support/fakes/deliver';
import { startScriptedServer, type RecordedRequest, type ScriptedServer } from '../support/http-server';
import { describeStoreContract } from './contract';
import { dynamodbHarness } from './adapters';

describeStoreContract(dynamodbHarness);

const TABLE = 'alert-router-state';
const json10 = (body: object, status = 200) => ({ status, headers: { 'content-type': 'application/x-amz-json-1.0' }, body });

describe('dynamodb store: the requests', () => {
  useEnv(DYNALITE_ENV);
  let server: ScriptedServer;
  beforeAll(async () => {
    server = await startScriptedServer();
  });
  afterAll(() => server.close());
  beforeEach(() => {
    server.requests.length = 0;
  });
  const open = () => createStore(stateSettings.parse({ store: 'dynamodb', table: TABLE, endpoint: server.url, timeoutMs: 2000 }));

  it('sends GetItem and PutItem as @aws-sdk/client-dynamodb does, signed for dynamodb', async () => {
    server.respondWith(json10({}));
    const store = await open();
    await store.get('ledger', 'k1', 1_000);
    await store.put({ space: 'ledger', key: 'k1', value: { a: 1 }, expect: { version: 3 }, expiresAt: 2_000, now: 1_500 });
    const sdk = new DynamoDBClient({ endpoint: server.url, region: DYNALITE_ENV.AWS_REGION, maxAttempts: 1 });
    await sdk.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: 'ledger#k1' } }, ConsistentRead: true }));
    const [ours, , theirs] = server.requests as [RecordedRequest, RecordedRequest, RecordedRequest];
    const put = server.requests[1]!;
    await sdk.send(new PutItemCommand(put.json() as never));
    sdk.destroy();
    const theirPut = server.requests[3]!;

    for (const [mine, sdks] of [[ours, theirs], [put, theirPut]] as const) {
      expect([mine.method, mine.url, mine.headers['content-type'], mine.headers['x-amz-target']]).toEqual([sdks.method, sdks.url, sdks.headers['content-type'], sdks.headers['x-amz-target']]);
      expect(mine.json()).toEqual(sdks.json());
      expect(verifySigV4(mine, DYNALITE_ENV.AWS_SECRET_ACCESS_KEY!)).toMatchObject({ service: 'dynamodb', region: 'us-east-1', valid: true });
    }
    expect(ours.headers['x-amz-target']).toBe('DynamoDB_20120810.GetItem');
    expect(put.json()).toMatchObject({
      TableName: TABLE,
      ConditionExpression: '#version = :expected AND expiresAt > :now',
      ExpressionAttributeValues: { ':expected': { N: '3' }, ':now': { N: '1.5' } },
      Item: { pk: { S: 'ledger#k1' }, version: { N: '4' }, expiresAt: { N: '2000' }, doc: { S: '{"a":1}' } },
    });
  });

  it('tries a throttled or failing call once more, a refused one never, and names what refused it', async () => {
    const store = await open();
    server.respondWith(json10({ __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException', message: 'slow down' }, 400), json10({}));
    expect(await store.get('alerts', 'a', 0)).toBeUndefined();
    expect(server.requests).toHaveLength(2);

    server.requests.length = 0;
    server.respondWith(json10({ __type: 'com.amazon.coral.service#InternalFailure' }, 500), json10({ __type: 'com.amazon.coral.service#InternalFailure' }, 500), json10({}));
    await expect(store.get('alerts', 'a', 0)).rejects.toThrow('dynamodb store: GetItem on table alert-router-state failed: InternalFailure');
    expect(server.requests).toHaveLength(2);

    server.requests.length = 0;
    server.respondWith(json10({ __type: 'com.amazon.coral.validate#ValidationException', message: 'One or more parameter values were invalid' }, 400));
    await expect(store.get('alerts', 'a', 0)).rejects.toThrow('failed: ValidationException: One or more parameter values were invalid');
    expect(server.requests).toHaveLength(1);

    server.requests.length = 0;
    server.respondWith(json10({ __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException', message: 'The conditional request failed' }, 400));
    expect(await store.put({ space: 'alerts', key: 'a', value: {}, expect: { absent: true }, expiresAt: 10, now: 0 })).toEqual({ written: false });
    expect(server.requests).toHaveLength(1);
  });

  it('writes again only when DynamoDB surely did not apply the write: throttled yes, a 5xx no', async () => {
    const store = await open();
    const write = () => store.put({ space: 'ledger', key: 'w', value: { owner: 'me' }, expect: { absent: true }, expiresAt: 10, now: 0 });
    server.respondWith(json10({ __type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException', message: 'Rate of requests exceeds the allowed throughput.' }, 400), json10({}));
    expect(await write()).toEqual({ written: true, version: 1 });
    expect(server.requests).toHaveLength(2);

    // The first PutItem may have landed: a retry's condition would fail against our own write.
    server.requests.length = 0;
    server.respondWith(json10({ __type: 'com.amazon.coral.service#InternalFailure' }, 500), json10({}));
    await expect(write()).rejects.toThrow('dynamodb store: PutItem on table alert-router-state failed: InternalFailure');
    expect(server.requests).toHaveLength(1);
  });

  it('keeps the session token out of its error when a proxy echoes the request, even where the error is cut', async () => {
    // As long as real session tokens are: the error keeps the first 200 characters of the answer.
    const token = `IQoJb3JpZ2luX2VjEJr${'dynamodb0session0token0only0here'.repeat(20)}`;
    const saved = process.env.AWS_SESSION_TOKEN;
    process.env.AWS_SESSION_TOKEN = token;
    try {
      const store = await open();
      server.respondWith('echo');
      const error = await store.get('alerts', 'a', 0).then(() => undefined, (err: unknown) => err as Error);
      expect(server.requests[0]!.headers['x-amz-security-token']).toBe(token);
      expect(error?.message).toMatch(/^dynamodb store: GetItem on table alert-router-state failed: HTTP400: /);
      expect(error?.message).not.toContain(token.slice(0, 12));
    } finally {
      if (saved === undefined) delete process.env.AWS_SESSION_TOKEN;
      else process.env.AWS_SESSION_TOKEN = saved;
    }
  });
});

describe('dynamodb store: a listing of pages larger than the HTTP client reads by default', () => {
  useEnv(DYNALITE_ENV);
  it('reads every page whole (Scan answers up to 1 MB of items)', async () => {
    const dynalite = await startDynalite();
    try {
      const store = await createStore(stateSettings.parse({ store: 'dynamodb', table: dynalite.table, endpoint: dynalite.endpoint, timeoutMs: 30_000 }));
      const filler = 'x'.repeat(3000);
      const count = 400;
      for (let i = 0; i < count; i += 1) {
        expect(await store.put({ space: 'alerts', key: `k${i}`, value: { i, filler }, expect: { absent: true }, expiresAt: 10_000, now: 0 })).toMatchObject({ written: true });
      }
      const listed = await store.list<{ i: number }>('alerts', 0);
      expect(listed.map((record) => record.value.i).sort((a, b) => a - b)).toEqual(Array.from({ length: count }, (_, i) => i));
      // The items are far more than the HTTP client's default cap: so were the answers.
      expect(count * filler.length).toBeGreaterThan(4 * MAX_RESPONSE_BYTES);
    } finally {
      await dynalite.stop();
    }
  }, 120_000);
});

describe('dynamodb store: a kept-alive connection the server closed', () => {
  useEnv(DYNALITE_ENV);
  it('writes again on a new connection: the write never reached the server', async () => {
    // The first connection answers one call, then drops the next one unanswered, as a server
    // that closed an idle connection does; later connections answer everything.
    const seen: string[] = [];
    let connections = 0;
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      sockets.add(socket);
      connections += 1;
      const first = connections === 1;
      let calls = 0;
      socket.on('data', (chunk: Buffer) => {
        const target = /x-amz-target: DynamoDB_20120810\.(\w+)/i.exec(chunk.toString('latin1'))?.[1];
        if (!target) return;
        seen.push(`${connections}:${target}`);
        calls += 1;
        if (first && calls === 2) {
          socket.destroy();
          return;
        }
        socket.write('HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\n{}');
      });
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const { port } = server.address() as AddressInfo;
    try {
      const store = await createStore(stateSettings.parse({ store: 'dynamodb', table: TABLE, endpoint: `http://127.0.0.1:${port}`, timeoutMs: 5000 }));
      expect(await store.get('ledger', 'k', 0)).toBeUndefined();
      expect(await store.put({ space: 'ledger', key: 'k', value: {}, expect: { absent: true }, expiresAt: 10, now: 0 })).toEqual({ written: true, version: 1 });
      expect(seen).toEqual(['1:GetItem', '1:PutItem', '2:PutItem']);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((done) => server.close(() => done()));
    }
  });
});

describe('dynamodb store: credentials', () => {
  it('does not open without credentials, and says so (not a timeout of its first call)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aws-profile-'));
    const saved = { ...process.env };
    try {
      for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) delete process.env[name];
      writeFileSync(join(dir, 'credentials'), '[ops]\naws_access_key_id = AKIAPROFILE0000000001\naws_secret_access_key = profile/secret\n');
      Object.assign(process.env, { AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'), AWS_CONFIG_FILE: join(dir, 'config'), AWS_PROFILE: 'nobody', AWS_EC2_METADATA_DISABLED: 'true', AWS_REGION: 'us-east-1' });
      const open = () => createStore(stateSettings.parse({ store: 'dynamodb', table: TABLE, endpoint: 'http://127.0.0.1:9', timeoutMs: 50 }));
      await expect(open()).rejects.toThrow('dynamodb store: no AWS credentials: Could not load credentials from any providers');
    } finally {
      process.env = saved;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
