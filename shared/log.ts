// Structured logging, one JSON object per line, with secret redaction.
// Every value resolved from a secret reference in router.yaml is registered here at load
// time; every log line and every error detail passes through redact() before it leaves.

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

/**
 * The forms a secret takes on the wire and in what servers echo back: as is, percent-encoded
 * (component, URI, form with `+`), JSON-escaped, base64 and base64url; and for a secret that
 * is a URL (Slack and Lark webhooks, DingTalk and WeCom with their tokens), its token-like
 * path segments, query values and userinfo, each in those forms too.
 */
export function secretForms(value: string): string[] {
  const parts = [value];
  if (/^https?:\/\//i.test(value) && URL.canParse(value)) {
    const url = new URL(value);
    for (const segment of url.pathname.split('/')) if (tokenLike(decoded(segment))) parts.push(decoded(segment));
    for (const [, item] of url.searchParams) if (tokenLike(item)) parts.push(item);
    if (url.password) parts.push(decoded(url.password));
  }
  const forms = new Set<string>();
  for (const part of parts) {
    const component = encodeURIComponent(part);
    for (const form of [
      part,
      component,
      component.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase()),
      component.replace(/%20/g, '+'),
      encodeURI(part),
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

let sink: LogSink = (line) => process.stdout.write(line + '\n');
let threshold: LogLevel = (process.env.LOG_LEVEL as LogLevel) in ORDER ? (process.env.LOG_LEVEL as LogLevel) : 'info';

/** Redirects log output (the CLI sends it to stderr or silences it; tests capture it). */
export function setLogSink(next: LogSink): void {
  sink = next;
}

export function setLogLevel(level: LogLevel): void {
  threshold = level;
}

/**
 * One object per logger, its methods on the prototype: a child logger (one per delivery and
 * per attempt) costs one allocation, and a line below the level costs a comparison.
 */
class JsonLogger implements Logger {
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
    const record = { level, time: new Date().toISOString(), msg, ...withErrors(this.base), ...withErrors(fields) };
    sink(redact(JSON.stringify(record)));
  }
}

export function createLogger(base: Record<string, unknown> = {}): Logger {
  return new JsonLogger(base);
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
