// The Alibaba Cloud Tablestore store, through the official `tablestore` SDK (loaded by
// create() only, so that a function whose router.yaml names another store never loads it).
//
// One table, one row per record: primary key `id` (STRING) = `${space}#${key}`, attribute
// columns `version` (INTEGER), `expiresAt` (INTEGER, epoch seconds) and `value` (STRING,
// the JSON). The table's time to live deletes rows some time after their last write; the
// contract's expiry (expiresAt against the caller's clock) is enforced here, in the
// conditions of every write:
//   put-if-version n  PutRow, EXPECT_EXIST, version = n AND expiresAt > now    (one call)
//   put-if-absent     PutRow, EXPECT_NOT_EXIST                                 (one call)
//                     and when the row exists: GetRow; live -> not written; expired ->
//                     PutRow, EXPECT_EXIST, version = v AND expiresAt <= now, so that of
//                     several writers replacing the same expired record only one succeeds.
// A failed condition is the service's 403 OTSConditionCheckFail, the answer "not written".
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import {
  checkKey,
  isLive,
  serializedValue,
  type PutRequest,
  type PutResult,
  type Space,
  type StateStore,
  type StoreRuntime,
  type StoreType,
  type StoredRecord,
} from './contract';
import { redact, secretsGuard } from '../log';
import { DEFAULT_STORE_TIMEOUT_MS, DEFAULT_TABLESTORE_TABLE, type TablestoreSettings } from './settings';

/** The primary key column, and the attribute columns of a record. */
export const PRIMARY_KEY = 'id';
export const COLUMNS = ['version', 'expiresAt', 'value'] as const;

/** How often put-if-absent re-reads a record that changed under it before giving up. */
const ABSENT_ATTEMPTS = 3;
/** Retries of the SDK for reads (it never retries writes); the caller fails open after its timeout anyway. */
const SDK_MAX_RETRIES = 1;

// --- what we use of the SDK, which ships no type declarations ------------------------

/** int64-buffer's Int64LE. */
interface Int64 {
  toNumber(): number;
  toString(): string;
}
type CellValue = string | number | boolean | Int64 | Buffer;
interface SdkRow {
  primaryKey?: { name: string; value: CellValue }[];
  attributes?: { columnName: string; columnValue: CellValue; timestamp?: Int64 }[];
}
interface SdkClient {
  config: { getCredentials(): { accessKeyId?: string; secretAccessKey?: string; securityToken?: string } };
  getRow(params: Record<string, unknown>): Promise<{ row: SdkRow }>;
  putRow(params: Record<string, unknown>): Promise<unknown>;
  getRange(params: Record<string, unknown>): Promise<{ rows: SdkRow[]; nextStartPrimaryKey: { name: string; value: CellValue }[] | null }>;
}
interface ColumnCondition {
  addSubCondition(condition: ColumnCondition): void;
}
export interface TablestoreSdk {
  Client: new (config: Record<string, unknown>) => SdkClient;
  Condition: new (rowExistence: number, columnCondition: ColumnCondition | null) => unknown;
  CompositeCondition: new (combinator: number) => ColumnCondition;
  SingleColumnCondition: new (column: string, value: CellValue, comparator: number, passIfMissing: boolean, latestVersionOnly: boolean) => ColumnCondition;
  RowExistenceExpectation: { IGNORE: number; EXPECT_EXIST: number; EXPECT_NOT_EXIST: number };
  ComparatorType: { EQUAL: number; GREATER_THAN: number; LESS_EQUAL: number };
  LogicalOperator: { AND: number };
  Direction: { FORWARD: string };
  Long: { fromNumber(value: number): Int64 };
}

type Credentials = ReturnType<NonNullable<StoreRuntime['alibabaCredentials']>>;

export interface TablestoreConnection {
  endpoint: string;
  instance: string;
  table: string;
  timeoutMs: number;
  credentials: () => Credentials;
}

export const NO_CREDENTIALS =
  'no Alibaba Cloud credentials: not running on FC 3.0 with a role, and ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET are not set';

export class TablestoreStore implements StateStore {
  readonly kind = 'tablestore';
  private readonly client: SdkClient;
  private readonly agent: HttpAgent;
  private readonly table: string;

