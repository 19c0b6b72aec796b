// The ARMS sample events of events/alibaba and events/invalid/alibaba, read from disk so
// that the tests run on exactly the files the CLI and the handlers are shown.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const VALID_DIR = join(__dirname, '../../events/alibaba');
export const INVALID_DIR = join(__dirname, '../../events/invalid/alibaba');

export type RawEvent = Record<string, unknown>;

export function jsonFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort();
}

export function readJson(dir: string, file: string): unknown {
  return JSON.parse(readFileSync(join(dir, file), 'utf8'));
}

/** A sample file as CloudEvents: a batch file (FC 3.0 with batching on) is an array of them. */
export function eventsOf(file: string): RawEvent[] {
  const content = readJson(VALID_DIR, file);
  return (Array.isArray(content) ? content : [content]) as RawEvent[];
}

/** Every valid sample event, labelled `file` or `file[i]` for an element of a batch. */
export function allValidEvents(): { label: string; event: RawEvent }[] {
  return jsonFiles(VALID_DIR).flatMap((file) => {
    const content = readJson(VALID_DIR, file);
    if (!Array.isArray(content)) return [{ label: file, event: content as RawEvent }];
    return (content as RawEvent[]).map((event, i) => ({ label: `${file}[${i}]`, event }));
  });
}

/** One sample event that is a single CloudEvent, as a fresh copy the test may change. */
export function sample(file: string): RawEvent {
  const [event, ...rest] = eventsOf(file);
  if (!event || rest.length > 0) throw new Error(`${file} is not a single event`);
  return structuredClone(event);
}

/** The `i`th event of a batch file, as a fresh copy. */
export function batchElement(file: string, i: number): RawEvent {
  const event = eventsOf(file)[i];
  if (!event) throw new Error(`${file} has no element ${i}`);
  return structuredClone(event);
}

/** `event.data.data` of a sample, for tests that change the Alertmanager payload. */
export function group(event: RawEvent): RawEvent {
  return (event.data as RawEvent).data as RawEvent;
}
