// The project's hashes: identities too long or too odd for a service's field (a correlation
// id, an SNS group id, a store key) become the SHA-256 of their UTF-8 bytes, and request
// signatures are HMACs. node:crypto (about ten of Node's modules) is loaded on the first
// use, not at import: a function start whose path hashes and signs nothing (the default
// config on an event that carries its id, an unsigned webhook) does not pay for it, and it
// pays more where the platform's node flags cost Node the code cache of its own modules.
// Only what every Node 20 has: FC's nodejs20 does not say which 20.x it runs, and
// process.getBuiltinModule (20.16) and crypto.hash (20.12) came late in that line.
import type * as Crypto from 'node:crypto';

let crypto: typeof Crypto | undefined;

function loadCrypto(): typeof Crypto {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a deferred load, on purpose
  return (crypto ??= require('node:crypto') as typeof Crypto);
}

/** SHA-256 of `data` (text as UTF-8) as 64 lowercase hex digits. */
export function sha256Hex(data: string | Buffer): string {
  const c = loadCrypto();
  // The one-shot hash where Node has it: no Hash object, less than half the cost.
  return typeof c.hash === 'function' ? c.hash('sha256', data, 'hex') : c.createHash('sha256').update(data).digest('hex');
}

/** The HMAC-SHA256 of `data` (UTF-8) under `key`, as bytes: a step of a derived signing key. */
export function hmacSha256(key: string | Buffer, data: string): Buffer {
  return loadCrypto().createHmac('sha256', key).update(data, 'utf8').digest();
}

/** The HMAC of `data` (UTF-8) under `key` with `algorithm`, in `encoding`. */
export function hmac(algorithm: 'sha1' | 'sha256', key: string, data: string, encoding: 'hex' | 'base64'): string {
  return loadCrypto().createHmac(algorithm, key).update(data, 'utf8').digest(encoding);
}
