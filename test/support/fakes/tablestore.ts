// A Tablestore (OTS) server on 127.0.0.1 for the real `tablestore` SDK. It speaks the
// service's protocol: POST /<Operation> with a protobuf body (the messages of the SDK's
// own .proto, compiled by protobufjs), rows in PlainBuffer (tablestore-plainbuffer.ts),
// requests authenticated by x-ots-signature = base64(HMAC-SHA1(secret,
// "/<Operation>\nPOST\n\n" + the sorted "name:value" x-ots-* headers + "\n")), the body by
// x-ots-contentmd5; answers carry x-ots-contentmd5, x-ots-requestid, x-ots-date,
// x-ots-contenttype and the service's response signature (authorization: OTS id:sig),
// errors a protobuf Error { code, message } with the service's HTTP status.
//
// It implements what the state adapter uses, as strictly as the service: CreateTable,
// DescribeTable, GetRow, PutRow, DeleteRow and GetRange; row existence expectations and
// column conditions (OTSConditionCheckFail, 403); the table's time to live (expired cells
// are invisible, to reads and to conditions); max versions; primary key schema and size
// limits; GetRange pages. Tests can advance its clock, deny operations (a RAM policy), and
// script faults: a service error, a request that never gets an answer, a garbled answer.
import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PlainBufferError, decodeRow, decodeVariant, encodeRows, type Cell, type Row, type Variant } from './tablestore-plainbuffer';

// @ts-expect-error -- the SDK's compiled protobufjs module ships no type declarations.
import * as compiled from 'tablestore/lib/protocol/tablestore_compiled_proto.js';

interface MessageType {
  decode(data: Uint8Array): Record<string, unknown>;
  encode(message: Record<string, unknown>): { finish(): Uint8Array };
  fromObject(object: Record<string, unknown>): Record<string, unknown>;
}
const protos = compiled as unknown as { main: { proto: Record<string, MessageType> }; filter: { proto: Record<string, MessageType> } };
const pb = protos.main.proto;
const filterPb = protos.filter.proto;

export const API_VERSION = '2015-12-31';
/** Primary key string and binary values: at most 1 KB. */
export const MAX_PK_VALUE_BYTES = 1024;
/** Attribute string and binary values: at most 2 MB. */
export const MAX_COLUMN_VALUE_BYTES = 2 * 1024 * 1024;
export const MAX_COLUMN_NAME_BYTES = 255;
export const MAX_COLUMNS_PER_ROW = 1024;
export const MAX_REQUEST_BYTES = 4 * 1024 * 1024;
/** A conditional write takes at most this many column conditions. */
export const MAX_COLUMN_CONDITIONS = 10;
/** GetRange answers at most this many rows (and 4 MB) per call, then a next start key. */
export const MAX_RANGE_ROWS = 5000;
/** x-ots-date may differ from the server's clock by at most this much. */
const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;
const MIN_TTL_SECONDS = 86400;

export interface TablestoreCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  /** When set, requests must carry it as x-ots-ststoken (temporary credentials). */
  securityToken?: string;
}

export interface PrimaryKeyColumn {
  name: string;
  type: 'STRING' | 'INTEGER' | 'BINARY';
}

export interface TableSpec {
  primaryKey: PrimaryKeyColumn[];
  /** Seconds, or -1 (never). */
  timeToLive: number;
  maxVersions: number;
}

export interface ServiceError {
  status: number;
  code: string;
  message: string;
}

/** A scripted answer to the next request: a service error, no answer at all, or a reply that is not what the SDK expects. */
export type Fault = ServiceError | 'hang' | 'garbage';

export interface HandledRequest {
  operation: string;
  status: number;
  /** The error code answered, when the status is not 200. */
  code?: string;
  /** PutRow / DeleteRow: the row existence expectation sent. */
  rowExistence?: 'IGNORE' | 'EXPECT_EXIST' | 'EXPECT_NOT_EXIST';
  /** PutRow / DeleteRow: a column condition was sent. */
  columnCondition?: boolean;
}

