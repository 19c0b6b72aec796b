// Reads s.yaml the way Serverless Devs does for the subset of its syntax we use: YAML merge
// keys, and the variables ${vars.NAME}, ${env('NAME')}, ${env('NAME', 'default')} and
// ${config('AccountID')}. Anything else inside ${...} is refused, so s.yaml cannot grow a
// construct that the offline checks would silently pass over.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export interface SYamlContext {
  env: Record<string, string | undefined>;
  /** The value of ${config('AccountID')}: the account of the Serverless Devs access at deploy time. */
  accountId?: string;
}

export interface SYamlResource {
  component: string;
  props: Record<string, unknown>;
}

export interface SYaml {
  edition: string;
  name: string;
  access?: string;
  /** Absent from an s.yaml without variables. */
  vars?: Record<string, unknown>;
  resources: Record<string, SYamlResource>;
}

export class SYamlError extends Error {
  constructor(problem: string) {
    super(`s.yaml: ${problem}`);
    this.name = 'SYamlError';
  }
}

/** The file as written (merge keys applied, variables untouched). */
export function readSYaml(file: string): SYaml {
  return parse(readFileSync(file, 'utf8'), { merge: true }) as SYaml;
}

const VARIABLE = /\$\{([^}]*)\}/g;
const VARS = /^vars\.(?<path>[A-Za-z0-9_.-]+)$/;
const ENV = /^env\(\s*(['"])(?<name>[A-Za-z_][A-Za-z0-9_]*)\1\s*(?:,\s*(['"])(?<fallback>.*)\3\s*)?\)$/;
const ACCOUNT = /^config\(\s*(['"])AccountID\1\s*\)$/;

function lookup(vars: Record<string, unknown>, path: string): unknown {
  const value = path.split('.').reduce<unknown>(
    (node, key) => (typeof node === 'object' && node !== null && Object.hasOwn(node, key) ? (node as Record<string, unknown>)[key] : undefined),
    vars,
  );
  if (value === undefined) throw new SYamlError(`\${vars.${path}} is not defined`);
  return value;
}

function evaluate(expression: string, context: SYamlContext, vars: Record<string, unknown> | undefined): unknown {
  const trimmed = expression.trim();
  const path = VARS.exec(trimmed)?.groups?.path;
  if (path !== undefined) {
    if (!vars) throw new SYamlError(`\${${trimmed}} inside vars: a variable may not refer to another`);
    return lookup(vars, path);
  }
  const env = ENV.exec(trimmed)?.groups;
  if (env?.name !== undefined) {
    const value = context.env[env.name] ?? env.fallback;
    if (value === undefined) throw new SYamlError(`environment variable ${env.name} is not set and has no default`);
    return value;
  }
  if (ACCOUNT.test(trimmed)) {
    if (context.accountId === undefined) throw new SYamlError(`\${${trimmed}} needs an account id`);
    return context.accountId;
  }
  throw new SYamlError(`unsupported variable \${${trimmed}}`);
}

function resolveValue(value: unknown, context: SYamlContext, vars: Record<string, unknown> | undefined): unknown {
  if (typeof value === 'string') {
    const whole = /^\$\{(?<expression>[^}]*)\}$/.exec(value)?.groups?.expression;
    // A value that is one variable takes the variable's value, which may be a map.
    if (whole !== undefined) return evaluate(whole, context, vars);
    return value.replace(VARIABLE, (_text, expression: string) => String(evaluate(expression, context, vars)));
  }
  if (Array.isArray(value)) return value.map((item) => resolveValue(item, context, vars));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolveValue(item, context, vars)]));
  }
  return value;
}

/** The vars, then everything else with the vars substituted. */
export function resolveSYaml(doc: SYaml, context: SYamlContext): SYaml {
  const vars = resolveValue(doc.vars ?? {}, context, undefined) as Record<string, unknown>;
  const { vars: _vars, ...rest } = doc;
  return { ...(resolveValue(rest, context, vars) as Omit<SYaml, 'vars'>), vars };
}
