// Tablestore's PlainBuffer row format, read and written for the local Tablestore server
// (tablestore.ts), written from the format's documentation rather than from the SDK's code,
// so that the server checks what the real SDK sends instead of agreeing with it by
// construction. Every cell and row carries a CRC-8 (polynomial 0x07) that is verified.
//
//   buffer = header(int32 0x75) row+
//   row    = TAG_ROW_PK cell* [TAG_ROW_DATA cell*] [TAG_DELETE_ROW_MARKER] TAG_ROW_CHECKSUM crc8
//   cell   = TAG_CELL TAG_CELL_NAME len name [TAG_CELL_VALUE len type data]
//            [TAG_CELL_TYPE op] [TAG_CELL_TIMESTAMP int64] TAG_CELL_CHECKSUM crc8

export const HEADER = 0x75;
const TAG = {
  ROW_PK: 0x1,
  ROW_DATA: 0x2,
  CELL: 0x3,
  CELL_NAME: 0x4,
  CELL_VALUE: 0x5,
  CELL_TYPE: 0x6,
  CELL_TIMESTAMP: 0x7,
  DELETE_ROW_MARKER: 0x8,
  ROW_CHECKSUM: 0x9,
  CELL_CHECKSUM: 0xa,
} as const;

const VT = { INTEGER: 0x0, DOUBLE: 0x1, BOOLEAN: 0x2, STRING: 0x3, BLOB: 0x7, INF_MIN: 0x9, INF_MAX: 0xa, AUTO_INCREMENT: 0xb } as const;

/** Cell operations of UpdateRow (a PutRow cell has none). */
export const CELL_OP = { DELETE_ALL_VERSION: 0x1, DELETE_ONE_VERSION: 0x3, INCREMENT: 0x4 } as const;

export type Variant =
  | { type: 'integer'; value: bigint }
  | { type: 'double'; value: number }
  | { type: 'boolean'; value: boolean }
  | { type: 'string'; value: string }
  | { type: 'binary'; value: Buffer }
  | { type: 'inf-min' }
  | { type: 'inf-max' }
  | { type: 'auto-increment' };

export interface Cell {
  name: string;
  value?: Variant;
  op?: number;
  timestamp?: number;
}

export interface Row {
  primaryKey: Cell[];
  attributes: Cell[];
  deleteMarker: boolean;
}

/** A malformed buffer: the service answers OTSParameterInvalid. */
export class PlainBufferError extends Error {}

const CRC_TABLE = (() => {
  const table = new Uint8Array(256);
  for (let i = 0; i < 256; i += 1) {
    let crc = i;
    for (let bit = 0; bit < 8; bit += 1) crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
    table[i] = crc;
  }
  return table;
})();

function crc(value: number, bytes: Uint8Array): number {
  let out = value;
  for (const byte of bytes) out = CRC_TABLE[(out ^ byte) & 0xff]!;
  return out;
}

const byte = (value: number) => Uint8Array.of(value & 0xff);
const int32 = (value: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32LE(value);
  return b;
};
const int64 = (value: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(value);
  return b;
};
const double = (value: number) => {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(value);
  return b;
};

/** The value's type byte and data, as inside TAG_CELL_VALUE after the length (and as a condition's column value). */
export function encodeVariant(value: Variant): Buffer {
  switch (value.type) {
    case 'integer':
      return Buffer.concat([byte(VT.INTEGER), int64(value.value)]);
    case 'double':
      return Buffer.concat([byte(VT.DOUBLE), double(value.value)]);
    case 'boolean':
      return Buffer.concat([byte(VT.BOOLEAN), byte(value.value ? 1 : 0)]);
    case 'string': {
      const data = Buffer.from(value.value, 'utf8');
      return Buffer.concat([byte(VT.STRING), int32(data.length), data]);
    }
    case 'binary':
      return Buffer.concat([byte(VT.BLOB), int32(value.value.length), value.value]);
    case 'inf-min':
      return Buffer.from(byte(VT.INF_MIN));
    case 'inf-max':
      return Buffer.from(byte(VT.INF_MAX));
    case 'auto-increment':
      return Buffer.from(byte(VT.AUTO_INCREMENT));
  }
}

