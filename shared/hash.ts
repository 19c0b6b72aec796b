// The one hash of the project: identities too long or too odd for a service's field (a
// correlation id, an SNS group id, a store key) become the SHA-256 of their UTF-8 bytes.
import { createHash } from 'node:crypto';

/** SHA-256 of `data` (text as UTF-8) as 64 lowercase hex digits. */
export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
