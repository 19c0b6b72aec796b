// Loads router.yaml: YAML with positions, the file schema, each target type's settings,
// secret references, matchers, the routing tree, time intervals and silences. Every problem
// names the file, the line, the path inside the file and what is wrong, never a secret's
// value. compileConfig() collects every problem (check-config reports them all at once);
// loadConfig() refuses with the first one as a ConfigError.
import { readFile } from 'node:fs/promises';
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import type { Alert } from '../model/alert';
import { ConfigError } from '../model/errors';
import { redact } from '../log';
import { ReferenceProblem, resolveReferences } from './references';
import { loadTargetType } from '../targets/registry';
import type { TargetType } from '../targets/contract';
import { IntervalError, compileTimeInterval } from './interval';
import { MatcherError, parseMatchers, vocabularyProblem } from './matcher';
import {
  COMMON_TARGET_KEYS,
  DEFAULT_RETRIES,
  DEFAULT_TIMEOUT_MS,
  plainIssueMessage,
  routerFileSchema,
  unknownKeysMessage,
  type RouteFile,
  type RouterFile,
} from './schema';
import type { Matcher, Route, RouterConfig, SeverityRule, Silence, TargetConfig, TimeInterval } from './types';

export const DEFAULT_CONFIG_FILE = 'router.yaml';

type Env = Record<string, string | undefined>;
type Path = readonly (string | number)[];

/** The file to load: the argument, else ROUTER_CONFIG, else router.yaml in the current directory. */
export function configFile(file?: string, env: Env = process.env): string {
  return file || env.ROUTER_CONFIG || DEFAULT_CONFIG_FILE;
}

export async function loadConfig(file?: string, env: Env = process.env): Promise<RouterConfig> {
  const path = configFile(file, env);
  return parseConfig(await readConfigText(path), path, env);
}

/** The text of a config file; a ConfigError when it cannot be read. */
export async function readConfigText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(path, '', `cannot read the file: ${readProblem(error)}`);
  }
}

/** Validates the text of a router.yaml; `file` is only used in messages. Refuses with the first problem. */
export async function parseConfig(text: string, file: string, env: Env = process.env): Promise<RouterConfig> {
  const { config, problems } = await compileConfig(text, file, { env });
  const [first] = problems.filter((problem) => problem.level === 'error');
  if (first || !config) throw first ? toError(first) : new ConfigError(file, '', 'invalid configuration');
  return config;
}

/** One problem of a config file. Errors make it unusable; warnings are traps (check-config). */
export interface ConfigProblem {
  level: 'error' | 'warning';
  file: string;
  line?: number;
  /** The path inside the file: `route.routes[1].matchers[0]`. */
  path: string;
  message: string;
}

export function toError(problem: ConfigProblem): ConfigError {
  return new ConfigError(problem.file, problem.path, problem.message, problem.line);
}

export interface CompileOptions {
  env?: Env;
  /**
   * `resolve` (the default) resolves every secret reference and refuses unset variables;
   * `check` only checks their syntax, so a config can be checked where its secrets are not set.
   */
  secrets?: 'resolve' | 'check';
}

export interface CompiledConfig {
  /** Undefined when the file is not even shaped right (YAML or schema errors). */
  config?: RouterConfig;
  problems: ConfigProblem[];
  /** The line of a path inside the file (`route.routes[1]`), for later checks. */
  lineOf(path: string): number | undefined;
  /**
   * Paths of routes, rules and silences compiled without a matcher or interval that had an
   * error, and `ROUTE.targets` for routes without a target that had one: later checks skip them.
   */
  incomplete: ReadonlySet<string>;
}