export interface TablestoreServerOptions {
  instance: string;
  credentials: TablestoreCredentials;
  /** Operations the caller may use (as a RAM policy's ots:Action list names them); all when absent. */
  allowedOperations?: readonly string[];
  /** Rows per GetRange page (the service's is 5000). */
  rangePageRows?: number;
}

interface StoredCell {
  value: Variant;
  timestamp: number;
}

interface StoredRow {
  primaryKey: Cell[];
  columns: Map<string, StoredCell>;
}

interface Table {
  name: string;
  spec: TableSpec;
  createdAt: number;
  rows: Map<string, StoredRow>;
}

class OtsError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const invalid = (message: string) => new OtsError(400, 'OTSParameterInvalid', message);
const EXISTENCE = ['IGNORE', 'EXPECT_EXIST', 'EXPECT_NOT_EXIST'] as const;

export class TablestoreServer {
  readonly handled: HandledRequest[] = [];
  private readonly tables = new Map<string, Table>();
  private readonly faults: Fault[] = [];
  private server = createServer((req, res) => this.receive(req, res));
  private port = 0;

  constructor(private readonly options: TablestoreServerOptions) {}

  /** `http://127.0.0.1:<port>`, what the SDK's `endpoint` takes. */
  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this.endpoint;
  }

  stop(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  /** The server's clock (epoch ms): x-ots-date, cell versions and TTL are measured on it. */
  now(): number {
    return Date.now();
  }

  /**
   * Makes every stored cell `ms` older, as if that much time had passed for the data (the
   * requests' x-ots-date stays checked against the real clock): cells older than the
   * table's time to live disappear.
   */
  age(ms: number): void {
    for (const table of this.tables.values()) {
      for (const row of table.rows.values()) for (const cell of row.columns.values()) cell.timestamp -= ms;
    }
  }

  /** The next requests get these answers, one each, in order. */
  failNext(...faults: Fault[]): void {
    this.faults.push(...faults);
  }

  /** Creates a table as the console or the IaC would. */
  createTable(name: string, spec: TableSpec): void {
    this.addTable(name, spec);
  }

  /** The live rows of a table, for assertions: primary key and column values. */
  rows(table: string): { primaryKey: Record<string, unknown>; columns: Record<string, unknown> }[] {
    const found = this.table(table);
    return [...found.rows.values()]
      .map((row) => ({ row, columns: this.visibleColumns(found, row) }))
      .filter(({ columns }) => columns.size > 0)
      .map(({ row, columns }) => ({
        primaryKey: Object.fromEntries(row.primaryKey.map((c) => [c.name, plain(c.value!)])),
        columns: Object.fromEntries([...columns].map(([name, cell]) => [name, plain(cell.value)])),
      }));
  }

  private receive(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_REQUEST_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      const operation = (req.url ?? '/').replace(/^\//, '').split('?')[0] ?? '';
      const record: HandledRequest = { operation, status: 200 };
      this.handled.push(record);
      const fault = this.faults.shift();
      if (fault === 'hang') return;
      if (fault === 'garbage') {
        // A 200 whose body is not the operation's message: what a broken proxy or a
        // truncated answer looks like to the SDK.
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<html><body>502 Bad Gateway</body></html>');
        return;
      }
      let body: Uint8Array;
      try {
        if (fault) throw new OtsError(fault.status, fault.code, fault.message);
        if (req.method !== 'POST') throw new OtsError(405, 'OTSMethodNotAllowed', 'OTSMethodNotAllowedOnly POST method for requests is supported.');
        if (size > MAX_REQUEST_BYTES) throw new OtsError(413, 'OTSRequestBodyTooLarge', 'The size of POST data is too large.');
        const data = Buffer.concat(chunks);
        this.authenticate(req, operation, data);
        if (this.options.allowedOperations && !this.options.allowedOperations.includes(operation)) {
          throw new OtsError(403, 'OTSNoPermissionAccess', 'You have no permission to access the requested resource, please contact the resource owner');
        }
        body = this.dispatch(operation, data, record);
      } catch (err) {
        const error =
          err instanceof OtsError
            ? err
            : err instanceof PlainBufferError
              ? invalid(err.message)
              : invalid(`Invalid request body: ${err instanceof Error ? err.message : String(err)}`);
        record.status = error.status;
        record.code = error.code;
        this.reply(res, error.status, operation, pb.Error!.encode({ code: error.code, message: error.message }).finish());
        return;
      }
      this.reply(res, 200, operation, body);
    });
  }

  private authenticate(req: IncomingMessage, operation: string, body: Buffer): void {
    const header = (name: string): string => {
      const value = req.headers[name];
      if (typeof value !== 'string' || value === '') throw invalid(`Missing header: ${name}.`);
      return value;
    };
    const date = header('x-ots-date');
    const apiVersion = header('x-ots-apiversion');
    const accessKeyId = header('x-ots-accesskeyid');
    const instance = header('x-ots-instancename');
    const md5 = header('x-ots-contentmd5');
    const signature = header('x-ots-signature');
    const when = Date.parse(date);
    if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(date) || Number.isNaN(when)) throw invalid(`Invalid date format: ${date}.`);
    if (Math.abs(when - this.now()) > MAX_CLOCK_SKEW_MS) throw new OtsError(403, 'OTSAuthFailed', `Mismatch between system time and x-ots-date: ${date}.`);
    if (apiVersion !== API_VERSION) throw invalid(`Unsupported API version: ${apiVersion}.`);
    const { credentials } = this.options;
    if (accessKeyId !== credentials.accessKeyId) throw new OtsError(403, 'OTSAuthFailed', 'The AccessKeyID does not exist.');
    if (credentials.securityToken !== undefined && req.headers['x-ots-ststoken'] !== credentials.securityToken) {
      throw new OtsError(403, 'OTSAuthFailed', 'The security token you provided is invalid.');
    }
    if (instance !== this.options.instance) throw new OtsError(403, 'OTSAuthFailed', 'The instance is not found.');
    if (createHash('md5').update(body).digest('base64') !== md5) {
      throw new OtsError(403, 'OTSAuthFailed', 'Mismatch between MD5 value of request body and x-ots-contentmd5 in header.');
    }
    const expected = sign(credentials.accessKeySecret, `/${operation}\nPOST\n\n${canonicalHeaders(req.headers)}\n`);
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, Buffer.from(expected))) {
      throw new OtsError(403, 'OTSAuthFailed', 'Signature mismatch.');
    }
  }

  private reply(res: ServerResponse, status: number, operation: string, body: Uint8Array): void {
    const headers: Record<string, string> = {
      'x-ots-contentmd5': createHash('md5').update(body).digest('base64'),
      'x-ots-requestid': randomUUID(),
      'x-ots-date': new Date(this.now()).toISOString(),
      'x-ots-contenttype': 'protocol buffer',
    };
    const { accessKeyId, accessKeySecret } = this.options.credentials;
    headers.authorization = `OTS ${accessKeyId}:${sign(accessKeySecret, `${canonicalHeaders(headers)}\n/${operation}`)}`;
    res.writeHead(status, { ...headers, 'content-type': 'application/x-protobuf', 'content-length': String(body.length) });
    res.end(Buffer.from(body));
  }

  private dispatch(operation: string, data: Buffer, record: HandledRequest): Uint8Array {
    const decode = (type: string) => pb[type]!.decode(data);
    const encode = (type: string, message: Record<string, unknown>) => pb[type]!.encode(pb[type]!.fromObject(message)).finish();
    switch (operation) {
      case 'CreateTable':
        this.createTableRequest(decode('CreateTableRequest'));
        return encode('CreateTableResponse', {});
      case 'DescribeTable':
        return encode('DescribeTableResponse', this.describe(decode('DescribeTableRequest')));
      case 'GetRow':
        return encode('GetRowResponse', this.getRow(decode('GetRowRequest')));
      case 'PutRow':
        return encode('PutRowResponse', this.putRow(decode('PutRowRequest'), record));
      case 'DeleteRow':
        return encode('DeleteRowResponse', this.deleteRow(decode('DeleteRowRequest'), record));
      case 'GetRange':
        return encode('GetRangeResponse', this.getRange(decode('GetRangeRequest')));
      default:
        throw invalid(`Unsupported operation: ${operation}.`);
    }
  }

  // --- tables ------------------------------------------------------------------------

  private addTable(name: string, spec: TableSpec): void {
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,254}$/.test(name)) throw invalid(`Invalid table name: '${name}'.`);
    if (this.tables.has(name)) throw new OtsError(409, 'OTSObjectAlreadyExist', 'Requested table already exists.');
    if (spec.primaryKey.length < 1 || spec.primaryKey.length > 4) throw invalid('The number of primary key columns must be in range: [1, 4].');
    if (spec.timeToLive !== -1 && spec.timeToLive < MIN_TTL_SECONDS) throw invalid(`TimeToLive must be -1 or at least ${MIN_TTL_SECONDS} seconds.`);
    if (!Number.isInteger(spec.maxVersions) || spec.maxVersions < 1) throw invalid('MaxVersions must be at least 1.');
    this.tables.set(name, { name, spec, createdAt: this.now(), rows: new Map() });
  }

  private table(name: unknown): Table {
    const table = typeof name === 'string' ? this.tables.get(name) : undefined;
    if (!table) throw new OtsError(404, 'OTSObjectNotExist', 'Requested table does not exist.');
    return table;
  }

  private createTableRequest(request: Record<string, unknown>): void {
    const meta = request.tableMeta as { tableName: string; primaryKey: { name: string; type: number; option?: number }[] };
    const options = (request.tableOptions ?? {}) as Record<string, unknown>;
    const types: Record<number, PrimaryKeyColumn['type']> = { 1: 'INTEGER', 2: 'STRING', 3: 'BINARY' };
    this.addTable(meta.tableName, {
      primaryKey: meta.primaryKey.map((column) => {
        const type = types[column.type];
        if (!type) throw invalid(`Invalid primary key type of column '${column.name}'.`);
        return { name: column.name, type };
      }),
      timeToLive: has(options, 'timeToLive') ? (options.timeToLive as number) : -1,
      maxVersions: has(options, 'maxVersions') ? (options.maxVersions as number) : 1,
    });
  }

  private describe(request: Record<string, unknown>): Record<string, unknown> {
    const table = this.table(request.tableName);
    const typeNumber = { INTEGER: 1, STRING: 2, BINARY: 3 } as const;
    return {
      tableMeta: { tableName: table.name, primaryKey: table.spec.primaryKey.map((c) => ({ name: c.name, type: typeNumber[c.type] })) },
      reservedThroughputDetails: { capacityUnit: { read: 0, write: 0 }, lastIncreaseTime: Math.floor(table.createdAt / 1000) },
      tableOptions: { timeToLive: table.spec.timeToLive, maxVersions: table.spec.maxVersions, deviationCellVersionInSec: 86400 },
      tableStatus: 1,
    };
  }

  // --- rows --------------------------------------------------------------------------

  /** The primary key of a request, checked against the table's schema; its storage key. */
  private primaryKey(table: Table, cells: Cell[], range = false): { key: string; cells: Cell[] } {
    const schema = table.spec.primaryKey;
    if (cells.length !== schema.length) throw invalid('Validate PK size fail. Input: ' + cells.length + ', Meta: ' + schema.length + '.');
    cells.forEach((cell, i) => {
      const column = schema[i]!;
      if (cell.name !== column.name) throw invalid(`Validate PK name fail. Input: ${cell.name}, Meta: ${column.name}.`);
      const value = cell.value;
      if (!value) throw invalid(`The value of primary key column '${cell.name}' is missing.`);
      if (range && (value.type === 'inf-min' || value.type === 'inf-max')) return;
      const expected = { STRING: 'string', INTEGER: 'integer', BINARY: 'binary' }[column.type];
      if (value.type !== expected) throw invalid(`Validate PK type fail. Input: ${value.type}, Meta: ${column.type}.`);
      const size = value.type === 'string' ? Buffer.byteLength(value.value) : value.type === 'binary' ? value.value.length : 0;
      if (size > MAX_PK_VALUE_BYTES) {
        throw invalid(`The length of primary key column: '${cell.name}' exceeds the MaxLength:${MAX_PK_VALUE_BYTES} with CurrentLength:${size}.`);
      }
    });
    return { key: cells.map((c) => variantKey(c.value!)).join('\u0000'), cells };
  }

  /** The row's cells that are within the table's time to live. */
  private visibleColumns(table: Table, row: StoredRow): Map<string, StoredCell> {
    const ttl = table.spec.timeToLive;
    if (ttl === -1) return row.columns;
    const oldest = this.now() - ttl * 1000;
    return new Map([...row.columns].filter(([, cell]) => cell.timestamp > oldest));
  }

  /** The row as the service sees it now: absent when it has no visible cell. */
  private liveRow(table: Table, key: string): { row: StoredRow; columns: Map<string, StoredCell> } | undefined {
    const row = table.rows.get(key);
    if (!row) return undefined;
    const columns = this.visibleColumns(table, row);
    if (columns.size === 0) {
      table.rows.delete(key);
      return undefined;
    }
    return { row, columns };
  }

  private checkCondition(condition: Record<string, unknown> | undefined, live: Map<string, StoredCell> | undefined, record: HandledRequest): void {
    if (!condition) throw invalid('Condition is required.');
    const existence = EXISTENCE[condition.rowExistence as number];
    if (!existence) throw invalid('Invalid row existence expectation.');
    record.rowExistence = existence;
    const columnCondition = condition.columnCondition as Uint8Array | undefined;
    record.columnCondition = columnCondition !== undefined && columnCondition.length > 0;
    if (existence === 'EXPECT_EXIST' && !live) throw new OtsError(403, 'OTSConditionCheckFail', 'Condition check failed.');
    if (existence === 'EXPECT_NOT_EXIST' && live) throw new OtsError(403, 'OTSConditionCheckFail', 'Condition check failed.');
    if (record.columnCondition) {
      const parsed = parseFilter(Buffer.from(columnCondition!));
      if (countConditions(parsed) > MAX_COLUMN_CONDITIONS) throw invalid(`The number of column conditions exceeds the limit: ${MAX_COLUMN_CONDITIONS}.`);
      if (!evaluate(parsed, live ?? new Map())) throw new OtsError(403, 'OTSConditionCheckFail', 'Condition check failed.');
    }
  }

  private getRow(request: Record<string, unknown>): Record<string, unknown> {
    const table = this.table(request.tableName);
    if (!has(request, 'maxVersions') && !has(request, 'timeRange')) throw invalid('Neither max versions nor time range is specified.');
    const pk = decodeRow(Buffer.from(request.primaryKey as Uint8Array));
    const { key } = this.primaryKey(table, pk.primaryKey);
    const live = this.liveRow(table, key);
    const wanted = (request.columnsToGet as string[] | undefined) ?? [];
    if (!live) return { consumed: capacity(1, 0), row: Buffer.alloc(0) };
    const attributes = [...live.columns]
      .filter(([name]) => wanted.length === 0 || wanted.includes(name))
      .map(([name, cell]) => ({ name, value: cell.value, timestamp: cell.timestamp }));
    const row = encodeRows([{ primaryKey: live.row.primaryKey, attributes }]);
    return { consumed: capacity(units(row.length), 0), row };
  }

  private putRow(request: Record<string, unknown>, record: HandledRequest): Record<string, unknown> {
    const table = this.table(request.tableName);
    const row = decodeRow(Buffer.from(request.row as Uint8Array));
    if (row.deleteMarker) throw invalid('PutRow does not take a delete marker.');
    const { key, cells } = this.primaryKey(table, row.primaryKey);
    this.checkAttributes(row);
    const live = this.liveRow(table, key);
    this.checkCondition(request.condition as Record<string, unknown> | undefined, live?.columns, record);
    const now = this.now();
    const columns = new Map<string, StoredCell>();
    for (const cell of row.attributes) columns.set(cell.name, { value: cell.value!, timestamp: cell.timestamp ?? now });
    table.rows.set(key, { primaryKey: cells, columns });
    const size = Buffer.byteLength(key) + row.attributes.reduce((sum, c) => sum + Buffer.byteLength(c.name) + variantSize(c.value!), 0);
    return { consumed: capacity(record.columnCondition ? 1 : 0, units(size)) };
  }

  private deleteRow(request: Record<string, unknown>, record: HandledRequest): Record<string, unknown> {
    const table = this.table(request.tableName);
    const row = decodeRow(Buffer.from(request.primaryKey as Uint8Array));
    if (!row.deleteMarker) throw invalid('DeleteRow needs a delete marker.');
    const { key } = this.primaryKey(table, row.primaryKey);
    const live = this.liveRow(table, key);
    this.checkCondition(request.condition as Record<string, unknown> | undefined, live?.columns, record);
    table.rows.delete(key);
    return { consumed: capacity(record.columnCondition ? 1 : 0, 1) };
  }

  private getRange(request: Record<string, unknown>): Record<string, unknown> {
    const table = this.table(request.tableName);
    if (!has(request, 'maxVersions') && !has(request, 'timeRange')) throw invalid('Neither max versions nor time range is specified.');
    const limit = has(request, 'limit') ? (request.limit as number) : undefined;
    if (limit !== undefined && (limit <= 0 || limit > MAX_RANGE_ROWS)) throw invalid(`The limit must be in range (0, ${MAX_RANGE_ROWS}].`);
    const start = this.primaryKey(table, decodeRow(Buffer.from(request.inclusiveStartPrimaryKey as Uint8Array)).primaryKey, true).cells;
    const end = this.primaryKey(table, decodeRow(Buffer.from(request.exclusiveEndPrimaryKey as Uint8Array)).primaryKey, true).cells;
    const backward = request.direction === 1;
    const order = comparePrimaryKeys(start, end);
    if ((!backward && order > 0) || (backward && order < 0)) throw invalid('The start primary key must be before the end primary key in the direction of the range.');

    const inRange = (pk: Cell[]) =>
      backward ? comparePrimaryKeys(pk, start) <= 0 && comparePrimaryKeys(pk, end) > 0 : comparePrimaryKeys(pk, start) >= 0 && comparePrimaryKeys(pk, end) < 0;
    const candidates = [...table.rows.keys()]
      .map((key) => ({ key, live: this.liveRow(table, key) }))
      .filter((r): r is { key: string; live: { row: StoredRow; columns: Map<string, StoredCell> } } => r.live !== undefined && inRange(r.live.row.primaryKey))
      .sort((a, b) => comparePrimaryKeys(a.live.row.primaryKey, b.live.row.primaryKey) * (backward ? -1 : 1));

    const pageRows = Math.min(limit ?? MAX_RANGE_ROWS, this.options.rangePageRows ?? MAX_RANGE_ROWS);
    const wanted = (request.columnsToGet as string[] | undefined) ?? [];
    const page: { primaryKey: Cell[]; attributes: Cell[] }[] = [];
    let bytes = 0;
    let next: Cell[] | undefined;
    for (const { live } of candidates) {
      if (page.length >= pageRows || bytes >= MAX_REQUEST_BYTES) {
        next = live.row.primaryKey;
        break;
      }
      const attributes = [...live.columns]
        .filter(([name]) => wanted.length === 0 || wanted.includes(name))
        .map(([name, cell]) => ({ name, value: cell.value, timestamp: cell.timestamp }));
      page.push({ primaryKey: live.row.primaryKey, attributes });
      bytes += encodeRows([{ primaryKey: live.row.primaryKey, attributes }]).length;
    }
    const rows = encodeRows(page);
    return {
      consumed: capacity(Math.max(1, units(rows.length)), 0),
      rows,
      ...(next ? { nextStartPrimaryKey: encodeRows([{ primaryKey: next, attributes: [] }]) } : {}),
    };
  }

  private checkAttributes(row: Row): void {
    if (row.attributes.length > MAX_COLUMNS_PER_ROW) throw new OtsError(400, 'OTSOutOfColumnCountLimit', 'The number of columns from the request exceeds the limit.');
    const seen = new Set<string>();
    const deviation = 86400 * 1000;
    for (const cell of row.attributes) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(cell.name) || Buffer.byteLength(cell.name) > MAX_COLUMN_NAME_BYTES) throw invalid(`Invalid column name: '${cell.name}'.`);
      if (seen.has(cell.name)) throw invalid(`Duplicated attribute column ${cell.name}.`);
      seen.add(cell.name);
      if (cell.op !== undefined) throw invalid('PutRow cells take no operation type.');
      if (!cell.value) throw invalid(`The value of column '${cell.name}' is missing.`);
      if (['inf-min', 'inf-max', 'auto-increment'].includes(cell.value.type)) throw invalid(`Invalid value type of column '${cell.name}'.`);
      const size = variantSize(cell.value);
      if (size > MAX_COLUMN_VALUE_BYTES) {
        throw invalid(`The length of attribute column: '${cell.name}' exceeds the MaxLength:${MAX_COLUMN_VALUE_BYTES} with CurrentLength:${size}.`);
      }
      if (cell.timestamp !== undefined && Math.abs(cell.timestamp - this.now()) > deviation) {
        throw invalid(`The timestamp of column '${cell.name}' is out of the allowed deviation from the current time.`);
      }
    }
  }
}

