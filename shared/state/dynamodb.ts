// Amazon DynamoDB adapter. One table (on demand, created by serverless.yml) with partition
// key `pk` = `${space}#${key}`; each item carries `space`, `key`, `version`, `expiresAt`
// (the table's TTL attribute, epoch seconds) and `doc` (the value as JSON text). The
// contract's conditions are ConditionExpressions, evaluated by DynamoDB atomically with the
// write; reads are strongly consistent, so a lease just taken is seen by the next reader.
// Actions used: GetItem and PutItem by the functions (`permissions` below: their IAM policy
// grants only these, on this table), Scan by `router state` only. The calls are the
// requests @aws-sdk/client-dynamodb sends, signed by shared/aws.ts: no SDK in the bundle.
import { awsCredentials, awsJsonError, awsRequest, resolveAwsEndpoint } from '../aws';
import { redact } from '../log';
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
import { DEFAULT_STORE_TIMEOUT_MS, MIN_LIST_TIMEOUT_MS } from './settings';

/** The attribute values this adapter writes and reads: strings and numbers (DynamoDB JSON). */
type AttributeValue = { S: string } | { N: string };
type Item = Record<string, Partial<Record<'S' | 'N', string>>>;

/**
 * How much of an answer is read: a GetItem item is at most 400 KB, a Scan page at most 1 MB
 * of items, more as DynamoDB JSON.
 */
const MAX_ANSWER_BYTES = 4 * 1024 * 1024;
/**
 * Answers that say DynamoDB did not process the request: a call that got one is tried once
 * more, a write included (the SDK, with maxAttempts 2, also retried).
 */
const NOT_PROCESSED = /^(ProvisionedThroughputExceeded|Throttling|RequestLimitExceeded|LimitExceeded|TransactionInProgress)/;
/**
 * How long after the caller stops waiting (guard.ts: the store's timeout) an attempt is
 * aborted: the caller's timeout names the problem, and no request outlives it for long.
 */
const ABORT_GRACE_MS = 1000;
/** Network errors after which a read is worth one more attempt; a write only after ECONNREFUSED or on a stale socket (nothing was applied). */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH']);

/** An error answer of the DynamoDB API, by its error type. */
export class DynamodbError extends Error {
  override name = 'DynamodbError';
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/**
 * The DynamoDB JSON 1.0 API (`x-amz-target: DynamoDB_20120810.<Action>`), each call signed
 * by shared/aws.ts as @aws-sdk/client-dynamodb would sign it, each attempt aborted soon after
 * its caller's timeout (a Scan, which only `router state` makes, is given MIN_LIST_TIMEOUT_MS
 * at least).
 */
export class DynamodbApi {
  constructor(
    private readonly region: string,
    private readonly endpoint: string,
    private readonly timeoutMs: number,
  ) {}

  async call(action: string, input: object): Promise<Record<string, unknown>> {
    const body = JSON.stringify(input);
    const timeoutMs = action === 'Scan' ? Math.max(this.timeoutMs, MIN_LIST_TIMEOUT_MS) : this.timeoutMs;
    for (let attempt = 1; ; attempt += 1) {
      try {
        const res = await awsRequest({
          service: 'dynamodb',
          region: this.region,
          endpoint: this.endpoint,
          method: 'POST',
          path: '/',
          headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `DynamoDB_20120810.${action}` },
          body,
          signal: AbortSignal.timeout(timeoutMs + ABORT_GRACE_MS),
          maxResponseBytes: MAX_ANSWER_BYTES,
        });
        if (res.status < 200 || res.status > 299) {
          const { code, message } = awsJsonError(res);
          throw new DynamodbError(code ?? `HTTP${res.status}`, message ?? (redact(res.text).slice(0, 200) || `HTTP ${res.status}`), res.status);
        }
        if (res.truncated) throw new Error(`the answer is over ${MAX_ANSWER_BYTES} bytes`);
        const answer: unknown = JSON.parse(res.text);
        if (typeof answer !== 'object' || answer === null || Array.isArray(answer)) throw new Error('the answer is not a JSON object');
        return answer as Record<string, unknown>;
      } catch (err) {
        if (attempt >= 2 || !worthAnotherAttempt(err, action !== 'PutItem')) throw err;
      }
    }
  }
}

/**
 * Whether a failed call is tried once more. Not after the attempt's timeout: the caller
 * has given up by then (guard.ts). A write only when DynamoDB surely did not apply it
 * (throttled, the connection refused, or a kept-alive socket found closed: http.ts): a 5xx
 * or a connection dropped after sending may have written it, and the retry's condition
 * would then fail against our own write.
 */
function worthAnotherAttempt(err: unknown, idempotent: boolean): boolean {
  if (err instanceof DynamodbError) return NOT_PROCESSED.test(err.code) || (idempotent && err.status >= 500);
  const { code, staleSocket } = typeof err === 'object' && err !== null ? (err as { code?: unknown; staleSocket?: unknown }) : {};
  if (typeof code !== 'string' || !NETWORK_CODES.has(code)) return false;
  return idempotent || code === 'ECONNREFUSED' || staleSocket === true;
}