class Reader {
  private pos = 0;
  constructor(private readonly buffer: Buffer) {}

  get atEnd(): boolean {
    return this.pos >= this.buffer.length;
  }
  private need(size: number): void {
    if (this.pos + size > this.buffer.length) throw new PlainBufferError('PlainBuffer ends early');
  }
  peek(): number | undefined {
    return this.buffer[this.pos];
  }
  u8(): number {
    this.need(1);
    return this.buffer[this.pos++]!;
  }
  expect(tag: number, what: string): void {
    const got = this.u8();
    if (got !== tag) throw new PlainBufferError(`PlainBuffer: expected ${what} (tag ${tag}), got tag ${got}`);
  }
  i32(): number {
    this.need(4);
    const value = this.buffer.readInt32LE(this.pos);
    this.pos += 4;
    return value;
  }
  bytes(size: number): Buffer {
    if (size < 0) throw new PlainBufferError('PlainBuffer: negative length');
    this.need(size);
    const out = this.buffer.subarray(this.pos, this.pos + size);
    this.pos += size;
    return out;
  }
}

/** Reads one variant (type byte and data) of exactly `size` bytes. */
function readVariant(reader: Reader, size: number): Variant {
  const type = reader.u8();
  const rest = size - 1;
  const fixed = (expected: number) => {
    if (rest !== expected) throw new PlainBufferError(`PlainBuffer: value of type ${type} has length ${size}`);
  };
  switch (type) {
    case VT.INTEGER:
      fixed(8);
      return { type: 'integer', value: reader.bytes(8).readBigInt64LE() };
    case VT.DOUBLE:
      fixed(8);
      return { type: 'double', value: reader.bytes(8).readDoubleLE() };
    case VT.BOOLEAN:
      fixed(1);
      return { type: 'boolean', value: reader.u8() !== 0 };
    case VT.STRING:
    case VT.BLOB: {
      const length = reader.i32();
      if (length !== rest - 4) throw new PlainBufferError(`PlainBuffer: value length ${size} does not match its data length ${length}`);
      const data = Buffer.from(reader.bytes(length));
      if (type === VT.BLOB) return { type: 'binary', value: data };
      const text = data.toString('utf8');
      if (!Buffer.from(text, 'utf8').equals(data)) throw new PlainBufferError('PlainBuffer: a string value is not valid UTF-8');
      return { type: 'string', value: text };
    }
    case VT.INF_MIN:
      fixed(0);
      return { type: 'inf-min' };
    case VT.INF_MAX:
      fixed(0);
      return { type: 'inf-max' };
    case VT.AUTO_INCREMENT:
      fixed(0);
      return { type: 'auto-increment' };
    default:
      throw new PlainBufferError(`PlainBuffer: unknown value type ${type}`);
  }
}

/** A condition's column value: one variant, no length prefix, nothing after it. */
export function decodeVariant(data: Buffer): Variant {
  const reader = new Reader(data);
  const value = readVariant(reader, data.length);
  if (!reader.atEnd) throw new PlainBufferError('PlainBuffer: bytes after the value');
  return value;
}

function readCell(reader: Reader): { cell: Cell; checksum: number } {
  reader.expect(TAG.CELL, 'TAG_CELL');
  reader.expect(TAG.CELL_NAME, 'TAG_CELL_NAME');
  const nameBytes = reader.bytes(reader.i32());
  const name = nameBytes.toString('utf8');
  let sum = crc(0, nameBytes);
  const cell: Cell = { name };
  if (reader.peek() === TAG.CELL_VALUE) {
    reader.u8();
    const size = reader.i32();
    if (size < 1) throw new PlainBufferError('PlainBuffer: empty cell value');
    cell.value = readVariant(reader, size);
    sum = crc(sum, encodeVariant(cell.value));
  }
  if (reader.peek() === TAG.CELL_TYPE) {
    reader.u8();
    cell.op = reader.u8();
  }
  if (reader.peek() === TAG.CELL_TIMESTAMP) {
    reader.u8();
    const ts = reader.bytes(8);
    cell.timestamp = Number(ts.readBigInt64LE());
    sum = crc(sum, ts);
  }
  if (cell.op !== undefined) sum = crc(sum, byte(cell.op));
  reader.expect(TAG.CELL_CHECKSUM, 'TAG_CELL_CHECKSUM');
  const given = reader.u8();
  if (given !== sum) throw new PlainBufferError(`PlainBuffer: checksum mismatch in cell ${JSON.stringify(name)}`);
  return { cell, checksum: sum };
}