export async function startTablestoreServer(options: TablestoreServerOptions): Promise<TablestoreServer> {
  const server = new TablestoreServer(options);
  await server.start();
  return server;
}

/** The message carries the field (protobufjs puts the defaults of absent optional fields on the prototype). */
const has = (message: Record<string, unknown>, field: string) => Object.hasOwn(message, field);

function sign(secret: string, text: string): string {
  return createHmac('sha1', secret).update(text).digest('base64');
}

function canonicalHeaders(headers: Record<string, string | string[] | undefined>): string {
  return Object.entries(headers)
    .filter(([name]) => /^x-ots-/i.test(name) && name.toLowerCase() !== 'x-ots-signature')
    .map(([name, value]) => `${name.toLowerCase()}:${String(value).trim()}`)
    .sort()
    .join('\n');
}

function capacity(read: number, write: number): Record<string, unknown> {
  return { capacityUnit: { read, write } };
}

/** Capacity units: one per started 4 KB. */
const units = (bytes: number) => Math.max(1, Math.ceil(bytes / 4096));

function variantSize(value: Variant): number {
  switch (value.type) {
    case 'string':
      return Buffer.byteLength(value.value);
    case 'binary':
      return value.value.length;
    case 'boolean':
      return 1;
    default:
      return 8;
  }
}

