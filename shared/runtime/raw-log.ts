// A refused raw event in a log line: whole when it fits, else cut, with its size and a
// sha256 of the whole so that it can be matched with the copy the platform dead-letters.
// CloudWatch Logs takes at most 256 KB per log event; the rest of the line needs little.
import { sha256Hex } from '../hash';

/** Room for the event text in one log line, escaped. */
export const RAW_EVENT_LOG_BYTES = 200 * 1024;

export interface LoggedEvent {
  /** The event as JSON text, cut to fit when `truncated`. */
  text: string;
  bytes: number;
  sha256: string;
  truncated: boolean;
}

function asText(raw: unknown): string {
  if (Buffer.isBuffer(raw) || raw instanceof Uint8Array) return Buffer.from(raw).toString('utf8');
  if (typeof raw === 'string') return raw;
  try {
    // undefined and functions have no JSON text.
    const json = JSON.stringify(raw) as string | undefined;
    return json ?? String(raw);
  } catch {
    // Only decode-checked values reach here, so this is a cycle or a BigInt: say what it is.
    return Object.prototype.toString.call(raw);
  }
}

/** The bytes a string takes once JSON-escaped in the log line. */
function loggedBytes(text: string): number {
  return Buffer.byteLength(JSON.stringify(text), 'utf8');
}

export function rawEventForLog(raw: unknown, limit = RAW_EVENT_LOG_BYTES): LoggedEvent {
  const text = asText(raw);
  const bytes = Buffer.byteLength(text, 'utf8');
  const sha256 = sha256Hex(text);
  if (loggedBytes(text) <= limit) return { text, bytes, sha256, truncated: false };
  // The longest prefix whose escaped form fits (escaping can grow a character six-fold).
  let low = 0;
  let high = Math.min(text.length, limit);
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (loggedBytes(text.slice(0, mid)) <= limit) low = mid;
    else high = mid - 1;
  }
  return { text: text.slice(0, low), bytes, sha256, truncated: true };
}
