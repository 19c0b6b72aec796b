// EventBridge event-pattern matching, for tests that prove which deployed function an event
// reaches. Implements the rules AWS EventBridge documents (and Alibaba EventBridge shares for
// the operators it supports): every key of the pattern must match; a leaf is an array of
// alternatives (OR); a nested object matches the nested event object; an array value in the
// event matches when any of its elements matches. Operators: exact values (string, number,
// boolean, null), prefix, suffix, equals-ignore-case, wildcard, anything-but, exists,
// numeric, cidr (IPv4), and $or. A malformed pattern throws, so a typo in a template fails a
// test instead of silently matching nothing.

export type EventPattern = { [key: string]: unknown };

export class PatternError extends Error {
  constructor(path: string, problem: string) {
    super(`event pattern ${path || '(root)'}: ${problem}`);
    this.name = 'PatternError';
  }
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** True when `event` matches `pattern` (a parsed JSON pattern, or its JSON text). */
export function matchesPattern(pattern: EventPattern | string, event: unknown): boolean {
  const parsed: unknown = typeof pattern === 'string' ? JSON.parse(pattern) : pattern;
  if (!isObject(parsed)) throw new PatternError('', 'a pattern is a JSON object');
  return matchObject(parsed, event, '');
}

function matchObject(pattern: Record<string, unknown>, event: unknown, path: string): boolean {
  const fields = isObject(event) ? event : {};
  return Object.entries(pattern).every(([key, rule]) => {
    const here = path ? `${path}.${key}` : key;
    if (key === '$or') return matchOr(rule, fields, here);
    const present = Object.hasOwn(fields, key);
    if (Array.isArray(rule)) return matchLeaf(rule, present, fields[key], here);
    if (isObject(rule)) return present && isObject(fields[key]) && matchObject(rule, fields[key], here);
    throw new PatternError(here, 'a leaf must be an array of values or matchers');
  });
}

function matchOr(rule: unknown, fields: Record<string, unknown>, path: string): boolean {
  if (!Array.isArray(rule) || rule.length < 2 || !rule.every(isObject)) {
    throw new PatternError(path, '$or takes an array of at least two patterns');
  }
  return rule.some((alternative) => matchObject(alternative, fields, path));
}

function matchLeaf(alternatives: unknown[], present: boolean, value: unknown, path: string): boolean {
  if (alternatives.length === 0) throw new PatternError(path, 'an empty array matches nothing');
  const values: unknown[] = Array.isArray(value) ? value : [value];
  return alternatives.some((alternative) => {
    if (isObject(alternative)) {
      const [operator, operand] = singleEntry(alternative, path);
      if (operator === 'exists') {
        if (typeof operand !== 'boolean') throw new PatternError(path, 'exists takes true or false');
        return operand === present;
      }
      return present && values.some((v) => matchOperator(operator, operand, v, path));
    }
    return present && values.some((v) => exactlyEqual(alternative, v, path));
  });
}

function singleEntry(matcher: Record<string, unknown>, path: string): [string, unknown] {
  const entries = Object.entries(matcher);
  if (entries.length !== 1) throw new PatternError(path, `a matcher has exactly one operator, got ${Object.keys(matcher).join(', ') || 'none'}`);
  return entries[0]!;
}

function exactlyEqual(expected: unknown, actual: unknown, path: string): boolean {
  if (expected === null || ['string', 'number', 'boolean'].includes(typeof expected)) {
    return expected === actual;
  }
  throw new PatternError(path, `unsupported value ${JSON.stringify(expected as Json)}`);
}

function matchOperator(operator: string, operand: unknown, value: unknown, path: string): boolean {
  switch (operator) {
    case 'prefix':
      return matchAffix(operand, value, path, (v, s) => v.startsWith(s));
    case 'suffix':
      return matchAffix(operand, value, path, (v, s) => v.endsWith(s));
    case 'equals-ignore-case':
      return typeof value === 'string' && value.toLowerCase() === requireString(operand, path, operator).toLowerCase();
    case 'wildcard':
      return typeof value === 'string' && wildcardRegExp(requireString(operand, path, operator)).test(value);
    case 'anything-but':
      return matchAnythingBut(operand, value, path);
    case 'numeric':
      return typeof value === 'number' && matchNumeric(operand, value, path);
    case 'cidr':
      return typeof value === 'string' && matchCidr(requireString(operand, path, operator), value, path);
    default:
      throw new PatternError(path, `unknown operator ${operator}`);
  }
}

function requireString(operand: unknown, path: string, operator: string): string {
  if (typeof operand !== 'string') throw new PatternError(path, `${operator} takes a string`);
  return operand;
}

/** prefix/suffix take a string, or {"equals-ignore-case": string}. */
function matchAffix(operand: unknown, value: unknown, path: string, test: (value: string, affix: string) => boolean): boolean {
  if (typeof value !== 'string') return false;
  if (typeof operand === 'string') return test(value, operand);
  if (isObject(operand)) {
    const [modifier, affix] = singleEntry(operand, path);
    if (modifier === 'equals-ignore-case' && typeof affix === 'string') return test(value.toLowerCase(), affix.toLowerCase());
  }
  throw new PatternError(path, 'prefix and suffix take a string or {"equals-ignore-case": string}');
}

function wildcardRegExp(wildcard: string): RegExp {
  const escaped = wildcard.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`, 's');
}

function matchAnythingBut(operand: unknown, value: unknown, path: string): boolean {
  if (isObject(operand)) {
    const [operator, inner] = singleEntry(operand, path);
    if (!['prefix', 'suffix', 'equals-ignore-case', 'wildcard'].includes(operator)) {
      throw new PatternError(path, `anything-but does not take ${operator}`);
    }
    const excluded = Array.isArray(inner) ? inner : [inner];
    return typeof value === 'string' && !excluded.some((e) => matchOperator(operator, e, value, path));
  }
  const excluded = Array.isArray(operand) ? operand : [operand];
  return !excluded.some((e) => exactlyEqual(e, value, path));
}

const NUMERIC_OPERATORS: Record<string, (a: number, b: number) => boolean> = {
  '=': (a, b) => a === b,
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
};

function matchNumeric(operand: unknown, value: number, path: string): boolean {
  if (!Array.isArray(operand) || operand.length === 0 || operand.length % 2 !== 0) {
    throw new PatternError(path, 'numeric takes pairs of operator and number');
  }
  for (let i = 0; i < operand.length; i += 2) {
    const compare = NUMERIC_OPERATORS[String(operand[i])];
    const bound = operand[i + 1];
    if (!compare || typeof bound !== 'number') throw new PatternError(path, `bad numeric comparison ${JSON.stringify(operand)}`);
    if (!compare(value, bound)) return false;
  }
  return true;
}

function ipv4ToNumber(address: string): number | undefined {
  const parts = address.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

function matchCidr(cidr: string, value: string, path: string): boolean {
  const [network, bitsText] = cidr.split('/');
  const base = ipv4ToNumber(network ?? '');
  const bits = Number(bitsText);
  if (base === undefined || !Number.isInteger(bits) || bits < 0 || bits > 32) throw new PatternError(path, `bad cidr ${cidr}`);
  const address = ipv4ToNumber(value);
  if (address === undefined) return false;
  const size = 2 ** (32 - bits);
  return Math.floor(address / size) === Math.floor(base / size);
}
