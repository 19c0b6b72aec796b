// What every use of a store shares: a bound on each call (a slow store never holds an
// alert back) and keys that fit every adapter.
import { sha256Hex } from '../hash';
import { MAX_KEY_BYTES } from './contract';

/** How the ledger and the alert book use their store. */
export interface StoreUseOptions {
  /** Bound of each store call, in ms. */
  timeoutMs: number;
  /** How long a record is kept after its last write, in seconds. */
  ttlSeconds: number;
  now?: () => number;
}

export class StoreTimeoutError extends Error {
  override name = 'StoreTimeoutError';
}

/** The call's result, or a StoreTimeoutError after `ms` (the late result is dropped). */
export function withTimeout<T>(call: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new StoreTimeoutError(`${what} did not answer within ${ms} ms`));
    }, ms);
  });
  // A call that fails after the timeout must not become an unhandled rejection.
  call.catch(() => undefined);
  return Promise.race([call, timedOut]).finally(() => {
    clearTimeout(timer);
  });
}

let issued = 0;

/**
 * A token no other invocation holds (a lease's owner, a temporary file's name): time, process,
 * a counter and 104 random bits. It identifies, it protects nothing, so Math.random serves
 * and no function start loads node:crypto for it.
 */
export function uniqueToken(): string {
  issued += 1;
  const random = () => Math.floor(Math.random() * 2 ** 52).toString(36);
  return `${Date.now().toString(36)}.${process.pid.toString(36)}.${issued.toString(36)}.${random()}${random()}`;
}

/** The identity itself while it fits MAX_KEY_BYTES, else `sha256:<hex>` of it. */
export function storeKey(identity: string): string {
  if (identity.length > 0 && Buffer.byteLength(identity, 'utf8') <= MAX_KEY_BYTES) return identity;
  return `sha256:${sha256Hex(identity)}`;
}
