// The store contract: what every state store adapter (embedded local files, DynamoDB,
// Tablestore) implements. It is deliberately small: versioned records under a string key,
// read, listed, and written only by a conditional write. Everything the router builds on
// it (the delivery ledger's leases, the alert state's optimistic concurrency, TTLs) lives
// once in shared/state/ledger.ts and alert-state.ts, so that the three adapters cannot
// disagree about what a lease or a stale event is: they only have to agree on this file.
//
// Semantics every adapter MUST enforce (test/state/contract.ts checks them on each one):
//
// 1. Records. A record is (space, key) -> { version, expiresAt, value }. `space` separates
//    the two kinds of record ('ledger': one per (event id, target); 'alerts': one per
//    dedupKey); an adapter may keep them in one table (DynamoDB: partition key
//    `${space}#${key}`) or two. `key` is a string of at most MAX_KEY_BYTES UTF-8 bytes
//    (callers hash longer identities, see storeKey()). `value` is a JSON object that
//    serializes to at most MAX_VALUE_BYTES; the adapter stores it as given and returns a
//    structurally equal object.
//
// 2. Expiry. `expiresAt` is epoch SECONDS (DynamoDB's TTL attribute format). A record is
//    LIVE at `now` (epoch ms) when expiresAt * 1000 > now, EXPIRED otherwise. An expired
//    record is treated exactly as an absent one by get(), list() and put()'s conditions,
//    whether or not the platform's TTL has deleted it yet (DynamoDB deletes up to days
//    late; the local store deletes lazily).
//
// 3. Conditional write. put() writes only if its expectation holds, atomically with the
//    check (DynamoDB ConditionExpression, Tablestore row existence + column condition,
//    the local store a per-record lock):
//      { absent: true }     -> holds iff no LIVE record exists under (space, key);
//                              the record written has version 1.
//      { version: n }       -> holds iff a LIVE record exists with version === n;
//                              the record written has version n + 1.
//    Of any number of concurrent put()s with the same expectation on one record, at most
//    one is written. A write replaces the whole record (value and expiresAt).
//    The result is { written: true, version } or { written: false } (the condition
//    failed); a failed condition is an answer, never an exception.
//
// 4. Failure. Anything else (network, throttling, permissions, a missing table) rejects
//    with an Error whose message names the store and the problem and never contains a
//    credential. Callers bound every call with a timeout and fail open (deliver anyway);
//    an adapter retries no more than once, and only what cannot have been applied
//    (dynamodb.ts; the Tablestore SDK retries a read once, never a write).
//
// 5. Listing. list(space, now) returns the live records of a space, any order. It is
//    for the command line (the alerts the store holds), never on the delivery path, so a
//    scan is acceptable.

import type { CloudPermissions } from '../permissions';

export type Space = 'ledger' | 'alerts';

export const SPACES: readonly Space[] = ['ledger', 'alerts'];

/** Longest key an adapter must accept (Tablestore primary key columns take at most 1 KB). */
export const MAX_KEY_BYTES = 512;

/** Largest serialized value an adapter must accept (well below DynamoDB's 400 KB items). */
export const MAX_VALUE_BYTES = 64 * 1024;

export interface StoredRecord<T = unknown> {
  key: string;
  version: number;
  /** Epoch seconds; the record is expired from expiresAt * 1000 on. */
  expiresAt: number;
  value: T;
}

export type Expectation = { absent: true } | { version: number };

export interface PutRequest<T = unknown> {
  space: Space;
  key: string;
  value: T;
  expect: Expectation;
  /** Epoch seconds. */
  expiresAt: number;
  /** Epoch ms: the time the expectation is evaluated at (whether a record is live). */
  now: number;
}

export type PutResult = { written: true; version: number } | { written: false };

export interface StateStore {
  /** The store kind as named in router.yaml (`local`, `dynamodb`, `tablestore`). */
  readonly kind: string;
  /** The live record, or undefined when there is none (absent or expired at `now`). */
  get<T = unknown>(space: Space, key: string, now: number): Promise<StoredRecord<T> | undefined>;
  put<T = unknown>(request: PutRequest<T>): Promise<PutResult>;
  list<T = unknown>(space: Space, now: number): Promise<StoredRecord<T>[]>;
  /** Releases connections and handles; the store is not used afterwards. */
  close?(): Promise<void>;
}

/** What a store adapter gets when it is created. */
export interface StoreRuntime {
  /** Base directory for relative paths (ROUTER_DATA_DIR, else the current directory). */
  dataDir: string;
  /**
   * Alibaba Cloud credentials, read at every call: on FC 3.0 the function's temporary
   * credentials rotate (context.credentials). Without it the Tablestore store reads the
   * ALIBABA_CLOUD_* variables, which FC 3.0 also sets from the function's role.
   */
  alibabaCredentials?: () => { accessKeyId: string; accessKeySecret: string; securityToken?: string } | undefined;
}

/**
 * One module per store kind under shared/state/, registered in registry.ts. `create` runs
 * once per cold start and is the only place that may import an SDK, with a dynamic import().
 * Its settings were validated by the kind's schema (shared/state/settings.ts).
 */
export interface StoreType<S = unknown> {
  kind: string;
  /** npm packages that create() imports: the build keeps them out of bundles that use another store. */
  sdk?: readonly string[];
  /**
   * Cloud permissions the functions need on the store's resources, added to their role by the
   * build. Tablestore declares none: its grant comes with the stack that creates its table
   * (deploy/alibaba/tablestore.yaml), whose instance router.yaml does not name.
   */
  permissions?: CloudPermissions;
  /**
   * The clouds whose functions can use the store: those whose role's credentials its calls
   * are signed with. Elsewhere every call fails for want of credentials and every event goes
   * out without the ledger, so the build refuses to deploy the store there. Absent: any cloud.
   */
  runsOn?: readonly (keyof CloudPermissions)[];
  create(settings: S, runtime: StoreRuntime): StateStore | Promise<StateStore>;
}

/** Thrown by adapters for a value or key outside the limits above (a caller bug). */
export class StoreLimitError extends Error {
  override name = 'StoreLimitError';
}

/** Refuses a key outside the contract's limits; `store` names the adapter in the message. */
export function checkKey(store: string, key: string): void {
  if (key.length === 0 || Buffer.byteLength(key) > MAX_KEY_BYTES) {
    throw new StoreLimitError(`${store} store: a key must be 1 to ${MAX_KEY_BYTES} bytes`);
  }
}

/** The value of a put as JSON text, refused when it is over MAX_VALUE_BYTES. */
export function serializedValue(store: string, request: Pick<PutRequest, 'space' | 'key' | 'value'>): string {
  const text = JSON.stringify(request.value);
  if (Buffer.byteLength(text) > MAX_VALUE_BYTES) {
    throw new StoreLimitError(`${store} store: value of ${request.space}/${request.key} is over ${MAX_VALUE_BYTES} bytes`);
  }
  return text;
}

/** The record is live at `now` (epoch ms). */
export function isLive(expiresAt: number, now: number): boolean {
  return expiresAt * 1000 > now;
}