  constructor(
    private readonly sdk: TablestoreSdk,
    connection: TablestoreConnection,
  ) {
    this.table = connection.table;
    // One keep-alive connection pool: a call then costs a round trip, not a TLS handshake.
    this.agent = connection.endpoint.startsWith('https:') ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
    this.client = new sdk.Client({
      endpoint: connection.endpoint,
      instancename: connection.instance,
      // The SDK's default is 20 retries up to 3 s apart; the caller's timeout is far shorter.
      maxRetries: SDK_MAX_RETRIES,
      httpOptions: { timeout: connection.timeoutMs, agent: this.agent },
    });
    // The SDK reads its credentials when it signs each request: hand it the current ones.
    this.client.config.getCredentials = () => {
      const credentials = connection.credentials();
      if (!credentials) throw new Error(NO_CREDENTIALS);
      return { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.accessKeySecret, securityToken: credentials.securityToken };
    };
  }

  async get<T>(space: Space, key: string, now: number): Promise<StoredRecord<T> | undefined> {
    checkKey('tablestore', key);
    const record = await this.read(space, key);
    return record && isLive(record.expiresAt, now) ? (record as StoredRecord<T>) : undefined;
  }

  async put<T>(request: PutRequest<T>): Promise<PutResult> {
    const { space, key, expect, now } = request;
    checkKey('tablestore', key);
    const text = serializedValue('tablestore', request);
    const nowSeconds = Math.floor(now / 1000);
    const { RowExistenceExpectation: existence, ComparatorType: compare } = this.sdk;

    if ('version' in expect) {
      const written = await this.write(request, text, expect.version + 1, existence.EXPECT_EXIST, [
        ['version', compare.EQUAL, expect.version],
        ['expiresAt', compare.GREATER_THAN, nowSeconds],
      ]);
      return written ? { written: true, version: expect.version + 1 } : { written: false };
    }

    for (let attempt = 0; attempt < ABSENT_ATTEMPTS; attempt += 1) {
      if (await this.write(request, text, 1, existence.EXPECT_NOT_EXIST)) return { written: true, version: 1 };
      const current = await this.read(space, key);
      // Gone since (the table's TTL deleted it): try again.
      if (!current) continue;
      if (isLive(current.expiresAt, now)) return { written: false };
      const replaced = await this.write(request, text, 1, existence.EXPECT_EXIST, [
        ['version', compare.EQUAL, current.version],
        ['expiresAt', compare.LESS_EQUAL, nowSeconds],
      ]);
      if (replaced) return { written: true, version: 1 };
    }
    throw new Error(`tablestore store: ${space}/${key} changed under ${ABSENT_ATTEMPTS} attempts to write it`);
  }

  async list<T>(space: Space, now: number): Promise<StoredRecord<T>[]> {
    const out: StoredRecord<T>[] = [];
    // Every id of the space starts with `${space}#`; '$' is the character after '#'.
    let start = `${space}#`;
    const end = `${space}$`;
    for (;;) {
      const page = await this.call('GetRange', () =>
        this.client.getRange({
          tableName: this.table,
          direction: this.sdk.Direction.FORWARD,
          inclusiveStartPrimaryKey: [{ [PRIMARY_KEY]: start }],
          exclusiveEndPrimaryKey: [{ [PRIMARY_KEY]: end }],
          maxVersions: 1,
          columnsToGet: [...COLUMNS],
        }),
      );
      for (const row of page.rows) {
        const record = this.toRecord(space, row);
        if (record && isLive(record.expiresAt, now)) out.push(record as StoredRecord<T>);
      }
      const next = page.nextStartPrimaryKey?.[0]?.value;
      if (next === undefined) return out;
      // The service orders keys by their UTF-8 bytes; a next start at or before this one would loop.
      if (typeof next !== 'string' || Buffer.compare(Buffer.from(next), Buffer.from(start)) <= 0) {
        throw new Error(`tablestore store: GetRange on table ${this.table} did not move forward`);
      }
      start = next;
    }
  }

  close(): Promise<void> {
    this.agent.destroy();
    return Promise.resolve();
  }

  /** The stored record, live or expired, or undefined when there is no row. */
  private async read(space: Space, key: string): Promise<StoredRecord | undefined> {
    const { row } = await this.call('GetRow', () =>
      this.client.getRow({ tableName: this.table, primaryKey: [{ [PRIMARY_KEY]: rowId(space, key) }], maxVersions: 1, columnsToGet: [...COLUMNS] }),
    );
    return this.toRecord(space, row);
  }

