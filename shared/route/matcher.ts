// Alertmanager's matcher language, as its classic parser (amtool 0.25, and the fallback of
// later versions) reads it: one string holds one matcher or a comma-separated list, with or
// without braces; values optionally double-quoted with OpenMetrics escapes; regexes are RE2
// (re2js: linear time whatever the pattern) anchored as Alertmanager anchors them,
// `^(?:RE)$`. Names are this project's: a scalar alert field or `labels.<key>` /
// `annotations.<key>`. docs/configuration.md "Matchers" is the reference.
import type { RE2JS } from 're2js';
import { CLOUDS, KINDS, PROVIDERS, SEVERITIES, STATUSES, type Alert } from '../model/alert';
import type { Matcher, MatchOp } from './types';
import { simpleAnchoredTest } from './simple-regex';

/** The scalar alert fields a matcher may name; `labels.<key>` and `annotations.<key>` also work. */
export const MATCHER_FIELDS = [
  'id',
  'dedupKey',
  'cloud',
  'provider',
  'kind',
  'status',
  'previousStatus',
  'severity',
  'sourceSeverity',
  'name',
  'summary',
  'description',
  'account',
  'region',
  'comment',
  'solution',
] as const satisfies readonly (keyof Alert)[];

export const MAP_FIELDS = ['labels', 'annotations'] as const;

type ScalarField = (typeof MATCHER_FIELDS)[number];

/**
 * Fields with a closed vocabulary. An equality matcher outside it, or a regex matching none
 * of it, can never do what its author meant. Null counts as "".
 */
export const VOCABULARIES: Partial<Record<ScalarField, readonly string[]>> = {
  cloud: CLOUDS,
  provider: PROVIDERS,
  kind: KINDS,
  status: STATUSES,
  previousStatus: [...STATUSES, ''],
  severity: SEVERITIES,
};

/** A matcher string that is not valid. The message is the problem, without the location. */
export class MatcherError extends Error {
  override name = 'MatcherError';
}

