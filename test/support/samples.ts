// The sample events shipped in events/, read the way a user's tooling would read them.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export const ROOT = join(__dirname, '..', '..');

export interface Sample {
  /** Path relative to the repository root, e.g. events/aws/state-change-single-metric.json */
  file: string;
  /** The parsed file: one event, or an array of events (an FC batch). */
  value: unknown;
}

function walk(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? walk(path) : name.endsWith('.json') ? [path] : [];
    });
}

/** Every .json file below events/<folder> (recursively), parsed. */
export function samples(folder: string): Sample[] {
  return walk(join(ROOT, 'events', folder)).map((path) => ({
    file: relative(ROOT, path),
    value: JSON.parse(readFileSync(path, 'utf8')),
  }));
}

/** The events of a sample: its elements for a batch, else itself. */
export function eventsOf(sample: Sample): unknown[] {
  return Array.isArray(sample.value) ? sample.value : [sample.value];
}
