// The common shapes of Alertmanager regexes (`.*(critical|CRITICAL).*`, `db-.*`, `a|b|c`)
// run as a native RegExp, so that a function start pays for no regex engine (re2js costs
// about 15 ms of CPU at its first compile). Only patterns for which the native engine is
// linear and means exactly what RE2 means are taken; anything else returns undefined and
// goes to re2js. The test compares both on generated patterns and values.
//
// Taken: an optional leading `.*`, then quantifier-free items, then an optional trailing
// `.*`; or a top-level alternation of quantifier-free items. Items: literal characters
// (printable, no control character), punctuation escaped with `\`, `.`, classes of
// characters and ranges (not negated, no `[:name:]`, no `\d`-style escapes), and groups
// `(...)` / `(?:...)` of alternatives of such items, not nested. No flags, anchors,
// quantifiers elsewhere or repetitions.
//
// Why it is exact: none of these items can match `\n`, and RE2's `.` matches anything but
// `\n`; so a value holding `\n` never matches a pattern with `.*`, and otherwise the `.*`
// ends are a search (`.*X.*`), a suffix (`.*X`) or a prefix (`X.*`) test for X. Why it is
// linear: X has no quantifier, so trying it at one position costs at most its length
// times its alternatives (bounded below), and there are as many positions as characters.

/** At most this many ways to read X (the product of its groups' alternatives). */
const MAX_READINGS = 256;
const MAX_SOURCE = 1000;
/** JavaScript's syntax characters, escaped wherever they stand for themselves (u flag). */
const SYNTAX = new Set('^$\\.*+?()[]{}|/');
const PUNCTUATION = /^[!-/:-@[-`{-~]$/;

class NotSimple extends Error {}

/** A character standing for itself: escaped when JavaScript would read it as syntax (and `-` in a class). */
function literal(char: string, inClass = false): string {
  return SYNTAX.has(char) || (inClass && char === '-') ? `\\${char}` : char;
}

/** Reads the pattern into a JavaScript source of the same meaning, or throws NotSimple. */
class Reader {
  private at = 0;
  private readings = 1;
  constructor(private readonly text: string) {}

  done(): boolean {
    return this.at >= this.text.length;
  }

  peek(n = 0): string | undefined {
    return this.text[this.at + n];
  }

  /** Items up to `|`, `)` or the end. */
  sequence(inGroup: boolean): string {
    let out = '';
    for (;;) {
      const char = this.peek();
      if (char === undefined || char === '|' || char === ')') return out;
      out += this.item(inGroup);
    }
  }

  /** A sequence, or alternatives of sequences when `|` follows. */
  alternatives(inGroup: boolean): { source: string; count: number } {
    const parts = [this.sequence(inGroup)];
    while (this.peek() === '|') {
      this.at += 1;
      parts.push(this.sequence(inGroup));
    }
    return { source: parts.join('|'), count: parts.length };
  }

  private item(inGroup: boolean): string {
    const char = this.takeChar();
    let out: string;
    if (char === '\\') out = literal(this.escaped());
    else if (char === '.') out = '[^\\n]';
    else if (char === '[') out = this.charClass();
    else if (char === '(') {
      if (inGroup) throw new NotSimple();
      if (this.peek() === '?') {
        if (this.peek(1) !== ':') throw new NotSimple();
        this.at += 2;
      }
      const { source, count } = this.alternatives(true);
      if (this.takeChar() !== ')') throw new NotSimple();
      this.readings *= count;
      if (this.readings > MAX_READINGS) throw new NotSimple();
      out = `(?:${source})`;
    } else if ('*+?{}^$)]|'.includes(char)) throw new NotSimple();
    else out = literal(char);
    // Any quantifier after an item is beyond this shape.
    const next = this.peek();
    if (next === '*' || next === '+' || next === '?' || next === '{') throw new NotSimple();
    return out;
  }

  private takeChar(): string {
    const code = this.text.codePointAt(this.at);
    if (code === undefined || code < 0x20 || code === 0x7f) throw new NotSimple();
    // A lone surrogate is not a character RE2 would read the same way.
    if (code >= 0xd800 && code <= 0xdfff) throw new NotSimple();
    const char = String.fromCodePoint(code);
    this.at += char.length;
    return char;
  }

  /** The punctuation after `\` (letters and digits are classes or escapes: not simple). */
  private escaped(): string {
    const char = this.takeChar();
    if (!PUNCTUATION.test(char)) throw new NotSimple();
    return char;
  }

  private charClass(): string {
    const first = this.peek();
    if (first === '^' || first === ']' || first === ':' || first === undefined) throw new NotSimple();
    let out = '';
    let count = 0;
    for (;;) {
      let char = this.takeChar();
      if (char === ']') break;
      if (char === '[') throw new NotSimple();
      if (char === '\\') char = this.escaped();
      if (this.peek() === '-' && this.peek(1) !== ']') {
        this.at += 1;
        let end = this.takeChar();
        if (end === '[' || end === ']') throw new NotSimple();
        if (end === '\\') end = this.escaped();
        if ((end.codePointAt(0) ?? 0) < (char.codePointAt(0) ?? 0)) throw new NotSimple();
        out += `${literal(char, true)}-${literal(end, true)}`;
      } else out += literal(char, true);
      count += 1;
    }
    if (count === 0) throw new NotSimple();
    return `[${out}]`;
  }
}

/**
 * `^(?:source)$` as RE2 matches it, as a test on a value, when the pattern has one of the
 * simple shapes above; undefined otherwise (use re2js).
 */
export function simpleAnchoredTest(source: string): ((value: string) => boolean) | undefined {
  if (source.length > MAX_SOURCE) return undefined;
  const leading = source.startsWith('.*');
  let body = leading ? source.slice(2) : source;
  // `\.*` is an escaped dot repeated, not `.*`: count the backslashes before it.
  const trailingBackslashes = /(\\*)\.\*$/.exec(body)?.[1]?.length ?? -1;
  const trailing = trailingBackslashes >= 0 && trailingBackslashes % 2 === 0;
  if (trailing) body = body.slice(0, -2);
  try {
    const reader = new Reader(body);
    const { source: core, count } = reader.alternatives(false);
    if (!reader.done()) return undefined;
    // A top-level `|` next to `.*` splits the `.*` off (`.*a|b` is `(.*a)|(b)`): not this shape.
    if (count > 1 && (leading || trailing)) return undefined;
    if (!leading && !trailing) {
      const whole = new RegExp(`^(?:${core})$`, 'u');
      return (value) => whole.test(value);
    }
    const part = new RegExp(leading && trailing ? core : leading ? `(?:${core})$` : `^(?:${core})`, 'u');
    return (value) => !value.includes('\n') && part.test(value);
  } catch (error) {
    if (error instanceof NotSimple || error instanceof SyntaxError) return undefined;
    throw error;
  }
}
