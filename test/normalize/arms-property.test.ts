// Property-style checks of normalizeArmsEvent over mutated sample events: whatever is
// deleted, nulled, retyped or garbled, the normalizer either returns an alert that passes
// the schema or refuses with a typed error (InvalidEventError naming the field it refused,
// UnsupportedEventError for another event type). Anything else (a TypeError, a RangeError
// of a date) is a crash the runtime must never see.
import { alertSchema } from '../../shared/model/alert';
import { InvalidEventError, UnsupportedEventError } from '../../shared/model/errors';
import { normalizeArmsEvent } from '../../shared/normalize/arms';
import { allValidEvents, type RawEvent } from './arms-samples';

type Key = string | number;
type Mutation = 'delete' | 'null' | 'retype' | 'garble';

const MUTATIONS: readonly Mutation[] = ['delete', 'null', 'retype', 'garble'];

/** Strings that are each valid somewhere in an ARMS event and wrong elsewhere, or are object keys. */
const GARBLED = [
  '',
  ' ',
  'pending',
  'resolved',
  '告警',
  '0001-01-01T00:00:00Z',
  '2022-06-07 17:22:01',
  'P9',
  'constructor',
  '__proto__',
  '\u0000',
];

/** Every path inside `value`, parents before children; the root itself excluded. */
function pathsOf(value: unknown, prefix: Key[] = []): Key[][] {
  if (typeof value !== 'object' || value === null) return [];
  const entries: [Key, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  return entries.flatMap(([key, child]) => [[...prefix, key], ...pathsOf(child, [...prefix, key])]);
}

/** A path as InvalidEventError names fields: `data.data.alerts[0].labels`. */
function render(path: Key[]): string {
  return path.reduce<string>((out, key) => {
    if (typeof key === 'number') return `${out}[${key}]`;
    return out ? `${out}.${key}` : key;
  }, '');
}

function retyped(value: unknown): unknown {
  if (typeof value === 'string') return 42;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (Array.isArray(value)) return {};
  if (value === null) return 0;
  return [];
}

/** Applies one mutation in place at `path`; `pick` chooses among garbled strings. */
function mutate(root: RawEvent, path: Key[], mutation: Mutation, pick: (n: number) => number): void {
  const parent = path.slice(0, -1).reduce<unknown>((node, key) => (node as Record<Key, unknown>)[key], root) as
    | Record<string, unknown>
    | unknown[];
  const key = path[path.length - 1]!;
  const current = (parent as Record<Key, unknown>)[key];
  if (mutation === 'delete') {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key as string];
    return;
  }
  const next =
    mutation === 'null' ? null : mutation === 'retype' ? retyped(current) : GARBLED[pick(GARBLED.length)];
  (parent as Record<Key, unknown>)[key] = next;
}

/** Whether a refusal naming `field` is about the mutated `path` (the path itself, inside it, or a parent). */
function related(field: string, path: string): boolean {
  const within = (inner: string, outer: string) =>
    inner === outer || inner.startsWith(`${outer}.`) || inner.startsWith(`${outer}[`);
  return within(field, path) || within(path, field);
}

interface Outcome {
  refused: boolean;
  /** What is wrong with the outcome, or null when it is acceptable. */
  problem: string | null;
}

function outcomeOf(event: RawEvent, mutatedPaths: string[]): Outcome {
  let alert: unknown;
  try {
    alert = normalizeArmsEvent(event);
  } catch (error) {
    if (error instanceof UnsupportedEventError) {
      const problem = mutatedPaths.includes('type') ? null : `unsupported without touching type: ${error.message}`;
      return { refused: true, problem };
    }
    if (!(error instanceof InvalidEventError)) return { refused: true, problem: `crashed: ${String(error)}` };
    if (mutatedPaths.length === 1 && !related(error.field, mutatedPaths[0]!)) {
      return { refused: true, problem: `refusal names ${error.field}, not the mutated field` };
    }
    return { refused: true, problem: null };
  }
  const check = alertSchema.safeParse(alert);
  return { refused: false, problem: check.success ? null : `invalid alert: ${check.error.message}` };
}

/** mulberry32: a small seeded generator, so that a failure can be replayed. */
function random(seed: number): (n: number) => number {
  let state = seed >>> 0;
  return (n) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

const samples = allValidEvents();

describe('normalizeArmsEvent under mutation', () => {
  it.each(samples)('$label: every single mutation of every field is handled', ({ event }) => {
    const pick = random(1);
    const problems: string[] = [];
    let refused = 0;
    for (const path of pathsOf(event)) {
      for (const mutation of MUTATIONS) {
        const copy = structuredClone(event);
        mutate(copy, path, mutation, pick);
        const outcome = outcomeOf(copy, [render(path)]);
        if (outcome.problem) problems.push(`${mutation} ${render(path)}: ${outcome.problem}`);
        if (outcome.refused) refused += 1;
      }
    }
    expect(problems).toEqual([]);
    // Some mutations must be refused (a missing id, a retyped data): the check is not vacuous.
    expect(refused).toBeGreaterThan(10);
  });

  it('random sequences of mutations never crash and never produce an invalid alert', () => {
    const seed = 20240607;
    const pick = random(seed);
    const problems: string[] = [];
    const outcomes = { alerts: 0, refusals: 0 };
    for (let run = 0; run < 1500; run += 1) {
      const { label, event } = samples[pick(samples.length)]!;
      const copy = structuredClone(event);
      const applied: { mutation: Mutation; path: string }[] = [];
      const count = 1 + pick(4);
      for (let i = 0; i < count; i += 1) {
        const paths = pathsOf(copy);
        if (paths.length === 0) break;
        const path = paths[pick(paths.length)]!;
        const mutation = MUTATIONS[pick(MUTATIONS.length)]!;
        mutate(copy, path, mutation, pick);
        applied.push({ mutation, path: render(path) });
      }
      const outcome = outcomeOf(copy, applied.map((a) => a.path));
      if (outcome.problem) {
        const steps = applied.map((a) => `${a.mutation} ${a.path}`).join(', ');
        problems.push(`seed ${seed} run ${run} ${label} [${steps}]: ${outcome.problem}`);
      }
      if (outcome.refused) outcomes.refusals += 1;
      else outcomes.alerts += 1;
    }
    expect(problems).toEqual([]);
    expect(outcomes.alerts).toBeGreaterThan(0);
    expect(outcomes.refusals).toBeGreaterThan(0);
  });
});
