// zod, as scripts/build.ts bundles it into the deployed functions: `z` records the schema
// builder calls that modules make when they load (z.object({...}).strict()...) and builds
// the real schema only when one is used (safeParse, parse, or any read of its data). The
// real zod is in the bundle all the same, behind a require() that esbuild evaluates only on
// first call: a function whose router.json needs no validation at start never evaluates it.
// Source runs (the command line, the tests) import zod itself; only bundles use this file.
/* eslint-disable @typescript-eslint/no-require-imports -- the deferred require is the point */
import type * as Zod from 'zod';

type Real = typeof Zod.z;

let real: Real | undefined;
const zod = (): Real => (real ??= (require('zod') as typeof Zod).z);

/** One recorded step: `z` itself, or a property of the parent, called with `args` when it was a call. */
type Step = { built?: { value: unknown } } & ({ parent?: undefined } | { parent: Step; key: PropertyKey; args?: unknown[] });

const STEP = Symbol('lazy-zod step');

/**
 * Property reads of a schema that must give real values at once: using it (every parse and
 * validation method) and reading its data. Anything else is a builder method, recorded;
 * everything read from `z` itself is (z.enum builds, where schema.enum is data).
 */
const EAGER = new Set<PropertyKey>([
  'parse',
  'safeParse',
  'parseAsync',
  'safeParseAsync',
  'spa',
  'encode',
  'decode',
  'safeEncode',
  'safeDecode',
  'check',
  'shape',
  'options',
  'enum',
  'element',
  'def',
  '_def',
  '_zod',
  'description',
  'meta',
  'then',
  'toJSON',
  Symbol.toPrimitive,
  Symbol.iterator,
  Symbol.toStringTag,
]);

function build(step: Step): unknown {
  if (step.built) return step.built.value;
  let value: unknown;
  if (!step.parent) {
    value = zod();
  } else {
    const parent = build(step.parent) as Record<PropertyKey, unknown>;
    const member = parent[step.key];
    value = step.args ? (member as (...args: unknown[]) => unknown).apply(parent, step.args.map(unwrap)) : member;
  }
  step.built = { value };
  return value;
}

/** A recorded schema becomes its real schema, inside plain objects and arrays too. */
function unwrap(value: unknown): unknown {
  if (typeof value === 'function' || (typeof value === 'object' && value !== null)) {
    const step = (value as { [STEP]?: Step })[STEP];
    if (step) return build(step);
  }
  if (Array.isArray(value)) return value.map(unwrap);
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    // Getters stay getters: zod's recursive shapes (`get routes() { ... }`) are read lazily.
    const out: Record<string, unknown> = {};
    for (const [key, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(value))) {
      const getter = descriptor.get !== undefined;
      Object.defineProperty(out, key, getter ? { ...descriptor, get: () => unwrap(Reflect.get(value, key)) } : { ...descriptor, value: unwrap(descriptor.value) });
    }
    return out;
  }
  return value;
}

function record(step: Step): unknown {
  // A function target, so that the proxy can be called (z.object(...), .strict()).
  return new Proxy(function lazy() {}, {
    get(_target, key) {
      if (key === STEP) return step;
      if (step.parent && EAGER.has(key)) {
        const schema = build(step) as Record<PropertyKey, unknown>;
        const member = schema[key];
        return typeof member === 'function' ? (member as (...args: unknown[]) => unknown).bind(schema) : member;
      }
      return record({ parent: step, key });
    },
    apply(_target, _this, args: unknown[]) {
      // As with zod, `z` itself is not a function; its members are.
      if (!step.parent) throw new TypeError('z is not a function');
      return record({ parent: step.parent, key: step.key, args });
    },
  });
}

export const z = record({}) as Real;
export default z;