function variantKey(value: Variant): string {
  switch (value.type) {
    case 'string':
      return `s${value.value}`;
    case 'binary':
      return `b${value.value.toString('hex')}`;
    case 'integer':
      return `i${value.value}`;
    default:
      return value.type;
  }
}

function plain(value: Variant): unknown {
  switch (value.type) {
    case 'integer':
      return Number(value.value);
    case 'string':
    case 'double':
    case 'boolean':
    case 'binary':
      return value.value;
    default:
      return value.type;
  }
}

/** Orders two values of a column; undefined when they cannot be compared (different types). */
function compareVariants(a: Variant, b: Variant): number | undefined {
  if (a.type === 'inf-min' || b.type === 'inf-max') return a.type === b.type ? 0 : -1;
  if (a.type === 'inf-max' || b.type === 'inf-min') return 1;
  if (a.type !== b.type) return undefined;
  switch (a.type) {
    case 'integer':
      return a.value === (b as typeof a).value ? 0 : a.value < (b as typeof a).value ? -1 : 1;
    case 'double':
      return Math.sign(a.value - (b as typeof a).value);
    case 'boolean':
      return Number(a.value) - Number((b as typeof a).value);
    case 'string':
      return Buffer.compare(Buffer.from(a.value), Buffer.from((b as typeof a).value));
    case 'binary':
      return Buffer.compare(a.value, (b as typeof a).value);
    default:
      return undefined;
  }
}

