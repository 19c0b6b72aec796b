// The shape check every delivery passes before anything recurses into it: at most
// MAX_EVENT_DEPTH levels and MAX_EVENT_VALUES values (objects, arrays and scalars, the
// delivery itself included), refused with a typed error naming the path.
import { InvalidEventError } from '../../shared/model/errors';
import { checkEventShape, MAX_EVENT_DEPTH, MAX_EVENT_VALUES } from '../../shared/normalize/shape';

function nested(levels: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 1; i < levels; i += 1) value = i % 2 ? { next: value } : [value];
  return value;
}

describe('checkEventShape', () => {
  it(`takes ${MAX_EVENT_DEPTH} levels of objects and arrays, a scalar below them, and refuses one level more`, () => {
    expect(() => checkEventShape(nested(MAX_EVENT_DEPTH + 1))).not.toThrow();
    expect(() => checkEventShape(nested(MAX_EVENT_DEPTH + 2), 'Records[0].Sns.Message')).toThrow(
      new InvalidEventError(`${'Records[0].Sns.Message.next[0]'.padEnd(200, '.next[0]')}…`, `nested deeper than ${MAX_EVENT_DEPTH} levels`),
    );
  });

  it('names where an event goes too deep: the path of the first value past the limit', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 8; i += 1) deep = [deep];
    const event = { detail: { fine: [1, 2], state: { reasonData: nested(MAX_EVENT_DEPTH) as object, more: deep } } };
    expect(() => checkEventShape(event)).toThrow(/^invalid event: detail\.state\.reasonData\.next\[0\]/);
  });

  it(`counts every value, the delivery itself included, and refuses more than ${MAX_EVENT_VALUES}`, () => {
    // An array of n scalars is 1 + n values.
    expect(() => checkEventShape({ a: new Array(600_000).fill({}), b: new Array(400_000).fill(0) })).toThrow(/holds more than 1000000 values/);
    expect(() => checkEventShape(new Array(MAX_EVENT_VALUES - 1).fill(0))).not.toThrow();
    expect(() => checkEventShape(new Array(MAX_EVENT_VALUES).fill(0))).toThrow(/holds more than 1000000 values/);
  });

  it('takes a scalar, null and an empty object as they are', () => {
    for (const value of ['text', 0, null, {}, []]) expect(() => checkEventShape(value)).not.toThrow();
  });

  it('looks at the own enumerable values only, as a for...in walk with an own-key check does', () => {
    const tooDeep = nested(MAX_EVENT_DEPTH + 2);
    const inherited = Object.create({ deep: tooDeep }) as Record<string, unknown>;
    const hidden = Object.defineProperty({}, 'deep', { value: tooDeep, enumerable: false });
    const nullPrototype = Object.assign(Object.create(null) as object, { deep: tooDeep });
    // JSON.parse makes these own keys, whatever their names.
    const oddKeys = JSON.parse(`{"__proto__": ${JSON.stringify(tooDeep)}, "hasOwnProperty": 1}`) as unknown;
    const reference = (value: unknown): boolean => {
      const walk = (child: unknown, depth: number): void => {
        if (typeof child !== 'object' || child === null) return;
        if (depth > MAX_EVENT_DEPTH) throw new Error('too deep');
        const object = child as Record<string, unknown>;
        for (const key in object) if (Object.hasOwn(object, key)) walk(object[key], depth + 1);
      };
      try {
        walk(value, 1);
        return true;
      } catch {
        return false;
      }
    };
    for (const value of [inherited, hidden, nullPrototype, oddKeys, { list: [inherited, hidden] }, [nullPrototype]]) {
      let passes = true;
      try {
        checkEventShape(value);
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidEventError);
        passes = false;
      }
      expect(passes).toBe(reference(value));
    }
    expect(() => checkEventShape(inherited)).not.toThrow();
    expect(() => checkEventShape(nullPrototype)).toThrow(/nested deeper/);
  });

  it('skips what Object.prototype has enumerable, as the own-key check does, while it has it', () => {
    const tooDeep = nested(MAX_EVENT_DEPTH + 2);
    const plain = JSON.parse('{"a": {"b": [1, 2]}}') as unknown;
    const prototype = Object.prototype as Record<string, unknown>;
    prototype.polluted = tooDeep;
    try {
      expect(() => checkEventShape(plain)).not.toThrow();
    } finally {
      delete prototype.polluted;
    }
    expect(() => checkEventShape({ a: { own: tooDeep } })).toThrow(/nested deeper/);
  });
});