function readRowBody(reader: Reader): Row {
  const row: Row = { primaryKey: [], attributes: [], deleteMarker: false };
  let sum = 0;
  reader.expect(TAG.ROW_PK, 'TAG_ROW_PK');
  while (reader.peek() === TAG.CELL) {
    const { cell, checksum } = readCell(reader);
    row.primaryKey.push(cell);
    sum = crc(sum, byte(checksum));
  }
  if (reader.peek() === TAG.ROW_DATA) {
    reader.u8();
    while (reader.peek() === TAG.CELL) {
      const { cell, checksum } = readCell(reader);
      row.attributes.push(cell);
      sum = crc(sum, byte(checksum));
    }
  }
  if (reader.peek() === TAG.DELETE_ROW_MARKER) {
    reader.u8();
    row.deleteMarker = true;
  }
  sum = crc(sum, byte(row.deleteMarker ? 1 : 0));
  reader.expect(TAG.ROW_CHECKSUM, 'TAG_ROW_CHECKSUM');
  if (reader.u8() !== sum) throw new PlainBufferError('PlainBuffer: row checksum mismatch');
  return row;
}

/**
 * Exactly one row (a request's row or primary key). The SDK sizes the buffer of a primary
 * key holding INF_MIN / INF_MAX one byte too large and sends the zero byte left at its end,
 * which the service accepts: zero padding after the row is allowed, anything else is not.
 */
export function decodeRow(data: Buffer): Row {
  const reader = new Reader(data);
  if (reader.i32() !== HEADER) throw new PlainBufferError('PlainBuffer: bad header');
  const row = readRowBody(reader);
  while (!reader.atEnd) if (reader.u8() !== 0) throw new PlainBufferError('PlainBuffer: bytes after the row');
  return row;
}

function cellBytes(cell: Cell): { bytes: Buffer; checksum: number } {
  const name = Buffer.from(cell.name, 'utf8');
  const parts: Buffer[] = [Buffer.from([TAG.CELL, TAG.CELL_NAME]), int32(name.length), name];
  let sum = crc(0, name);
  if (cell.value) {
    const value = encodeVariant(cell.value);
    parts.push(Buffer.from([TAG.CELL_VALUE]), int32(value.length), value);
    sum = crc(sum, value);
  }
  if (cell.timestamp !== undefined) {
    const ts = int64(BigInt(cell.timestamp));
    parts.push(Buffer.from([TAG.CELL_TIMESTAMP]), ts);
    sum = crc(sum, ts);
  }
  parts.push(Buffer.from([TAG.CELL_CHECKSUM, sum]));
  return { bytes: Buffer.concat(parts), checksum: sum };
}

function rowBytes(row: { primaryKey: Cell[]; attributes: Cell[] }): Buffer {
  const parts: Buffer[] = [Buffer.from([TAG.ROW_PK])];
  let sum = 0;
  for (const cell of row.primaryKey) {
    const { bytes, checksum } = cellBytes(cell);
    parts.push(bytes);
    sum = crc(sum, byte(checksum));
  }
  if (row.attributes.length > 0) {
    parts.push(Buffer.from([TAG.ROW_DATA]));
    for (const cell of row.attributes) {
      const { bytes, checksum } = cellBytes(cell);
      parts.push(bytes);
      sum = crc(sum, byte(checksum));
    }
  }
  sum = crc(sum, byte(0));
  parts.push(Buffer.from([TAG.ROW_CHECKSUM, sum]));
  return Buffer.concat(parts);
}

/** Rows as a response carries them: one header, then each row. */
export function encodeRows(rows: { primaryKey: Cell[]; attributes: Cell[] }[]): Buffer {
  if (rows.length === 0) return Buffer.alloc(0);
  return Buffer.concat([int32(HEADER), ...rows.map(rowBytes)]);
}
