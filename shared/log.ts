// Structured logging, one JSON object per line, with secret redaction.
// Every value resolved from a secret reference in router.yaml is registered here at load
// time; every log line and every error detail passes through redact() before it leaves.

const secrets = new Set<string>();
const REDACTED = '[REDACTED]';

/** Registers a secret value so that it never appears in logs, errors or reports. */
export function registerSecret(value: string): void {
  // Very short values would redact innocent text; config loading refuses them anyway.
  if (value.length >= 4) secrets.add(value);
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

export function createLogger(base: Record<string, unknown> = {}): Logger {
  const write = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[level] < ORDER[threshold]) return;
    const record = { level, time: new Date().toISOString(), msg, ...base, ...fields };
    sink(redact(JSON.stringify(record, errorReplacer)));
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child: (fields) => createLogger({ ...base, ...fields }),
  };
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message };
  return value;
}
