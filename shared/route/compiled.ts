// router.json: a router.yaml validated and compiled at build time (scripts/build.ts), shipped
// beside each function's bundle as plain JSON, so that a cold start parses no YAML and runs
// no schema. Its matchers are kept as their text and parsed again at start (a regex is not
// JSON); their regexes, checked by the build, are compiled when first matched. Targets whose settings reference a secret (`${env:NAME}`) keep their settings
// as written: the references are resolved, and those settings validated, when the function
// starts, where the secrets are. Errors still name router.yaml, its line and the path.
import { readFileSync } from 'node:fs';
import { ConfigError } from '../model/errors';
import { redact } from '../log';
import { loadTargetType } from '../targets/registry';
import { parseCheckedMatcher } from './matcher';
import { ReferenceProblem, resolveReferences } from './references';
import type { Matcher, RouterConfig } from './types';

type Env = Record<string, string | undefined>;

export const ROUTER_JSON = 'router.json';
export const ROUTER_JSON_FORMAT = 'alert-router/router.json@1';

export interface RouterJson {
  format: typeof ROUTER_JSON_FORMAT;
  /** The router.yaml it was compiled from, as given to the build: errors name it. */
  source: string;
  /** The RouterConfig, matchers as `{ "$matcher": text }`. */
  config: unknown;
  /**
   * Targets whose settings hold secret references, validated at start; with the line in
   * router.yaml of every path inside their settings (`targets.hook.headers.authorization`).
   */
  atStart: Record<string, { lines: Record<string, number> }>;
}

const isMatcher = (value: unknown): value is Matcher =>
  typeof value === 'object' && value !== null && typeof (value as Matcher).matches === 'function' && typeof (value as Matcher).text === 'string';

/** The JSON of a compiled config; `atStart` as in RouterJson, their settings as written. */
export function serializeConfig(config: RouterConfig, atStart: RouterJson['atStart'] = {}): RouterJson {
  const { file, ...rest } = config;
  const plain = JSON.parse(JSON.stringify(rest, (_key, value: unknown) => (isMatcher(value) ? { $matcher: value.text } : value))) as unknown;
  return { format: ROUTER_JSON_FORMAT, source: file, config: plain, atStart };
}

export async function loadRouterJson(file: string, env: Env = process.env): Promise<RouterConfig> {
  let text: string;
  try {
    // Read once at start, before any invocation: a synchronous read spares the function
    // node:fs/promises (and what it loads) when nothing else of it needs it.
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(file, '', `cannot read the file: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(file, '', `not valid JSON: ${(error as Error).message}`);
  }
  return fromRouterJson(json, file, env);
}

/** A router.json of this version: the format names the whole shape the build wrote. */
function isRouterJson(value: unknown): value is RouterJson {
  return typeof value === 'object' && value !== null && (value as { format?: unknown }).format === ROUTER_JSON_FORMAT;
}

export async function fromRouterJson(json: unknown, file: string, env: Env = process.env): Promise<RouterConfig> {
  if (!isRouterJson(json)) {
    throw new ConfigError(file, 'format', `not a compiled router config of this version (expected ${ROUTER_JSON_FORMAT}): rebuild it from router.yaml`);
  }
  const revived = JSON.parse(JSON.stringify(json.config), (_key, value: unknown) =>
    typeof value === 'object' && value !== null && typeof (value as { $matcher?: unknown }).$matcher === 'string'
      ? parseCheckedMatcher((value as { $matcher: string }).$matcher)
      : value,
  ) as Omit<RouterConfig, 'file'>;
  const config: RouterConfig = { ...revived, file: json.source };
  for (const [name, { lines }] of Object.entries(json.atStart)) {
    const target = config.targets[name];
    if (!target) throw new ConfigError(file, `targets.${name}`, 'is validated at start but not defined');
    target.settings = await settingsAtStart(name, target.type, target.settings, lines, json.source, env);
  }
  return config;
}

/** The line of the deepest path (or a parent of it) router.yaml has a line for. */
function lineOf(lines: Record<string, number>, path: string): number | undefined {
  for (let p = path; p; p = p.replace(/(\.[^.]*|\[\d+\])$/, '')) {
    if (lines[p] !== undefined) return lines[p];
    if (!/[.[]/.test(p)) break;
  }
  return undefined;
}

function formatSettingsPath(name: string, path: (string | number)[]): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : `${out}.${key}`), `targets.${name}`);
}

/** Resolves the target's references and validates its settings with its type's schema. */
async function settingsAtStart(name: string, typeName: string, settings: unknown, lines: Record<string, number>, source: string, env: Env): Promise<unknown> {
  const fail = (path: (string | number)[], problem: string) => {
    const at = formatSettingsPath(name, path);
    return new ConfigError(source, at, redact(problem), lineOf(lines, at));
  };
  let resolved: unknown;
  try {
    resolved = resolveReferences(settings, env).value;
  } catch (error) {
    if (error instanceof ReferenceProblem) throw fail(error.path, error.message);
    throw error;
  }
  const type = await loadTargetType(typeName);
  if (!type) throw fail(['type'], `unknown target type "${typeName}"`);
  const { plainIssueMessage } = await import('./schema');
  const result = type.settings.safeParse(resolved, { error: plainIssueMessage });
  if (result.success) return result.data;
  const [issue] = result.error.issues;
  if (!issue) throw fail([], result.error.message);
  throw fail(issue.path.map((key) => (typeof key === 'number' ? key : String(key))), issue.message);
}
