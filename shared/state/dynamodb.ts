// Amazon DynamoDB adapter. One table (on demand, created by serverless.yml) with partition
// key `pk` = `${space}#${key}`; each item carries `space`, `key`, `version`, `expiresAt`
// (the table's TTL attribute, epoch seconds) and `doc` (the value as JSON text). The
// contract's conditions are ConditionExpressions, evaluated by DynamoDB atomically with the
// write; reads are strongly consistent, so a lease just taken is seen by the next reader.
// Actions used: GetItem and PutItem by the functions (`permissions` below: their IAM policy
// grants only these, on this table), Scan by `router state` only.
import type { AttributeValue, DynamoDBClient, PutItemCommandInput } from '@aws-sdk/client-dynamodb';
import {
  checkKey,
  isLive,
  serializedValue,
  type PutRequest,
  type PutResult,
  type Space,
  type StateStore,
  type StoreType,
  type StoredRecord,
} from './contract';
import type { DynamodbSettings } from './settings';
import { DEFAULT_STORE_TIMEOUT_MS } from './settings';

type SDK = typeof import('@aws-sdk/client-dynamodb');
type Item = Record<string, AttributeValue>;


export class DynamodbStore implements StateStore {
  readonly kind = 'dynamodb';

  constructor(
    private readonly sdk: SDK,
    private readonly client: DynamoDBClient,
    private readonly table: string,
  ) {}

  async get<T>(space: Space, key: string, now: number): Promise<StoredRecord<T> | undefined> {
    checkKey('dynamodb', key);
    const { Item } = await this.call('GetItem', () =>
      this.client.send(new this.sdk.GetItemCommand({ TableName: this.table, Key: { pk: { S: `${space}#${key}` } }, ConsistentRead: true })),
    );
    const record = Item ? fromItem<T>(Item) : undefined;
    return record && isLive(record.expiresAt, now) ? record : undefined;
  }

  async put<T>(request: PutRequest<T>): Promise<PutResult> {
    const { space, key, expect, expiresAt, now } = request;
    checkKey('dynamodb', key);
    const doc = serializedValue('dynamodb', request);
    const version = 'absent' in expect ? 1 : expect.version + 1;
    // Live means expiresAt * 1000 > now: compare in seconds, with the fraction kept.
    const nowSeconds = { N: String(now / 1000) };
    const condition: Pick<PutItemCommandInput, 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'> =
      'absent' in expect
        ? {
            ConditionExpression: 'attribute_not_exists(pk) OR expiresAt <= :now',
            ExpressionAttributeValues: { ':now': nowSeconds },
          }
        : {
            ConditionExpression: '#version = :expected AND expiresAt > :now',
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: { ':expected': { N: String(expect.version) }, ':now': nowSeconds },
          };
    try {
      await this.call('PutItem', () =>
        this.client.send(
          new this.sdk.PutItemCommand({
          TableName: this.table,
          Item: {
            pk: { S: `${space}#${key}` },
            space: { S: space },
            key: { S: key },
            version: { N: String(version) },
            expiresAt: { N: String(expiresAt) },
            doc: { S: doc },
          },
            ...condition,
          }),
        ),
      );
    } catch (err) {
      if (err instanceof this.sdk.ConditionalCheckFailedException) return { written: false };
      throw err;
    }
    return { written: true, version };
  }

  async list<T>(space: Space, now: number): Promise<StoredRecord<T>[]> {
    const out: StoredRecord<T>[] = [];
    let start: Item | undefined;
    do {
      const page = await this.call('Scan', () =>
        this.client.send(
          new this.sdk.ScanCommand({
          TableName: this.table,
          FilterExpression: '#space = :space AND expiresAt > :now',
          ExpressionAttributeNames: { '#space': 'space' },
          ExpressionAttributeValues: { ':space': { S: space }, ':now': { N: String(now / 1000) } },
          // Only the command line lists: eventually consistent reads cost half.
          ConsistentRead: false,
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        ),
      );
      for (const item of page.Items ?? []) out.push(fromItem<T>(item));
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }

  close(): Promise<void> {
    this.client.destroy();
    return Promise.resolve();
  }

  /** One SDK call, its errors naming the store and the table. */
  private async call<O>(action: string, send: () => Promise<O>): Promise<O> {
    try {
      return await send();
    } catch (err) {
      if (err instanceof this.sdk.ConditionalCheckFailedException) throw err;
      const name = err instanceof Error ? err.name : 'Error';
      const message = err instanceof Error ? err.message : String(err);
      throw new Error(`dynamodb store: ${action} on table ${this.table} failed: ${name}: ${message}`);
    }
  }
}

function fromItem<T>(item: Item): StoredRecord<T> {
  return {
    key: item.key?.S ?? '',
    version: Number(item.version?.N),
    expiresAt: Number(item.expiresAt?.N),
    value: JSON.parse(item.doc?.S ?? 'null') as T,
  };
}


const dynamodbStore: StoreType<DynamodbSettings> = {
  kind: 'dynamodb',
  sdk: ['@aws-sdk/client-dynamodb'],
  permissions: {
    aws: (written) => {
      const table = written.required('table');
      const region = written.optional('region');
      const resource = { service: 'dynamodb', resource: `table/${table}`, ...(region ? { region } : {}) };
      return ['dynamodb:GetItem', 'dynamodb:PutItem'].map((action) => ({ action, resources: [resource] }));
    },
  },
  async create(settings) {
    const sdk = await import('@aws-sdk/client-dynamodb');
    const timeout = settings.timeoutMs ?? DEFAULT_STORE_TIMEOUT_MS;
    const client = new sdk.DynamoDBClient({
      ...(settings.region ? { region: settings.region } : {}),
      ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
      // The router bounds each call itself and fails open: one SDK retry is enough.
      maxAttempts: 2,
      // A timed-out request is an error (the call fails open), not a console warning.
      requestHandler: { connectionTimeout: timeout, requestTimeout: timeout, throwOnRequestTimeout: true },
    });
    return new DynamodbStore(sdk, client, settings.table);
  },
};

export default dynamodbStore;