export class DynamodbStore implements StateStore {
  readonly kind = 'dynamodb';

  constructor(
    private readonly api: DynamodbApi,
    private readonly table: string,
  ) {}

  async get<T>(space: Space, key: string, now: number): Promise<StoredRecord<T> | undefined> {
    checkKey('dynamodb', key);
    const { Item } = await this.call('GetItem', { TableName: this.table, Key: { pk: { S: `${space}#${key}` } }, ConsistentRead: true });
    const record = isItem(Item) ? fromItem<T>(Item) : undefined;
    return record && isLive(record.expiresAt, now) ? record : undefined;
  }

  async put<T>(request: PutRequest<T>): Promise<PutResult> {
    const { space, key, expect, expiresAt, now } = request;
    checkKey('dynamodb', key);
    const doc = serializedValue('dynamodb', request);
    const version = 'absent' in expect ? 1 : expect.version + 1;
    // Live means expiresAt * 1000 > now: compare in seconds, with the fraction kept.
    const nowSeconds: AttributeValue = { N: String(now / 1000) };
    const condition =
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
    const item: Record<string, AttributeValue> = {
      pk: { S: `${space}#${key}` },
      space: { S: space },
      key: { S: key },
      version: { N: String(version) },
      expiresAt: { N: String(expiresAt) },
      doc: { S: doc },
    };
    try {
      await this.call('PutItem', { TableName: this.table, Item: item, ...condition });
    } catch (err) {
      if (err instanceof DynamodbError && err.code === 'ConditionalCheckFailedException') return { written: false };
      throw err;
    }
    return { written: true, version };
  }

  async list<T>(space: Space, now: number): Promise<StoredRecord<T>[]> {
    const out: StoredRecord<T>[] = [];
    let start: unknown;
    do {
      const page = await this.call('Scan', {
        TableName: this.table,
        FilterExpression: '#space = :space AND expiresAt > :now',
        ExpressionAttributeNames: { '#space': 'space' },
        ExpressionAttributeValues: { ':space': { S: space }, ':now': { N: String(now / 1000) } },
        // Only the command line lists: eventually consistent reads cost half.
        ConsistentRead: false,
        ...(start ? { ExclusiveStartKey: start } : {}),
      });
      for (const item of Array.isArray(page.Items) ? (page.Items as unknown[]) : []) if (isItem(item)) out.push(fromItem<T>(item));
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }

  close(): Promise<void> {
    // The HTTP client's keep-alive sockets do not hold the process open.
    return Promise.resolve();
  }

  /** One API call, its errors naming the store and the table. */
  private async call(action: string, input: object): Promise<Record<string, unknown>> {
    try {
      return await this.api.call(action, input);
    } catch (err) {
      if (err instanceof DynamodbError && err.code === 'ConditionalCheckFailedException') throw err;
      const name = err instanceof DynamodbError ? err.code : describeName(err);
      const message = err instanceof Error ? err.message : String(err);
      // An answer's text may echo the request, its session token with it.
      throw new Error(redact(`dynamodb store: ${action} on table ${this.table} failed: ${name}: ${message}`));
    }
  }
}

/** An error's name and code (`Error ECONNREFUSED`), for the store's message. */
function describeName(err: unknown): string {
  if (typeof err !== 'object' || err === null) return 'Error';
  const { name, code } = err as { name?: unknown; code?: unknown };
  return [typeof name === 'string' ? name : 'Error', typeof code === 'string' ? code : ''].filter(Boolean).join(' ');
}

function isItem(value: unknown): value is Item {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
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
  // Signed with Lambda's role credentials; an FC function has none.
  runsOn: ['aws'],
  permissions: {
    aws: (written) => {
      const table = written.required('table');
      const region = written.optional('region');
      const resource = { service: 'dynamodb', resource: `table/${table}`, ...(region ? { region } : {}) };
      return ['dynamodb:GetItem', 'dynamodb:PutItem'].map((action) => ({ action, resources: [resource] }));
    },
  },
  /**
   * Opens the store once its credentials are found: where the environment has no keys (the
   * command line), the SDK's chain may take a while (a profile's SSO token, a role to
   * assume), which would otherwise count against the first call's timeout, and its failure
   * would read as a timeout instead of naming the credentials.
   */
  async create(settings) {
    const region = settings.region ?? (process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION);
    const endpoint = resolveAwsEndpoint('dynamodb', region, settings.endpoint);
    if (!region || !endpoint) throw new Error('dynamodb store: no region: set state.region, or AWS_REGION');
    try {
      await awsCredentials();
    } catch (err) {
      throw new Error(redact(`dynamodb store: ${err instanceof Error ? err.message : String(err)}`));
    }
    return new DynamodbStore(new DynamodbApi(region, endpoint, settings.timeoutMs ?? DEFAULT_STORE_TIMEOUT_MS), settings.table);
  },
};

export default dynamodbStore;
