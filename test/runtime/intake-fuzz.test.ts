// Fuzzing the intake (the runtime's per-delivery check, unwrap, normalize) with thousands of
// mutations of every sample event: every outcome is a typed refusal or an alert that
// validates against the published JSON Schema, whatever the input: deleted and retyped
// fields, hostile strings (lone surrogates, odd and out-of-range times, huge texts), key case
// changes, deep nesting, the message inside an SNS notification mutated too.
// A fixed seed keeps CI deterministic; FUZZ_SEED and FUZZ_RUNS explore further by hand.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { InvalidEventError, UnsupportedEventError } from '../../shared/model/errors';
import { intakeAlert } from '../../shared/normalize';
import { ROOT, eventsOf, samples } from '../support/samples';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const schema = JSON.parse(readFileSync(join(ROOT, 'shared/model/alert.schema.json'), 'utf8')) as object;
const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
const validate = ajv.compile(schema);

const SEED = Number(process.env.FUZZ_SEED ?? 20261129);
const RUNS_PER_SAMPLE = Number(process.env.FUZZ_RUNS ?? 1000);

const HOSTILE_STRINGS = [
  '',
  ' ',
  '\uD800',
  'cpu \uDFFF high',
  'a\uD83D',
  '\u0000\n\t',
  '9999-12-31T23:59:59-01:00',
  '0000-01-01T00:30:00+01:00',
  '+275760-09-13T00:00:00Z',
  '2016-12-31T23:59:60Z',
  '2020-11-19T21:04:42.179PRC',
  '2020-08-24T13:54:05.965Asia/Shanghai',
  '2023-08-04T12: 56: 46.138+0000',
  '2022-02-30 10:00:00',
  'date',
  '1654593721000',
  '-99999999999999999',
  'toString',
  '__proto__',
  'constructor',
  'ALARM',
  'OK',
  'INSUFFICIENT_DATA',
  'firing',
  'resolved',
  'create',
  'aliyun:arms:alarm:create',
  'CloudWatch Alarm State Change',
  'aws.cloudwatch',
  'arn:aws:cloudwatch:us-east-1:123456789012:alarm:x',
  'arn:aws:cloudwatch:us-east-1: 123456789012:alarm:',
  'EU - Ireland',
  '<region>',
  'x'.repeat(70_000),
  '{"AlarmName":"a","NewStateValue":"ALARM"}',
  '[]',
];
const HOSTILE_NUMBERS = [0, -0, 1.5, -1, 1e300, -1e300, 8.64e15 + 1, 253402300800000, Number.MAX_SAFE_INTEGER];

/** The deep value's JSON text, written without recursion (JSON.stringify would overflow). */
const DEEP = nestedPlaceholder();
const DEEP_TEXT = `${'[{"k":'.repeat(2_500)}"bottom"${'}]'.repeat(2_500)}`;

function nestedPlaceholder(): Json {
  return ['deep placeholder'];
}

/** JSON text of a value that may hold DEEP (an embedded SNS message written back). */
function stringify(value: Json): string {
  const marker = '\u0000deep\u0000';
  return JSON.stringify(value, (_key, v: unknown) => (v === DEEP ? marker : v)).split(JSON.stringify(marker)).join(DEEP_TEXT);
}

function nested(depth: number): Json {
  let value: Json = 'bottom';
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { k: value };
  return value;
}

const HOSTILE_VALUES: readonly Json[] = [
  ...HOSTILE_STRINGS,
  ...HOSTILE_NUMBERS,
  null,
  true,
  false,
  [],
  {},
  [null],
  { '': '' },
  nested(70),
  DEEP,
];

/**
 * A replacement value: one of HOSTILE_VALUES by index (so that a counterexample prints
 * small, not as a 5000-deep value), or any JSON value of up to 3 levels.
 */
const hostileValue: fc.Arbitrary<{ hostile: number } | { json: Json }> = fc.oneof(
  fc.nat({ max: HOSTILE_VALUES.length - 1 }).map((hostile) => ({ hostile })),
  (fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>).map((json) => ({ json })),
  fc.string({ unit: 'binary', maxLength: 40 }).map((json) => ({ json })),
);

function valueOf(choice: { hostile: number } | { json: Json }): Json {
  return 'hostile' in choice ? HOSTILE_VALUES[choice.hostile]! : choice.json;
}

type Operation = 'delete' | 'set' | 'case' | 'duplicate' | 'surrogate' | 'wrap';
interface Mutation {
  path: number[];
  operation: Operation;
  value: { hostile: number } | { json: Json };
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  path: fc.array(fc.nat(), { maxLength: 9 }),
  operation: fc.constantFrom<Operation>('delete', 'set', 'set', 'set', 'case', 'duplicate', 'surrogate', 'wrap'),
  value: hostileValue,
});

