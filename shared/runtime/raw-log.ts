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
  } catch (error) {
    try {
      // Nested deeper than JSON.stringify's recursion goes (thousands of levels): the same text, built without recursing.
      if (error instanceof RangeError) return deepJson(raw);
    } catch {
      // A cycle: fall through.
    }
    // A cycle or a BigInt: say what it is.
    return Object.prototype.toString.call(raw);
  }
}

type Container = Record<string, unknown> | unknown[];
/** The types of values JSON has no text for. */
const NO_JSON_TEXT = new Set(['undefined', 'function', 'symbol']);

/**
 * The JSON text of a parsed event, as JSON.stringify writes it, with a stack of its own
 * instead of recursion. Throws on a cycle.
 */
export function deepJson(root: unknown): string {
  const parts: string[] = [];
  const stack: { value: Container; keys: string[] | undefined; index: number }[] = [];
  const open = new Set<Container>();
  const write = (value: unknown): void => {
    if (value === null || typeof value !== 'object') {
      // undefined, a function or a symbol (in an array): no JSON text, JSON writes null.
      parts.push(NO_JSON_TEXT.has(typeof value) ? 'null' : JSON.stringify(value));
      return;
    }
    const container = value as Container;
    if (open.has(container)) throw new TypeError('a cycle');
    open.add(container);
    // JSON leaves out of an object what it has no text for (in an array it writes null).
    const keys = Array.isArray(container) ? undefined : Object.keys(container).filter((key) => !NO_JSON_TEXT.has(typeof container[key]));
    parts.push(keys ? '{' : '[');
    stack.push({ value: container, keys, index: 0 });
  };
  write(root);
  for (let top = stack.at(-1); top; top = stack.at(-1)) {
    const length = top.keys ? top.keys.length : (top.value as unknown[]).length;
    if (top.index >= length) {
      parts.push(top.keys ? '}' : ']');
      open.delete(top.value);
      stack.pop();
      continue;
    }
    if (top.index > 0) parts.push(',');
    const index = top.index++;
    const key = top.keys?.[index];
    if (key !== undefined) {
      parts.push(`${JSON.stringify(key)}:`);
      write((top.value as Record<string, unknown>)[key]);
    } else {
      write((top.value as unknown[])[index]);
    }
  }
  return parts.join('');
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