// Alertmanager's own shape (pkg/labels/parse.go) with this project's names: '=~' before '='
// so that '~' is never taken as the first character of the value; the value is everything
// up to trailing whitespace. A map key is anything up to whitespace or an operator character.
const MATCHER_RE = /^\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[^\s=!~"]*)?)\s*(=~|=|!=|!~)\s*([\s\S]*?)\s*$/;

const VALID_NAMES = `${MATCHER_FIELDS.join(', ')}, ${MAP_FIELDS.map((m) => `${m}.<key>`).join(', ')}`;

/**
 * Parses one matcher string of router.yaml: `severity="critical"`, or a list
 * `{severity="critical", labels.team=~"db|web"}` / `severity=critical,labels.team!=db`.
 * An empty string or `{}` is no matcher. Throws MatcherError naming the problem.
 */
export function parseMatchers(text: string): Matcher[] {
  return splitMatchers(text).map(parseMatcher);
}

/**
 * Alertmanager's splitting: one leading `{` and one trailing `}` are dropped, then the text
 * is cut at commas outside double quotes (a quote escaped as \" does not count); one
 * trailing comma is allowed.
 */
export function splitMatchers(text: string): string[] {
  let body = text.startsWith('{') ? text.slice(1) : text;
  body = body.endsWith('}') ? body.slice(0, -1) : body;
  const parts: string[] = [];
  let part = '';
  let quoted = false;
  let escaped = false;
  for (const char of body) {
    if (char === ',' && !quoted) {
      parts.push(part);
      part = '';
      continue;
    }
    if (char === '"') {
      if (escaped) escaped = false;
      else quoted = !quoted;
    } else if (char === '\\') {
      escaped = !escaped;
    } else {
      escaped = false;
    }
    part += char;
  }
  if (part.trim() !== '') parts.push(part.trim());
  return parts;
}

/** Parses exactly one `NAME OP VALUE`; throws MatcherError naming the problem. */
export function parseMatcher(text: string): Matcher {
  return parse(text, 'now');
}

/**
 * parseMatcher for a matcher the build has already checked (router.json): its regex is
 * compiled when first matched, so that a function start pays for no regex it does not use.
 */
export function parseCheckedMatcher(text: string): Matcher {
  return parse(text, 'onFirstUse');
}

function parse(text: string, compile: 'now' | 'onFirstUse'): Matcher {
  const parts = MATCHER_RE.exec(text);
  if (!parts) throw new MatcherError(badFormat(text));
  const [, name = '', operator = '', raw = ''] = parts;
  return build(name, operator as MatchOp, unquoteValue(raw), compile);
}

/**
 * One matcher from its parts, `value` as meant (no quotes, no escapes); its `text` is the
 * canonical form. Throws MatcherError naming the problem (an unknown name, a bad regex).
 */
export function buildMatcher(name: string, op: MatchOp, value: string): Matcher {
  return build(name, op, value, 'now');
}

function build(name: string, op: MatchOp, value: string, compile: 'now' | 'onFirstUse'): Matcher {
  const read = readerOf(name);
  const test = predicateOf(op, value, compile);
  return {
    name,
    op,
    value,
    text: `${name}${op}${quote(value)}`,
    matches: (alert) => test(read(alert) ?? ''),
  };
}

function badFormat(text: string): string {
  const hint = /^\s*[A-Za-z_][\w:-]*\s*(=~|=|!=|!~)/.test(text)
    ? `; a name is an alert field or labels.<key>, e.g. labels.${text.trim().split(/[\s=!~]/)[0]}`
    : '';
  return `bad matcher ${JSON.stringify(text)}: expected NAME OP VALUE with OP one of =, !=, =~, !~, e.g. severity="critical"${hint}`;
}

export function matchesAll(matchers: readonly Matcher[], alert: Alert): boolean {
  return matchers.every((matcher) => matcher.matches(alert));
}

/** `{severity="critical", labels.team=~"db|web"}`: the canonical form, which parses back to the same matchers. */
export function formatMatchers(matchers: readonly Matcher[]): string {
  return `{${matchers.map((m) => m.text).join(', ')}}`;
}

/** OpenMetrics escaping, as Alertmanager prints a matcher's value. */
function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

function readerOf(name: string): (alert: Alert) => string | null | undefined {
  if ((MATCHER_FIELDS as readonly string[]).includes(name)) {
    return (alert) => alert[name as ScalarField];
  }
  // Everything after the first dot is the key, so keys with dots (k8s.io/name) work.
  const dot = name.indexOf('.');
  const map = dot > 0 ? name.slice(0, dot) : name;
  const key = name.slice(dot + 1);
  if (dot > 0 && (MAP_FIELDS as readonly string[]).includes(map)) {
    if (!key) throw new MatcherError(`${name} needs a key after the dot, e.g. ${map}.team`);
    return (alert) => {
      const entries = alert[map as (typeof MAP_FIELDS)[number]];
      return Object.hasOwn(entries, key) ? entries[key] : undefined;
    };
  }
  const label = dot < 0 && !(MAP_FIELDS as readonly string[]).includes(name) ? ` (for the label ${name}, write labels.${name})` : '';
  throw new MatcherError(`unknown field ${JSON.stringify(name)}${label}; a matcher names one of ${VALID_NAMES}`);
}

/**
 * Alertmanager's value syntax: optionally wrapped in double quotes; inside, \" is a quote,
 * \\ a backslash, \n a line feed, and any other backslash is literal (so regexes like \d+
 * work). An unescaped quote anywhere but at both ends is an error.
 */
export function unquoteValue(raw: string): string {
  let body = raw;
  let expectClosing = false;
  if (body.startsWith('"')) {
    body = body.slice(1);
    expectClosing = true;
  }
  const chars = Array.from(body);
  let value = '';
  for (let i = 0; i < chars.length; i++) {
    const char = chars[i] as string;
    if (char === '\\' && i < chars.length - 1) {
      const next = chars[++i] as string;
      value += next === 'n' ? '\n' : next === '"' || next === '\\' ? next : `\\${next}`;
    } else if (char === '"') {
      if (!expectClosing || i < chars.length - 1) {
        throw new MatcherError(`unescaped double quote in the value ${raw}; quote the whole value and write \\" inside`);
      }
      expectClosing = false;
    } else {
      value += char;
    }
  }
  if (expectClosing) throw new MatcherError(`missing closing double quote in the value ${raw}`);
  return value;
}

function predicateOf(op: MatchOp, value: string, compile: 'now' | 'onFirstUse'): (actual: string) => boolean {
  switch (op) {
    case '=':
      return (actual) => actual === value;
    case '!=':
      return (actual) => actual !== value;
    case '=~':
    case '!~': {
      // A checked pattern of a simple shape runs natively (no regex engine to load at a
      // function start); any other is compiled by re2js when first matched.
      const simple = compile === 'onFirstUse' ? simpleAnchoredTest(value) : undefined;
      let re = compile === 'now' ? compileAnchored(value) : undefined;
      const test = simple ?? ((actual: string) => (re ??= compileAnchored(value)).test(actual));
      return op === '=~' ? test : (actual) => !test(actual);
    }
  }
}

let re2js: typeof RE2JS | undefined;

/** re2js, loaded on first use (its tables cost a start that compiles no regex several ms). */
function engine(): typeof RE2JS {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a deferred load, on purpose
  return (re2js ??= (require('re2js') as typeof import('re2js')).RE2JS);
}

/**
 * `^(?:RE)$` compiled by RE2 and searched, exactly as Go's MatchString runs Alertmanager's
 * pattern: so `a)|(b`, which Alertmanager accepts as `^(?:a)|(b)$`, means the same here
 * (check-config warns about it).
 */
export function compileAnchored(source: string): RE2JS {
  try {
    return engine().compile(`^(?:${source})$`);
  } catch (error) {
    // The error of the pattern as written, not of the wrapped one, when it has one.
    let message = (error as Error).message;
    try {
      engine().compile(source);
    } catch (alone) {
      message = (alone as Error).message;
    }
    throw new MatcherError(`invalid regular expression ${JSON.stringify(source)}: ${message}`);
  }
}

/** Whether the regex is valid on its own: when not, Alertmanager's anchoring leaks (`a)|(b`). */
export function regexStandsAlone(source: string): boolean {
  try {
    engine().compile(source);
    return true;
  } catch {
    return false;
  }
}

/** Why a matcher on a closed-vocabulary field can never do what its author meant, or null. */
export function vocabularyProblem(matcher: Matcher): string | null {
  const vocabulary = VOCABULARIES[matcher.name as ScalarField];
  if (!vocabulary) return null;
  const listed = vocabulary.map((v) => (v === '' ? '"" (none)' : v)).join(', ');
  const { name, op, value } = matcher;
  if (op === '=' || op === '!=') {
    if (vocabulary.includes(value)) return null;
    const near = vocabulary.find((v) => v.toLowerCase() === value.toLowerCase());
    const hint = near ? ` (values are case-sensitive: did you mean ${JSON.stringify(near)}?)` : '';
    return `${JSON.stringify(value)} is not a value of ${name}, which is one of ${listed}${hint}`;
  }
  const test = compileAnchored(value);
  // For !~ the same test holds: a negated regex matching nothing would match everything.
  if (!vocabulary.some((v) => test.test(v))) {
    return `regular expression ${JSON.stringify(value)} matches no value of ${name}, which is one of ${listed}`;
  }
  return null;
}