function isObject(value: Json): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A string holding a JSON object or array (an SNS Message) is walked into, and written back. */
function embedded(value: Json): Json | undefined {
  if (typeof value !== 'string' || !/^\s*[[{]/.test(value)) return undefined;
  try {
    return JSON.parse(value) as Json;
  } catch {
    return undefined;
  }
}

/** Applies one mutation at the node its path leads to (each index taken modulo the children). */
function mutate(value: Json, path: number[], m: Mutation): Json | undefined {
  const inner = embedded(value);
  if (inner !== undefined) {
    const changed = mutate(inner, path, m);
    return changed === undefined ? undefined : stringify(changed);
  }
  const [step, ...rest] = path;
  const children = Array.isArray(value) ? value.map((_, i) => i) : isObject(value) ? Object.keys(value) : [];
  if (step === undefined || children.length === 0) return apply(value, m);
  const key = children[step % children.length]!;
  if (Array.isArray(value)) {
    const copy = [...value];
    const changed = mutate(copy[key as number]!, rest, m);
    if (changed === undefined) copy.splice(key as number, 1);
    else if (m.operation === 'duplicate' && rest.length === 0) copy.splice(key as number, 0, changed);
    else copy[key as number] = changed;
    return copy;
  }
  const copy: { [key: string]: Json } = { ...(value as { [key: string]: Json }) };
  const child = copy[key as string]!;
  if (m.operation === 'case' && rest.length === 0) {
    delete copy[key as string];
    copy[(key as string) === (key as string).toLowerCase() ? (key as string).toUpperCase() : (key as string).toLowerCase()] = child;
    return copy;
  }
  const changed = mutate(child, rest, m);
  if (changed === undefined) delete copy[key as string];
  else copy[key as string] = changed;
  return copy;
}

function apply(value: Json, m: Mutation): Json | undefined {
  switch (m.operation) {
    case 'delete':
      return undefined;
    case 'surrogate':
      return typeof value === 'string' ? `${value.slice(0, 3)}\uD800${value.slice(3)}` : valueOf(m.value);
    case 'wrap':
      return [value];
    default:
      return valueOf(m.value);
  }
}

type Outcome = 'alert' | 'refused';

const DEEP_VALUE = nested(5_000);

/** The mutated event with DEEP replaced by the real deep value (outside embedded strings). */
function replaceDeep(value: Json | undefined): Json | undefined {
  if (value === DEEP) return DEEP_VALUE;
  if (Array.isArray(value)) return value.map((item) => replaceDeep(item) as Json);
  if (value !== undefined && isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceDeep(v) as Json]));
  return value;
}

/** The property: a typed refusal, or an alert valid against the published schema. */
function outcomeOf(raw: Json | undefined): Outcome {
  let alert: unknown;
  try {
    alert = intakeAlert(raw === DEEP ? DEEP_VALUE : replaceDeep(raw));
  } catch (error) {
    if (error instanceof InvalidEventError || error instanceof UnsupportedEventError) return 'refused';
    throw error;
  }
  if (!validate(alert)) throw new Error(`alert fails alert.schema.json: ${ajv.errorsText(validate.errors)}`);
  const { muted, observedAt } = alert as { muted: { active: boolean; startsAt: string | null; endsAt: string | null } | null; observedAt: string | null };
  if (muted?.active && (muted.startsAt === null || muted.endsAt === null || observedAt === null)) {
    throw new Error('a mute window with an unknown bound counted as active');
  }
  return 'alert';
}

const SAMPLES = [...samples('aws'), ...samples('alibaba')].flatMap((sample) =>
  eventsOf(sample).map((event, i) => [Array.isArray(sample.value) ? `${sample.file}[${i}]` : sample.file, event as Json] as const),
);

describe('the intake under mutation', () => {
  it('has every sample to mutate', () => {
    expect(SAMPLES.length).toBeGreaterThan(30);
  });

  it.each(SAMPLES)(`${RUNS_PER_SAMPLE} mutations of %s are typed refusals or schema-valid alerts`, (_file, sample) => {
    const outcomes: Record<Outcome, number> = { alert: 0, refused: 0 };
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (mutations) => {
        let event: Json | undefined = sample;
        for (const m of mutations) event = event === undefined ? undefined : mutate(event, m.path, m);
        outcomes[outcomeOf(event)]++;
      }),
      { seed: SEED, numRuns: RUNS_PER_SAMPLE },
    );
    // Both outcomes occur: the mutations reach what decides identity and what does not.
    expect(outcomes.alert).toBeGreaterThan(0);
    expect(outcomes.refused).toBeGreaterThan(0);
  });
});