/** Parses and validates a router.yaml, collecting every problem instead of stopping at the first. */
export async function compileConfig(text: string, file: string, options: CompileOptions = {}): Promise<CompiledConfig> {
  const env = options.env ?? process.env;
  let source: Source;
  try {
    source = Source.parse(text, file);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return { problems: [fromError(error)], lineOf: () => undefined, incomplete: new Set() };
  }
  const lineOf = (path: string) => source.lineOf(parsePath(path));
  const data = source.validate(routerFileSchema());
  if (!data) return { problems: source.problems, lineOf, incomplete: source.incomplete };
  // In the order of the sections in a usual file, so the first problem reported is the
  // first one a reader meets.
  const severityRules = (data.severity ?? []).map(
    (rule, i): SeverityRule => ({
      path: formatPath(['severity', i]),
      matchers: compileMatchers(rule.matchers, ['severity', i], source),
      severity: rule.severity,
    }),
  );
  const targets = await compileTargets(data, source, env, options.secrets ?? 'resolve');
  const timeIntervals = compileTimeIntervals(data, source);
  const route = compileRoute(data.route, ['route'], undefined, { targets: Object.keys(data.targets), intervals: Object.keys(timeIntervals) }, source);
  const silences = compileSilences(data, source);
  return { config: { file, targets, route, severityRules, timeIntervals, silences, ...(data.state ? { state: data.state } : {}) }, problems: source.problems, lineOf, incomplete: source.incomplete };
}

function fromError(error: ConfigError): ConfigProblem {
  return { level: 'error', file: error.file, line: error.line, path: error.path, message: error.problem };
}

/** `route.routes[1].matchers` -> ['route', 'routes', 1, 'matchers']. */
export function parsePath(path: string): (string | number)[] {
  return [...path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : (m[1] as string)));
}

