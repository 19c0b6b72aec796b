// The one hash of the project: identities too long or too odd for a service's field (a
// correlation id, an SNS group id, a store key) become the SHA-256 of their UTF-8 bytes.
// node:crypto is loaded on the first hash, not at import: loading it costs about 3 ms of CPU
// (it brings node:stream along), which a function start whose path hashes nothing (the
// default config on an event that carries its id) does not pay.
import type * as Crypto from 'node:crypto';

let crypto: typeof Crypto | undefined;

/** SHA-256 of `data` (text as UTF-8) as 64 lowercase hex digits. */
export function sha256Hex(data: string | Buffer): string {
  crypto ??= process.getBuiltinModule('node:crypto');
  // The one-shot hash: no Hash object, less than half the cost of createHash().
  return crypto.hash('sha256', data, 'hex');
}
