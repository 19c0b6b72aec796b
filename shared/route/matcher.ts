// Alertmanager-style matchers: `NAME OP VALUE`, OP one of = != =~ !~, VALUE optionally
// double-quoted with amtool's escapes. Used by routes and severity rules in router.yaml.
import { CLOUDS, KINDS, PROVIDERS, SEVERITIES, STATUSES, type Alert } from '../model/alert';
import type { Matcher, MatchOp } from './types';

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
 * of it, can never do what its author meant: it is refused as a typo. Null counts as "".
 */
const VOCABULARIES: Partial<Record<ScalarField, readonly string[]>> = {
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

// '=~' and '!~' before '=' so that '~' is never taken as the first character of the value.
// A name is anything up to whitespace or an operator character, checked afterwards so the
// error can list the valid names.
const MATCHER_RE = /^\s*([^\s=!~"]+)\s*(=~|!~|!=|=)\s*(.*?)\s*$/s;

const VALID_NAMES = `${MATCHER_FIELDS.join(', ')}, ${MAP_FIELDS.map((m) => `${m}.<key>`).join(', ')}`;

/** Parses `severity=~"critical|error"` into a Matcher; throws MatcherError naming the problem. */
export function parseMatcher(text: string): Matcher {
  const parts = MATCHER_RE.exec(text);
  if (!parts) {
    throw new MatcherError(`bad matcher ${JSON.stringify(text)}: expected NAME OP VALUE with OP one of =, !=, =~, !~, e.g. severity="critical"`);
  }
  const [, name = '', op = '', raw = ''] = parts;
  const read = readerOf(name);
  const value = unquote(raw);
  const test = predicateOf(op as MatchOp, value);
  checkVocabulary(name, op as MatchOp, value, test);
  return {
    name,
    op: op as MatchOp,
    value,
    text: text.trim(),
    matches: (alert) => test(read(alert) ?? ''),
  };
}

export function matchesAll(matchers: readonly Matcher[], alert: Alert): boolean {
  return matchers.every((matcher) => matcher.matches(alert));
}

/** `{severity="critical", labels.team=~"db|web"}`: the canonical form, as amtool prints it. */
export function formatMatchers(matchers: readonly Matcher[]): string {
  return `{${matchers.map((m) => `${m.name}${m.op}${quote(m.value)}`).join(', ')}}`;
}

function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

function readerOf(name: string): (alert: Alert) => string | null | undefined {
  if ((MATCHER_FIELDS as readonly string[]).includes(name)) {
    return (alert) => alert[name as ScalarField];
  }
  // Everything after the first dot is the key, so keys with dots (k8s.io/name) work.
  const dot = name.indexOf('.');
  const map = name.slice(0, dot);
  const key = name.slice(dot + 1);
  if (dot > 0 && (MAP_FIELDS as readonly string[]).includes(map)) {
    if (!key) throw new MatcherError(`${name} needs a key after the dot, e.g. ${map}.team`);
    return (alert) => {
      const entries = alert[map as (typeof MAP_FIELDS)[number]];
      return Object.hasOwn(entries, key) ? entries[key] : undefined;
    };
  }
  throw new MatcherError(`unknown field ${JSON.stringify(name)}; a matcher names one of ${VALID_NAMES}`);
}

/**
 * amtool's value syntax: optionally wrapped in double quotes; inside, \" is a quote, \\ a
 * backslash, \n a line feed, and any other backslash is literal (so regexes like \d+ work).
 */
function unquote(raw: string): string {
  const quoted = raw.startsWith('"');
  const body = quoted ? raw.slice(1) : raw;
  let value = '';
  let closed = false;
  for (let i = 0; i < body.length; i++) {
    const char = body[i] as string;
    if (closed) throw new MatcherError(`unexpected text after the closing quote in ${raw}`);
    if (char === '\\' && i < body.length - 1) {
      const next = body[++i] as string;
      value += next === 'n' ? '\n' : next === '"' || next === '\\' ? next : `\\${next}`;
    } else if (char === '"') {
      if (!quoted) throw new MatcherError(`unescaped double quote in ${raw}; quote the whole value and write \\" inside`);
      closed = true;
    } else {
      value += char;
    }
  }
  if (quoted && !closed) throw new MatcherError(`missing closing double quote in ${raw}`);
  return value;
}

function predicateOf(op: MatchOp, value: string): (actual: string) => boolean {
  switch (op) {
    case '=':
      return (actual) => actual === value;
    case '!=':
      return (actual) => actual !== value;
    case '=~':
    case '!~': {
      const re = compileAnchored(value);
      return op === '=~' ? (actual) => re.test(actual) : (actual) => !re.test(actual);
    }
  }
}

function compileAnchored(source: string): RegExp {
  try {
    // Compiled alone first: `a)|(b` is invalid alone but would compile, unanchored, once wrapped.
    new RegExp(source);
    return new RegExp(`^(?:${source})$`);
  } catch (error) {
    throw new MatcherError(`invalid regular expression ${JSON.stringify(source)}: ${(error as Error).message}`);
  }
}

function checkVocabulary(name: string, op: MatchOp, value: string, test: (actual: string) => boolean): void {
  const vocabulary = VOCABULARIES[name as ScalarField];
  if (!vocabulary) return;
  const listed = vocabulary.map((v) => (v === '' ? '"" (none)' : v)).join(', ');
  if ((op === '=' || op === '!=') && !vocabulary.includes(value)) {
    throw new MatcherError(`${JSON.stringify(value)} is not a value of ${name}, which is one of ${listed}`);
  }
  // For !~ the same test holds: a negated regex matching nothing would match everything.
  const positive = op === '!~' ? (actual: string) => !test(actual) : test;
  if ((op === '=~' || op === '!~') && !vocabulary.some(positive)) {
    throw new MatcherError(`regular expression ${JSON.stringify(value)} matches no value of ${name}, which is one of ${listed}`);
  }
}