function comparePrimaryKeys(a: Cell[], b: Cell[]): number {
  for (let i = 0; i < a.length; i += 1) {
    const order = compareVariants(a[i]!.value!, b[i]!.value!) ?? 0;
    if (order !== 0) return order;
  }
  return 0;
}

// --- column conditions (filter.proto) ------------------------------------------------

type Condition =
  | { kind: 'single'; comparator: number; column: string; value: Variant; filterIfMissing: boolean; latestVersionOnly: boolean }
  | { kind: 'composite'; combinator: number; subs: Condition[] };

function parseFilter(data: Buffer): Condition {
  return parseFilterMessage(filterPb.Filter!.decode(data) as { type: number; filter: Uint8Array });
}

function parseFilterMessage(filter: { type: number; filter: Uint8Array }): Condition {
  if (filter.type === 1) {
    const single = filterPb.SingleColumnValueFilter!.decode(filter.filter) as {
      comparator: number;
      columnName: string;
      columnValue: Uint8Array;
      filterIfMissing: boolean;
      latestVersionOnly: boolean;
    };
    if (single.comparator < 1 || single.comparator > 6) throw invalid('Invalid comparator type.');
    return {
      kind: 'single',
      comparator: single.comparator,
      column: single.columnName,
      value: decodeVariant(Buffer.from(single.columnValue)),
      filterIfMissing: single.filterIfMissing,
      latestVersionOnly: single.latestVersionOnly,
    };
  }
  if (filter.type === 2) {
    const composite = filterPb.CompositeColumnValueFilter!.decode(filter.filter) as { combinator: number; subFilters: { type: number; filter: Uint8Array }[] };
    const subs = composite.subFilters.map(parseFilterMessage);
    if (composite.combinator === 1 && subs.length !== 1) throw invalid('NOT takes exactly one sub condition.');
    if ((composite.combinator === 2 || composite.combinator === 3) && subs.length < 2) throw invalid('AND and OR take at least two sub conditions.');
    if (composite.combinator < 1 || composite.combinator > 3) throw invalid('Invalid logical operator.');
    return { kind: 'composite', combinator: composite.combinator, subs };
  }
  throw invalid('A column condition must be a single or a composite column value condition.');
}

function countConditions(condition: Condition): number {
  return condition.kind === 'single' ? 1 : condition.subs.reduce((sum, sub) => sum + countConditions(sub), 0);
}

function evaluate(condition: Condition, columns: Map<string, StoredCell>): boolean {
  if (condition.kind === 'composite') {
    if (condition.combinator === 1) return !evaluate(condition.subs[0]!, columns);
    return condition.combinator === 2 ? condition.subs.every((sub) => evaluate(sub, columns)) : condition.subs.some((sub) => evaluate(sub, columns));
  }
  const cell = columns.get(condition.column);
  if (!cell) return !condition.filterIfMissing;
  // A value of another type than the column's never satisfies a comparison.
  const order = compareVariants(cell.value, condition.value);
  if (order === undefined) return false;
  switch (condition.comparator) {
    case 1:
      return order === 0;
    case 2:
      return order !== 0;
    case 3:
      return order > 0;
    case 4:
      return order >= 0;
    case 5:
      return order < 0;
    default:
      return order <= 0;
  }
}
