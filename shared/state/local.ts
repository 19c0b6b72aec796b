// The embedded local store: one JSON file per record under a directory, so that the quick
// start, `invoke` and tests show the whole behaviour without a cloud account. Pure
// node:fs, no native addon. Safe for several processes on one machine:
// - a read never sees a half-written record: writes go to a temporary file, then rename()
//   replaces the record atomically;
// - a conditional write holds the record's lock file (created with O_EXCL, so exactly one
//   process has it) while it reads, compares and renames. A lock left by a process that
//   died is broken after LOCK_STALE_MS (a lock is normally held for a few file operations).
// Expired records are treated as absent and deleted when list() meets them.
// The file operations are synchronous: each is a few microseconds on a local disk, where a
// thread-pool round trip costs more than the operation (an event makes about forty of them,
// several ms of a cold start); a lock held by another process is still waited for without
// blocking.
import { sha256Hex } from '../hash';
import { closeSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  checkKey,
  SPACES,
  StoreLimitError,
  isLive,
  serializedValue,
  type PutRequest,
  type PutResult,
  type Space,
  type StateStore,
  type StoreType,
  type StoredRecord,
} from './contract';
import { uniqueToken } from './guard';
import { DEFAULT_LOCAL_PATH, type LocalSettings } from './settings';

/** A lock older than this belongs to a process that died holding it. */
export const LOCK_STALE_MS = 10_000;
/** How long put() waits for a lock held by another process before giving up. */
const LOCK_WAIT_MS = 2_000;

interface FileRecord {
  key: string;
  version: number;
  expiresAt: number;
  value: unknown;
}

export class LocalStore implements StateStore {
  readonly kind = 'local';
  private readonly made = new Set<Space>();

  constructor(readonly directory: string) {}

  // eslint-disable-next-line @typescript-eslint/require-await -- async so that a bad key or a read error rejects, as with the other stores, rather than throws
  async get<T>(space: Space, key: string, now: number): Promise<StoredRecord<T> | undefined> {
    checkKey('local', key);
    const record = this.read(this.file(space, key));
    return record && isLive(record.expiresAt, now) ? (record as StoredRecord<T>) : undefined;
  }

  async put<T>(request: PutRequest<T>): Promise<PutResult> {
    const { space, key, expect, expiresAt, now } = request;
    checkKey('local', key);
    const text = serializedValue('local', request);
    this.dir(space);
    const file = this.file(space, key);
    const release = await lock(`${file}.lock`);
    try {
      const current = this.read(file);
      const live = current && isLive(current.expiresAt, now) ? current : undefined;
      let version: number;
      if ('absent' in expect) {
        if (live) return { written: false };
        version = 1;
      } else {
        if (!live || live.version !== expect.version) return { written: false };
        version = expect.version + 1;
      }
      const record: FileRecord = { key, version, expiresAt, value: JSON.parse(text) };
      const temporary = `${file}.${uniqueToken()}.tmp`;
      writeFileSync(temporary, JSON.stringify(record));
      renameSync(temporary, file);
      return { written: true, version };
    } finally {
      release();
    }
  }

  async list<T>(space: Space, now: number): Promise<StoredRecord<T>[]> {
    let names: string[];
    try {
      names = readdirSync(join(this.directory, space));
    } catch (err) {
      if (code(err) === 'ENOENT') return [];
      throw storeError(err);
    }
    const out: StoredRecord<T>[] = [];
    for (const name of names.filter((n) => n.endsWith('.json'))) {
      const file = join(this.directory, space, name);
      const record = this.read(file);
      if (!record) continue;
      if (isLive(record.expiresAt, now)) out.push(record as StoredRecord<T>);
      else await this.removeExpired(file, now);
    }
    return out;
  }

  private file(space: Space, key: string): string {
    if (!SPACES.includes(space)) throw new StoreLimitError(`local store: unknown space ${JSON.stringify(space)}`);
    return join(this.directory, space, `${fileName(key)}.json`);
  }

  private dir(space: Space): void {
    if (this.made.has(space)) return;
    try {
      mkdirSync(join(this.directory, space), { recursive: true });
    } catch (err) {
      throw storeError(err);
    }
    this.made.add(space);
  }

  private read(file: string): FileRecord | undefined {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      if (code(err) === 'ENOENT') return undefined;
      throw storeError(err);
    }
    try {
      return JSON.parse(text) as FileRecord;
    } catch {
      throw new Error(`local store: ${file} is not a valid record`);
    }
  }

  /** Deletes an expired record under its lock, unless it was rewritten meanwhile. */
  private async removeExpired(file: string, now: number): Promise<void> {
    const release = await lock(`${file}.lock`);
    try {
      const record = this.read(file);
      if (record && !isLive(record.expiresAt, now)) removeQuietly(file);
    } finally {
      release();
    }
  }
}


/** Takes the lock file (O_EXCL) and returns its release. */
/** Longest encoded key used as a file name as it is: with the lock, temporary and stale suffixes it stays under the 255 bytes of a file name. */
const MAX_PLAIN_NAME = 160;

/**
 * A record's file name. Keys are arbitrary text (event ids, ARNs, console URLs); the name is
 * `k` and the key with every byte outside a-z 0-9 . - _ written `~xx` (so names differ on a
 * case-insensitive disk too), or `h` and the key's SHA-256 when that is too long. Both are
 * one-to-one, and a short key costs no hash (node:crypto stays unloaded at a function start).
 */
export function fileName(key: string): string {
  let name = 'k';
  for (const byte of Buffer.from(key, 'utf8')) {
    const plain = (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x30 && byte <= 0x39) || byte === 0x2e || byte === 0x2d || byte === 0x5f;
    name += plain ? String.fromCharCode(byte) : `~${byte.toString(16).padStart(2, '0')}`;
    if (name.length > MAX_PLAIN_NAME) return `h${sha256Hex(key)}`;
  }
  return name;
}

async function lock(path: string): Promise<() => void> {
  const started = Date.now();
  for (let wait = 1; ; wait = Math.min(wait * 2, 20)) {
    try {
      closeSync(openSync(path, 'wx'));
      return () => {
        removeQuietly(path);
      };
    } catch (err) {
      if (code(err) !== 'EEXIST') throw storeError(err);
    }
    breakIfStale(path);
    if (Date.now() - started > LOCK_WAIT_MS) throw new Error(`local store: ${path} is held by another process`);
    await new Promise((done) => setTimeout(done, wait));
  }
}

function breakIfStale(path: string): void {
  try {
    const { mtimeMs } = statSync(path);
    if (Date.now() - mtimeMs < LOCK_STALE_MS) return;
    // rename() first: of several processes breaking the same lock, only one succeeds.
    const aside = `${path}.${uniqueToken()}.stale`;
    renameSync(path, aside);
    unlinkSync(aside);
  } catch (err) {
    if (code(err) !== 'ENOENT') throw storeError(err);
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone, or not ours to remove: either way nothing is left to do.
  }
}

function code(err: unknown): unknown {
  return (err as { code?: unknown } | null)?.code;
}

function storeError(err: unknown): Error {
  return new Error(`local store: ${err instanceof Error ? err.message : String(err)}`);
}

const localStore: StoreType<LocalSettings> = {
  kind: 'local',
  create(settings, runtime) {
    return new LocalStore(resolve(runtime.dataDir, settings.path ?? DEFAULT_LOCAL_PATH));
  },
};

export default localStore;
