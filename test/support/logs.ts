// Captures the JSON log lines the code under test writes (shared/log.ts).
import { setLogSink, stdoutSink } from '../../shared/log';

export function captureLogs(): { lines: string[]; records: () => Record<string, unknown>[]; restore: () => void } {
  const lines: string[] = [];
  setLogSink((line) => lines.push(line));
  return {
    lines,
    records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
    restore: () => setLogSink(stdoutSink),
  };
}