  /** PutRow under a row condition and column conditions (ANDed); false when they did not hold. */
  private async write(
    request: PutRequest,
    text: string,
    version: number,
    rowExistence: number,
    columns: [column: string, comparator: number, value: number][] = [],
  ): Promise<boolean> {
    const { sdk } = this;
    let columnCondition: ColumnCondition | null = null;
    if (columns.length > 0) {
      columnCondition = new sdk.CompositeCondition(sdk.LogicalOperator.AND);
      // passIfMissing false: a row without the column does not satisfy the condition.
      for (const [column, comparator, value] of columns) {
        columnCondition.addSubCondition(new sdk.SingleColumnCondition(column, sdk.Long.fromNumber(value), comparator, false, true));
      }
    }
    try {
      await this.call(
        'PutRow',
        () =>
          this.client.putRow({
            tableName: this.table,
            condition: new sdk.Condition(rowExistence, columnCondition),
            primaryKey: [{ [PRIMARY_KEY]: rowId(request.space, request.key) }],
            attributeColumns: [{ version: sdk.Long.fromNumber(version) }, { expiresAt: sdk.Long.fromNumber(request.expiresAt) }, { value: text }],
          }),
        true,
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionFailed) return false;
      throw err;
    }
  }

  /** Runs one SDK call; its failure becomes an Error that names the store, the call and the service's code. */
  private async call<R>(operation: string, run: () => Promise<R>, conditional = false): Promise<R> {
    try {
      return await run();
    } catch (err) {
      const failure = describeFailure(err);
      if (conditional && failure.code === 'OTSConditionCheckFail') throw new ConditionFailed();
      throw new Error(`tablestore store: ${operation} on table ${this.table} failed: ${failure.text}`);
    }
  }

  private toRecord(space: Space, row: SdkRow | undefined): StoredRecord | undefined {
    const id = row?.primaryKey?.[0]?.value;
    if (id === undefined) return undefined;
    const prefix = `${space}#`;
    const cells = new Map((row?.attributes ?? []).map((a) => [a.columnName, a.columnValue]));
    const version = integer(cells.get('version'));
    const expiresAt = integer(cells.get('expiresAt'));
    const text = cells.get('value');
    if (typeof id !== 'string' || !id.startsWith(prefix) || version === undefined || expiresAt === undefined || typeof text !== 'string') {
      throw new Error(`tablestore store: row ${JSON.stringify(String(id))} of table ${this.table} is not a record (columns ${COLUMNS.join(', ')})`);
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new Error(`tablestore store: row ${JSON.stringify(id)} of table ${this.table} holds a value that is not JSON`);
    }
    return { key: id.slice(prefix.length), version, expiresAt, value };
  }
}

class ConditionFailed extends Error {}

export const rowId = (space: Space, key: string) => `${space}#${key}`;


function integer(value: CellValue | undefined): number | undefined {
  if (typeof value === 'object' && 'toNumber' in value) return value.toNumber();
  return undefined;
}

/**
 * The service's error code and message. The SDK hands a failed call's HTTP status as `code`
 * and the raw protobuf Error body (code, then message, each after a tag and a length byte)
 * as text in `message`, followed by " requestId:<id>"; network failures have a string code
 * (NetworkingError, TimeoutError) and a plain message.
 */
export function describeFailure(err: unknown): { code: string | undefined; text: string } {
  const { code, message } = (err ?? {}) as { code?: unknown; message?: unknown };
  // Redacted before it is cut (a token cut in two would no longer be recognized), on one line.
  const raw = redact(typeof message === 'string' ? message : String(err)).replace(/\s+/g, ' ');
  if (typeof code === 'number') {
    const [body = '', requestId] = raw.split(/ requestId:/);
    const otsCode = /OTS[A-Za-z]+/.exec(body)?.[0];
    if (otsCode) {
      const detail = errorMessageField(body.slice(body.indexOf(otsCode) + otsCode.length));
      return { code: otsCode, text: `${otsCode}${detail ? `: ${detail}` : ''} (HTTP ${code}${requestId ? `, request ${requestId.trim()}` : ''})` };
    }
    return { code: undefined, text: `HTTP ${code}${body.trim() ? `: ${clip(body.trim())}` : ''}` };
  }
  return { code: typeof code === 'string' ? code : undefined, text: `${typeof code === 'string' ? `${code}: ` : ''}${clip(raw)}` };
}

/**
 * The message field of the Error body, from the text after the code: its tag (0x12), its
 * length as a varint (one byte below 128; two from 128, whose first byte is not UTF-8 and
 * decoded as U+FFFD), then the message.
 */
