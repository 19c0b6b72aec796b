// Structured logging, one JSON object per line, with secret redaction.
// Every value resolved from a secret reference in router.yaml is registered here at load
// time; every log line and every error detail passes through redact() before it leaves.
import { writeSync } from 'node:fs';

/** Every form of every registered secret, longest first (a whole URL before its token segment). */
let secrets: string[] = [];
const REDACTED = '[REDACTED]';

/** A path segment or query value that is a credential rather than a word (`services`, `hook`...). */
function tokenLike(text: string): boolean {
  return text.length >= 16 || (text.length >= 8 && /\d/.test(text) && /[A-Za-z]/.test(text));
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** encodeURIComponent's percent-encoding, with the characters of `also` (which it leaves as they are) encoded too. */
function percentEncoded(text: string, also: RegExp): string {
  return encodeURIComponent(text).replace(also, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * The query part of a URL made of `text`, as the URL parser encodes it (a `'` becomes %27);
 * the text itself when it cannot be one, or holds a `#` (the parser would keep only what is
 * before it: a prefix, perhaps a common word, must not be redacted everywhere).
 */
function urlQueryEncoded(text: string): string {
  return !text.includes('#') && URL.canParse(`http://h/?${text}`) ? new URL(`http://h/?${text}`).search.slice(1) : text;
}

/**
 * The forms a secret takes on the wire and in what servers echo back: as is, and with the
 * blanks at its ends trimmed (servers trim header values); percent-encoded as
 * encodeURIComponent, encodeURI, RFC 3986, a form (URLSearchParams: `+` for a space, `~ ! ' ( )`
 * encoded) and the URL parser's query encoding do it, in upper- and lower-case hex;
 * JSON-escaped, base64 and base64url. For a secret that is a URL (Slack and Lark webhooks,
 * DingTalk and WeCom with their tokens), its token-like path segments (as written and
 * decoded), query values and userinfo (its password, and `user:password` as Basic
 * authentication encodes it), each in those forms too.
 */
export function secretForms(value: string): string[] {
  const parts = new Set([value, value.trim()]);
  if (/^https?:\/\//i.test(value) && URL.canParse(value)) {
    const url = new URL(value);
    for (const segment of url.pathname.split('/')) {
      if (tokenLike(decoded(segment))) parts.add(decoded(segment)).add(segment);
    }
    for (const [, item] of url.searchParams) if (tokenLike(item)) parts.add(item);
    if (url.password) parts.add(decoded(url.password)).add(`${decoded(url.username)}:${decoded(url.password)}`);
  }
  const forms = new Set<string>();
  for (const part of parts) {
    const percent = [
      encodeURIComponent(part),
      encodeURIComponent(part).replace(/%20/g, '+'),
      encodeURI(part),
      percentEncoded(part, /[!'()*]/g),
      new URLSearchParams({ s: part }).toString().slice(2),
      urlQueryEncoded(part),
    ];
    for (const form of [
      part,
      ...percent,
      ...percent.map((text) => text.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase())),
      JSON.stringify(part).slice(1, -1),
      Buffer.from(part, 'utf8').toString('base64'),
      Buffer.from(part, 'utf8').toString('base64url'),
    ]) {
      if (form.length >= 4) forms.add(form);
    }
  }
  return [...forms];
}

/** Registers a secret value so that it never appears in logs, errors or reports, in any of its forms. */
export function registerSecret(value: string): void {
  // Very short values would redact innocent text; config loading refuses them anyway.
  if (value.length < 4) return;
  const known = new Set(secrets);
  for (const form of secretForms(value)) known.add(form);
  secrets = [...known].sort((a, b) => b.length - a.length);
}

/**
 * For credentials read at every call (and rotated now and then): a function that registers
 * their secret parts with registerSecret when they differ from the last ones it saw, and
 * hands the credentials back. A server or proxy that echoes a request (the token travels in
 * a header) must not get them into a delivery's detail, an error or a log line.
 */
export function secretsGuard<T>(secretsOf: (credentials: T) => (string | undefined)[]): (credentials: T) => T {
  let last: (string | undefined)[] = [];
  return (credentials) => {
    const current = secretsOf(credentials);
    if (current.length !== last.length || current.some((value, i) => value !== last[i])) {
      for (const value of current) if (value) registerSecret(value);
      last = current;
    }
    return credentials;
  };
}

export function redact(text: string): string {
  let out = text;
  for (const secret of secrets) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  return out;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export type LogSink = (line: string) => void;

/** Set once a write to file descriptor 1 came short: from then on every line goes through process.stdout. */
let viaStream = false;

/**
 * The platforms' log pipelines read stdout: one line, one synchronous write(2) on file
 * descriptor 1. Not through process.stdout: reading it builds its stream (node:stream, and
 * node:net for a pipe), about 2 ms of a function start, and its Writable costs about half a
 * microsecond a line. A pipe that a stream opened on it left non-blocking can refuse the
 * write (EAGAIN) or take part of it: the rest of the line, and every line after it, then go
 * through process.stdout, which queues them in order (and reports what else goes wrong).
 */
export const stdoutSink: LogSink = (line) => {
  const text = `${line}\n`;
  if (!viaStream) {
    let written = 0;
    try {
      written = writeSync(1, text);
    } catch {
      // Nothing of the line went out: process.stdout writes it, or says why it cannot.
    }
    if (written === Buffer.byteLength(text)) return;
    viaStream = true;
    process.stdout.write(written === 0 ? text : Buffer.from(text).subarray(written));
    return;
  }
  process.stdout.write(text);
};

let sink: LogSink = stdoutSink;
let threshold: LogLevel = (process.env.LOG_LEVEL as LogLevel) in ORDER ? (process.env.LOG_LEVEL as LogLevel) : 'info';

/** Redirects log output (the CLI sends it to stderr or silences it; tests capture it). */
export function setLogSink(next: LogSink): void {
  sink = next;
}

export function setLogLevel(level: LogLevel): void {
  threshold = level;
}

/** Whether lines of this level are written now: a caller skips building what a dropped line would carry. */
export function isLogged(level: LogLevel): boolean {
  return ORDER[level] >= ORDER[threshold];
}

/** What a line of each level starts with, as one piece (writeSync flattens the line's pieces one by one). */
const LINE_START: Record<LogLevel, string> = {
  debug: '{"level":"debug","time":"',
  info: '{"level":"info","time":"',
  warn: '{"level":"warn","time":"',
  error: '{"level":"error","time":"',
};

/** The keys every line starts with: a field of the same name replaces one of them in place. */
const LINE_KEYS = new Set(['level', 'time', 'msg']);

/**
 * One object per logger, its methods on the prototype: a child logger (one per delivery and
 * per attempt) costs one allocation, and a line below the level costs a comparison. A line
 * is written as text, not as an object handed to JSON.stringify: the logger's own fields are
 * serialized once, on its first line, and each field of the line after them (a field that
 * shares a name with the line's keys or the logger's takes the object path, which writes it
 * in place of the other, as a spread does).
 */
class JsonLogger implements Logger {
  /** `,"key":value` of each of the logger's fields; null until the first line, false when a field shares a line key's name. */
  private baseText: string | false | null = null;

  constructor(private readonly base: Record<string, unknown>) {}

  debug(msg: string, fields?: Record<string, unknown>): void {
    if (ORDER.debug >= ORDER[threshold]) this.write('debug', msg, fields);
  }

  info(msg: string, fields?: Record<string, unknown>): void {
    if (ORDER.info >= ORDER[threshold]) this.write('info', msg, fields);
  }

  warn(msg: string, fields?: Record<string, unknown>): void {
    if (ORDER.warn >= ORDER[threshold]) this.write('warn', msg, fields);
  }

  error(msg: string, fields?: Record<string, unknown>): void {
    if (ORDER.error >= ORDER[threshold]) this.write('error', msg, fields);
  }

  child(fields: Record<string, unknown>): Logger {
    return new JsonLogger({ ...this.base, ...fields });
  }

  private write(level: LogLevel, msg: string, fields?: Record<string, unknown>): void {
    this.baseText ??= Object.keys(this.base).some((key) => LINE_KEYS.has(key)) ? false : fieldsText(this.base);
    const text = this.baseText !== false && !sharesAKey(fields, this.base) ? this.baseText + fieldsText(fields) : false;
    const line =
      text === false
        ? JSON.stringify({ level, time: isoNow(), msg, ...withErrors(this.base), ...withErrors(fields) })
        : `${LINE_START[level]}${isoNow()}","msg":${JSON.stringify(msg)}${text}}`;
    // A line of one character a byte needs this many to pass the limit: most never measure.
    sink(redact(line.length > MAX_LINE_BYTES / 4 && Buffer.byteLength(line) > MAX_LINE_BYTES ? cutLine(level, msg, { ...withErrors(this.base), ...withErrors(fields) }) : line));
  }
}

/**
 * CloudWatch Logs keeps at most 256 KB of a log event (SLS about as much): a longer line is
 * cut, its JSON broken and what came last lost, the raw event of a refused one among it.
 */
export const MAX_LINE_BYTES = 250_000;
/** What a long string keeps in a line that was too long. */
const CUT_STRING_CHARS = 2048;

/**
 * The line again with every string over CUT_STRING_CHARS cut (a huge alarm name or id, an
 * error quoting a huge value), except the raw event's text, which raw-log.ts has already
 * bounded: the line stays one valid JSON object, and the raw event stays in it.
 */
function cutLine(level: LogLevel, msg: string, fields: Record<string, unknown>): string {
  return JSON.stringify({ level, time: isoNow(), msg, cut: `strings over ${CUT_STRING_CHARS} characters cut to fit a log line`, ...fields }, function (this: unknown, key, value: unknown) {
    const rawEventText = key === 'text' && typeof (this as { sha256?: unknown }).sha256 === 'string';
    return typeof value === 'string' && value.length > CUT_STRING_CHARS && !rawEventText ? `${value.slice(0, CUT_STRING_CHARS)}… (${value.length} characters)` : value;
  });
}

/** Whether a field of the line has the name of a line key or of a logger field. */
function sharesAKey(fields: Record<string, unknown> | undefined, base: Record<string, unknown>): boolean {
  for (const key in fields) if (LINE_KEYS.has(key) || Object.hasOwn(base, key)) return true;
  return false;
}

/** `,"key":value` for each own field JSON writes (undefined, functions and symbols it leaves out), an Error as its name and message. */
function fieldsText(fields: Record<string, unknown> | undefined): string {
  let text = '';
  for (const key in fields) {
    if (!Object.hasOwn(fields, key)) continue;
    const value = fields[key];
    const json = JSON.stringify(value instanceof Error ? { name: value.name, message: value.message } : value) as string | undefined;
    if (json !== undefined) text += `,${JSON.stringify(key)}:${json}`;
  }
  return text;
}

/** The second of the last line's time, and its time as text without the milliseconds. */
let isoSecond = Number.NaN;
let isoPrefix = '';

/** new Date().toISOString(), but the date and time of day formatted once a second (half a microsecond a line otherwise). */
function isoNow(): string {
  const now = Date.now();
  const ms = now % 1000;
  if (now - ms !== isoSecond) {
    isoSecond = now - ms;
    isoPrefix = new Date(isoSecond).toISOString().slice(0, -4);
  }
  return `${isoPrefix}${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z`;
}

export function createLogger(base: Record<string, unknown> = {}): Logger {
  // A copy: the fields are serialized on the first line, later changes to `base` would not show.
  return new JsonLogger({ ...base });
}

/**
 * Fields with each Error value as its name and message (JSON.stringify writes an Error as
 * `{}`). Only the fields themselves are looked at, not what they hold: a replacer function
 * would be called for every key of every report, the larger part of a log line's cost.
 */
function withErrors(fields: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!fields) return fields;
  let out: Record<string, unknown> | undefined;
  for (const key in fields) {
    const value = fields[key];
    if (value instanceof Error) (out ??= { ...fields })[key] = { name: value.name, message: value.message };
  }
  return out ?? fields;
}