/** `targets.ops-hook.url`, `route.routes[1].matchers[0]`. */
export function formatPath(path: Path): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${key}` : key), '');
}

/** The parsed YAML document, to turn a path inside the file into a line number. */
class Source {
  readonly problems: ConfigProblem[] = [];
  readonly incomplete = new Set<string>();

  private constructor(
    readonly file: string,
    private readonly doc: Document,
    private readonly lines: LineCounter,
    readonly data: unknown,
  ) {}

  static parse(text: string, file: string): Source {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
    const [syntax] = doc.errors;
    if (syntax) {
      const line = lines.linePos(syntax.pos[0]).line;
      throw new ConfigError(file, '', `YAML syntax error: ${syntax.message}`, line);
    }
    if (doc.contents === null) {
      throw new ConfigError(file, '', 'the file is empty; expected a mapping with version, targets and route');
    }
    let data: unknown;
    try {
      // The alias limit keeps a "billion laughs" file from exhausting memory.
      data = doc.toJS({ maxAliasCount: 100 });
    } catch (error) {
      throw new ConfigError(file, '', `YAML error: ${(error as Error).message}`);
    }
    return new Source(file, doc, lines, data);
  }

  error(path: Path, problem: string): ConfigError {
    return new ConfigError(this.file, formatPath(path), redact(problem), this.lineOf(path));
  }

  report(path: Path, problem: string, level: ConfigProblem['level'] = 'error'): void {
    this.problems.push({ level, file: this.file, line: this.lineOf(path), path: formatPath(path), message: redact(problem) });
  }

  /** Runs `step`; a ConfigError it throws is reported and `fallback` returned instead. */
  attempt<T>(step: () => T, fallback: T): T {
    try {
      return step();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      this.problems.push(fromError(error));
      return fallback;
    }
  }

  /**
   * Validates `value` (the whole file unless given), reporting every issue in file order;
   * undefined when there was one. `ignore` drops issues at paths that cannot be judged.
   */
  validate<S extends z.ZodType>(
    schema: S,
    at: Path = [],
    value: unknown = this.data,
    extraKeys: readonly string[] = [],
    ignore: (path: Path) => boolean = () => false,
  ): z.output<S> | undefined {
    const result = schema.safeParse(value, {
      error: (issue) =>
        issue.code === 'unrecognized_keys' && !issue.path?.length && extraKeys.length > 0
          ? unknownKeysMessage(issue.keys, issue.inst, extraKeys)
          : plainIssueMessage(issue),
    });
    if (result.success) return result.data;
    const issues = result.error.issues.filter((issue) => !ignore(issue.path.map((key) => (typeof key === 'number' ? key : String(key)))));
    if (issues.length === 0) return value as z.output<S>;
    const located = issues.map((issue) => {
      // An unknown key is reported at the key itself, so the line is the typo's line.
      const extra = issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined ? [issue.keys[0]] : [];
      const path = [...at, ...issue.path.map((key) => (typeof key === 'number' ? key : String(key))), ...extra];
      const missing = valueAt(value, path.slice(at.length)) === undefined;
      return { path, message: issue.message, missing, line: this.lineOf(path) ?? Number.MAX_SAFE_INTEGER };
    });
    // A missing key comes after every other issue: it is usually caused by a typo reported
    // as an unknown key. Otherwise file order, so that fixing top to bottom works.
    located.sort((a, b) => Number(a.missing) - Number(b.missing) || a.line - b.line);
    for (const issue of located) this.report(issue.path, issue.message);
    return undefined;
  }

  lineOf(path: Path): number | undefined {
    return lineAtPath(this.doc, this.lines, path);
  }
}

/** Line of the deepest node on the path in a YAML document: a mapping entry's key, or a list item. */
export function lineAtPath(doc: Document, lines: LineCounter, path: Path): number | undefined {
  let node: unknown = doc.contents;
  let offset: number | undefined;
  for (const key of path) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find((p) => String(isScalar(p.key) ? p.key.value : p.key) === String(key));
      if (!pair) break;
      offset = isScalar(pair.key) ? pair.key.range?.[0] : offset;
      node = pair.value;
    } else if (isSeq(node) && typeof key === 'number') {
      const item = node.items[key];
      if (!item) break;
      offset = (item as { range?: [number, number, number] }).range?.[0] ?? offset;
      node = item;
    } else {
      break;
    }
  }
  return offset === undefined ? undefined : lines.linePos(offset).line;
}

function readProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  return (error as Error).message;
}

async function compileTargets(data: RouterFile, source: Source, env: Env, secrets: 'resolve' | 'check'): Promise<Record<string, TargetConfig>> {
  const entries = Object.entries(data.targets) as [string, Record<string, unknown> & { type: string }][];
  // Each type's module is loaded once, all in parallel; a failure is reported at the first
  // target of that type, in file order.
  const types = new Map<string, Promise<TargetType | undefined | Error>>();
  for (const [, entry] of entries) {
    if (!types.has(entry.type)) {
      types.set(entry.type, loadTargetType(entry.type).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error)))));
    }
  }
  const targets: Record<string, TargetConfig> = {};
  for (const [name, entry] of entries) {
    const at = ['targets', name];
    const type = await types.get(entry.type);
    const target = source.attempt((): TargetConfig | undefined => {
      if (!type || type instanceof Error) {
        const why = type instanceof Error ? `: ${type.message.split('\n')[0]}` : '';
        throw source.error([...at, 'type'], `target type ${JSON.stringify(entry.type)} cannot be loaded${why}`);
      }
      const { type: _type, timeoutMs, retries, ...raw } = entry;
      const resolved = resolveTargetReferences(raw, at, source, env, secrets);
      for (const key of type.secretKeys ?? []) {
        const path = key.split('.');
        if (valueAt(raw, path) !== undefined && !resolved.referenced.has(key)) {
          throw source.error([...at, ...path], 'must be a secret reference like ${env:NAME}, not a literal');
        }
      }
      // A setting holding an unset variable's placeholder cannot be judged: its issues are dropped.
      const unjudged = (path: Path) => resolved.unresolved.has(path.join('.'));
      const settings = source.validate(type.settings, at, resolved.value, COMMON_TARGET_KEYS, unjudged);
      if (settings === undefined) return undefined;
      return {
        name,
        type: entry.type,
        settings,
        policy: {
          timeoutMs: (timeoutMs as number | undefined) ?? data.defaults?.timeoutMs ?? DEFAULT_TIMEOUT_MS,
          retries: (retries as number | undefined) ?? data.defaults?.retries ?? DEFAULT_RETRIES,
        },
      };
    }, undefined);
    if (target) targets[name] = target;
  }
  return targets;
}

function valueAt(value: unknown, path: readonly (string | number)[]): unknown {
  return path.reduce<unknown>(
    (node, key) =>
      typeof node === 'object' && node !== null && Object.hasOwn(node, key) ? (node as Record<string | number, unknown>)[key] : undefined,
    value,
  );
}

/** resolveReferences (references.ts), its problems located in the file. */
function resolveTargetReferences(settings: Record<string, unknown>, at: Path, source: Source, env: Env, secrets: 'resolve' | 'check') {
  try {
    return resolveReferences(settings, env, secrets);
  } catch (error) {
    if (error instanceof ReferenceProblem) throw source.error([...at, ...error.path], error.message);
    throw error;
  }
}

function compileMatchers(texts: readonly string[] | undefined, at: Path, source: Source): Matcher[] {
  return (texts ?? []).flatMap((text, i) =>
    source.attempt(() => {
      try {
        const matchers = parseMatchers(text);
        for (const matcher of matchers) {
          const problem = vocabularyProblem(matcher);
          if (problem) throw new MatcherError(problem);
        }
        return matchers;
      } catch (error) {
        if (error instanceof MatcherError) {
          source.incomplete.add(formatPath(at));
          throw source.error([...at, 'matchers', i], error.message);
        }
        throw error;
      }
    }, []),
  );
}

interface Defined {
  targets: readonly string[];
  intervals: readonly string[];
}

function compileRoute(file: RouteFile, at: Path, parent: Route | undefined, defined: Defined, source: Source): Route {
  const path = formatPath(at);
  // A route that lost a target to an error, or inherits from one that did: later checks
  // must not judge its targets (`PATH.targets` in `incomplete`).
  if (!file.targets && parent && source.incomplete.has(`${parent.path}.targets`)) source.incomplete.add(`${path}.targets`);
  const known = (key: 'targets' | 'muteTimeIntervals' | 'activeTimeIntervals', names: readonly string[], what: string) =>
    (file[key] ?? []).filter((name, i) => {
      if (names.includes(name)) return true;
      source.incomplete.add(key === 'targets' ? `${path}.targets` : path);
      source.report([...at, key, i], `unknown ${what} ${JSON.stringify(name)}; defined ${what}s: ${names.join(', ') || '(none)'}`);
      return false;
    });
  const node: Route = {
    path,
    matchers: compileMatchers(file.matchers, at, source),
    targets: file.targets ? known('targets', defined.targets, 'target') : [...(parent?.targets ?? [])],
    continue: file.continue ?? false,
    muted: file.muted ?? parent?.muted ?? 'skip',
    muteTimeIntervals: known('muteTimeIntervals', defined.intervals, 'time interval'),
    activeTimeIntervals: known('activeTimeIntervals', defined.intervals, 'time interval'),
    routes: [],
  };
  node.routes = (file.routes ?? []).map((child, i) => compileRoute(child, [...at, 'routes', i], node, defined, source));
  return node;
}

function compileTimeIntervals(data: RouterFile, source: Source): Record<string, TimeInterval[]> {
  const compiled: Record<string, TimeInterval[]> = {};
  for (const [name, intervals] of Object.entries(data.timeIntervals ?? {})) {
    compiled[name] = intervals.flatMap((interval, i) => {
      try {
        return [compileTimeInterval(interval)];
      } catch (error) {
        if (!(error instanceof IntervalError)) throw error;
        source.report(['timeIntervals', name, i, ...error.field], error.message);
        return [];
      }
    });
  }
  return compiled;
}

/** An alert whose every field and label reads as "": what matches it would match anything. */
const EMPTY_ALERT = { labels: {}, annotations: {} } as unknown as Alert;

/** RFC 3339 with a time zone, as Alertmanager's API takes them. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function compileSilences(data: RouterFile, source: Source): Silence[] {
  return (data.silences ?? []).flatMap((file, i): Silence[] => {
    const at = ['silences', i];
    const time = (key: 'startsAt' | 'endsAt') => {
      const text = file[key];
      const ms = RFC3339.test(text) ? Date.parse(text) : NaN;
      if (Number.isNaN(ms)) source.report([...at, key], `${JSON.stringify(text)} is not an RFC 3339 time with a zone, e.g. 2026-12-01T22:00:00Z`);
      return ms;
    };
    const startsAt = time('startsAt');
    const endsAt = time('endsAt');
    if (startsAt >= endsAt) source.report([...at, 'endsAt'], `endsAt ${file.endsAt} must be after startsAt ${file.startsAt}`);
    const matchers = compileMatchers(file.matchers, at, source);
    if (matchers.length > 0 && matchers.every((matcher) => matcher.matches(EMPTY_ALERT))) {
      source.report([...at, 'matchers'], 'a silence needs at least one matcher that does not match an empty value (as in Alertmanager): this one would silence every alert');
    }
    return [{ path: formatPath(at), matchers, startsAt, endsAt, createdBy: file.createdBy, comment: file.comment }];
  });
}