function errorMessageField(rest: string): string {
  if (rest.charCodeAt(0) !== 0x12) return '';
  const skip = rest.charCodeAt(1) === 0xfffd ? 3 : 2;
  return rest.slice(skip).trim();
}

const clip = (text: string) => (text.length > 300 ? `${text.slice(0, 300)}...` : text);

/** The secret and the token registered with redact() (x-ots-ststoken carries the token; an echoing proxy sends it back). */
const guarded = secretsGuard((credentials: NonNullable<Credentials>) => [credentials.accessKeySecret, credentials.securityToken]);

function envCredentials(env: Record<string, string | undefined>): Credentials {
  const accessKeyId = env.ALIBABA_CLOUD_ACCESS_KEY_ID;
  const accessKeySecret = env.ALIBABA_CLOUD_ACCESS_KEY_SECRET;
  if (!accessKeyId || !accessKeySecret) return undefined;
  const securityToken = env.ALIBABA_CLOUD_SECURITY_TOKEN;
  return guarded({ accessKeyId, accessKeySecret, ...(securityToken ? { securityToken } : {}) });
}

/** The public endpoint of an instance: what the instance's `PublicEndpoint` is. */
export const publicEndpoint = (instance: string, region: string) => `https://${instance}.${region}.ots.aliyuncs.com`;

/**
 * Endpoint, instance and table from the settings, else from the variables the deployment
 * sets on the functions (TABLESTORE_INSTANCE, TABLESTORE_TABLE; TABLESTORE_ENDPOINT, else the
 * instance's public endpoint in FC_REGION, the region FC runs the function in).
 */
export function tablestoreConnection(settings: TablestoreSettings, runtime: StoreRuntime, env: Record<string, string | undefined> = process.env): TablestoreConnection {
  const instance = settings.instance ?? env.TABLESTORE_INSTANCE;
  if (!instance) throw new Error('tablestore store: no instance: set state.instance in router.yaml or the TABLESTORE_INSTANCE variable');
  const endpoint = settings.endpoint ?? (env.TABLESTORE_ENDPOINT || (env.FC_REGION ? publicEndpoint(instance, env.FC_REGION) : undefined));
  if (!endpoint) throw new Error('tablestore store: no endpoint: set state.endpoint in router.yaml or the TABLESTORE_ENDPOINT variable');
  if (!/^https?:\/\//.test(endpoint)) throw new Error(`tablestore store: endpoint ${JSON.stringify(endpoint)} must start with https:// or http://`);
  return {
    endpoint: endpoint.replace(/\/+$/, ''),
    instance,
    table: settings.table ?? (env.TABLESTORE_TABLE || DEFAULT_TABLESTORE_TABLE),
    timeoutMs: settings.timeoutMs ?? DEFAULT_STORE_TIMEOUT_MS,
    credentials: () => runtime.alibabaCredentials?.() ?? envCredentials(env),
  };
}

/**
 * Variables the SDK assigns without declaring them (`for (pro in ...)` in its conditions,
 * `for (key in ...)` in every primary key, `for (sub in ...)`, `size = ...`,
 * `cell_type = ...`). Sloppy-mode code makes them globals; an esbuild bundle of this
 * project is strict ("use strict" from tsconfig's strict, evanw/esbuild#3882), where each
 * such assignment throws a ReferenceError. Declaring them first gives the SDK the globals
 * that sloppy mode would have created.
 */
export const SDK_UNDECLARED_GLOBALS = ['pro', 'key', 'sub', 'size', 'cell_type'] as const;

function declareSdkGlobals(): void {
  for (const name of SDK_UNDECLARED_GLOBALS) {
    if (!(name in globalThis)) Object.defineProperty(globalThis, name, { value: undefined, writable: true, configurable: true });
  }
}

const tablestoreStore: StoreType<TablestoreSettings> = {
  kind: 'tablestore',
  // Signed with FC's role credentials (context.credentials); a Lambda function has none.
  runsOn: ['alibaba'],
  sdk: ['tablestore'],
  async create(settings, runtime) {
    const connection = tablestoreConnection(settings, runtime);
    // @ts-expect-error -- the tablestore SDK ships no type declarations; TablestoreSdk types what we use.
    const module = (await import('tablestore')) as { default?: TablestoreSdk } & TablestoreSdk;
    declareSdkGlobals();
    return new TablestoreStore(module.default ?? module, connection);
  },
};

export default tablestoreStore;
