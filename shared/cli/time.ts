// The instant a time-dependent command judges at (--at): silences, time intervals.
import { UsageError } from './command';

/** An RFC 3339 time with a zone, for --at; a usage error otherwise. */
export function parseTime(text: string): Date {
  const valid = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:\d{2})$/.test(text);
  const at = new Date(valid ? text : NaN);
  if (Number.isNaN(at.getTime())) throw new UsageError(`--at: expected an RFC 3339 time with a zone like 2026-12-05T03:00:00Z, got ${text}`);
  return at;
}
