// The native fast path for simple Alertmanager regexes must mean exactly what RE2 means:
// every pattern it takes is checked against re2js (the engine of every other pattern) on
// generated values, and the shapes it must leave to re2js are checked to be left.
import * as fc from 'fast-check';
import { compileAnchored } from '../../shared/route/matcher';
import { simpleAnchoredTest } from '../../shared/route/simple-regex';

/** Characters that make the two engines differ if anything does: line ends, astral, punctuation. */
const CHARS = ['a', 'b', 'C', 'c', '-', '.', '_', ' ', '\n', '\r', '\u2028', 'é', '😀', '[', ']', '\\', '^', '$', '|', '*', ':', '"', '/'];
const value = fc.array(fc.constantFrom(...CHARS), { maxLength: 12 }).map((chars) => chars.join(''));

const literalItem = fc.constantFrom('a', 'b', 'C', 'c', '-', '_', ' ', 'é', '😀', ':', '"', '/');
const escapedItem = fc.constantFrom('\\.', '\\[', '\\]', '\\\\', '\\^', '\\$', '\\|', '\\*', '\\-', '\\:', '\\/', '\\"');
const classItem = fc.constantFrom('[Cc]', '[a-c]', '[-a]', '[a-]', '[.*]', '[\\]a]', '[\\-]', '[😀é]', '[ -~]', '[\\\\^]', '[/:]');
const atom = fc.oneof(literalItem, escapedItem, classItem, fc.constant('.'));
const sequence = fc.array(atom, { maxLength: 4 }).map((items) => items.join(''));
const group = fc
  .tuple(fc.constantFrom('(', '(?:'), fc.array(sequence, { minLength: 1, maxLength: 3 }))
  .map(([open, alternatives]) => `${open}${alternatives.join('|')})`);
const core = fc.array(fc.oneof(atom, group), { maxLength: 4 }).map((items) => items.join(''));
const simplePattern = fc.oneof(
  fc.tuple(fc.boolean(), core, fc.boolean()).map(([lead, body, trail]) => `${lead ? '.*' : ''}${body}${trail ? '.*' : ''}`),
  fc.array(core, { minLength: 2, maxLength: 3 }).map((parts) => parts.join('|')),
);

describe('simple regexes run natively', () => {
  it('takes the common shapes of Alertmanager patterns', () => {
    for (const pattern of ['.*([Cc]ritical|CRITICAL).*', '.*([Ww]arn|WARN).*', 'db-.*', '.*-prod', 'a|b|c', 'cpu\\.high', '', '.*']) {
      expect(simpleAnchoredTest(pattern)).toBeDefined();
    }
  });

  it.each([
    ['a+', 'a quantifier'],
    ['(a|b)*', 'a quantified group'],
    ['((a))', 'a nested group'],
    ['(?i)critical', 'a flag'],
    ['.*a|b', 'a top-level | beside .*'],
    ['[^a]', 'a negated class'],
    ['[[:digit:]]', 'a named class'],
    ['\\d+', 'an escape class'],
    ['a{2}', 'a repetition'],
    ['^a$', 'anchors'],
    ['.*?a', 'a lazy .*'],
    ['a\\.*', 'an escaped dot repeated'],
    ['a\nb', 'a control character'],
    ['(a|a)(a|a)(a|a)(a|a)(a|a)(a|a)(a|a)(a|a)(a|a)', 'more than 256 readings'],
  ])('leaves %j to re2js (%s)', (pattern) => {
    expect(simpleAnchoredTest(pattern)).toBeUndefined();
  });

  it('agrees with RE2 on every pattern it takes', () => {
    fc.assert(
      fc.property(simplePattern, fc.array(value, { minLength: 1, maxLength: 8 }), (pattern, values) => {
        const native = simpleAnchoredTest(pattern);
        if (!native) return;
        const re2 = compileAnchored(pattern);
        for (const v of values) expect([pattern, v, native(v)]).toEqual([pattern, v, re2.test(v)]);
      }),
      { numRuns: 3000, seed: 13 },
    );
  });

  it('agrees with RE2 on values that hold the pattern, whole or in part', () => {
    fc.assert(
      fc.property(simplePattern, value, value, (pattern, before, after) => {
        const native = simpleAnchoredTest(pattern);
        if (!native) return;
        const re2 = compileAnchored(pattern);
        const plain = pattern.replace(/[.*()?:|[\]\\]/g, '');
        for (const v of [plain, `${before}${plain}`, `${plain}${after}`, `${before}${plain}${after}`]) {
          expect([pattern, v, native(v)]).toEqual([pattern, v, re2.test(v)]);
        }
      }),
      { numRuns: 3000, seed: 31 },
    );
  });

  it('reads a long value, with and without a line break', () => {
    const native = simpleAnchoredTest('.*(critical|CRITICAL).*')!;
    const long = `${'critical '.repeat(20_000)}\n`;
    expect(native(long)).toBe(false);
    expect(native(long.trim())).toBe(true);
  });
});
