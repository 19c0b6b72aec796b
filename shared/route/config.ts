// Loads router.yaml: YAML with positions, the file schema, each target type's settings,
// secret references, matchers and the routing tree. Every refusal is a ConfigError naming
// the file, the line, the path inside the file and the problem, never a secret's value.
import { readFile } from 'node:fs/promises';
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../model/errors';
import { redact, registerSecret } from '../log';
import { loadTargetType } from '../targets/registry';
import type { TargetType } from '../targets/contract';
import { MatcherError, parseMatcher } from './matcher';
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
import type { Matcher, Route, RouterConfig, SeverityRule, TargetConfig } from './types';

export const DEFAULT_CONFIG_FILE = 'router.yaml';

type Env = Record<string, string | undefined>;
type Path = readonly (string | number)[];

/** The file to load: the argument, else ROUTER_CONFIG, else router.yaml in the current directory. */
export function configFile(file?: string, env: Env = process.env): string {
  return file || env.ROUTER_CONFIG || DEFAULT_CONFIG_FILE;
}

export async function loadConfig(file?: string, env: Env = process.env): Promise<RouterConfig> {
  const path = configFile(file, env);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(path, '', `cannot read the file: ${readProblem(error)}`);
  }
  return parseConfig(text, path, env);
}

/** Validates the text of a router.yaml; `file` is only used in messages. */
export async function parseConfig(text: string, file: string, env: Env = process.env): Promise<RouterConfig> {
  const source = Source.parse(text, file);
  const data = source.validate(routerFileSchema());
  // In the order of the sections in a usual file, so the first problem reported is the
  // first one a reader meets.
  const severityRules = (data.severity ?? []).map(
    (rule, i): SeverityRule => ({
      path: formatPath(['severity', i]),
      matchers: compileMatchers(rule.matchers, ['severity', i], source),
      severity: rule.severity,
    }),
  );
  const targets = await compileTargets(data, source, env);
  const route = compileRoute(data.route, ['route'], undefined, Object.keys(targets), source);
  return { file, targets, route, severityRules, ...(data.state ? { state: data.state } : {}) };
}

/** `targets.ops-hook.url`, `route.routes[1].matchers[0]`. */
export function formatPath(path: Path): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${key}` : key), '');
}

/** The parsed YAML document, to turn a path inside the file into a line number. */
class Source {
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

  /** Validates `value` (the whole file unless given), refusing with the first issue in file order. */
  validate<S extends z.ZodType>(schema: S, at: Path = [], value: unknown = this.data, extraKeys: readonly string[] = []): z.output<S> {
    const result = schema.safeParse(value, {
      error: (issue) =>
        issue.code === 'unrecognized_keys' && !issue.path?.length && extraKeys.length > 0
          ? unknownKeysMessage(issue.keys, issue.inst, extraKeys)
          : plainIssueMessage(issue),
    });
    if (result.success) return result.data;
    const located = result.error.issues.map((issue) => {
      // An unknown key is reported at the key itself, so the line is the typo's line.
      const extra = issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined ? [issue.keys[0]] : [];
      const path = [...at, ...issue.path.map((key) => (typeof key === 'number' ? key : String(key))), ...extra];
      const missing = valueAt(value, path.slice(at.length)) === undefined;
      return { path, message: issue.message, missing, line: this.lineOf(path) ?? Number.MAX_SAFE_INTEGER };
    });
    // A missing key comes after every other issue: it is usually caused by a typo reported
    // as an unknown key. Otherwise file order, so that fixing top to bottom works.
    located.sort((a, b) => Number(a.missing) - Number(b.missing) || a.line - b.line);
    const [first] = located as [(typeof located)[number]];
    throw this.error(first.path, first.message);
  }

  /** Line of the deepest node on the path: a mapping entry's key, or a list item. */
  lineOf(path: Path): number | undefined {
    let node: unknown = this.doc.contents;
    let offset: number | undefined;
    for (const key of path) {
      if (isAlias(node)) node = node.resolve(this.doc);
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
    return offset === undefined ? undefined : this.lines.linePos(offset).line;
  }
}

function readProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  return (error as Error).message;
}

async function compileTargets(data: RouterFile, source: Source, env: Env): Promise<Record<string, TargetConfig>> {
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
    if (!type || type instanceof Error) {
      const why = type instanceof Error ? `: ${type.message.split('\n')[0]}` : '';
      throw source.error([...at, 'type'], `target type ${JSON.stringify(entry.type)} cannot be loaded${why}`);
    }
    const { type: _type, timeoutMs, retries, ...raw } = entry;
    const resolved = resolveReferences(raw, at, source, env);
    for (const key of type.secretKeys ?? []) {
      const path = key.split('.');
      if (valueAt(raw, path) !== undefined && !resolved.referenced.has(key)) {
        throw source.error([...at, ...path], 'must be a secret reference like ${env:NAME}, not a literal');
      }
    }
    targets[name] = {
      name,
      type: entry.type,
      settings: source.validate(type.settings, at, resolved.value, COMMON_TARGET_KEYS),
      policy: {
        timeoutMs: (timeoutMs as number | undefined) ?? data.defaults?.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        retries: (retries as number | undefined) ?? data.defaults?.retries ?? DEFAULT_RETRIES,
      },
    };
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

/**
 * `${env:NAME}` anywhere in a string; `$${` is a literal `${`. Anything else inside `${...}`
 * is refused rather than passed on, so a mistyped reference never reaches a target.
 */
const REFERENCE = /\$\$\{|\$\{([^}]*)(\})?/g;
const ENV_REFERENCE = /^env:([A-Za-z_][A-Za-z0-9_]*)$/;
/** Shorter values cannot be redacted without hiding innocent text (see registerSecret). */
const MIN_SECRET_LENGTH = 4;

/** Resolves every reference in the settings; `referenced` holds the dotted settings paths that had one. */
function resolveReferences(settings: Record<string, unknown>, at: Path, source: Source, env: Env) {
  const referenced = new Set<string>();
  const walk = (value: unknown, path: (string | number)[]): unknown => {
    if (typeof value === 'string') {
      let found = false;
      const text = value.replace(REFERENCE, (whole, inner: string | undefined, close: string | undefined) => {
        if (whole === '$${') return '${';
        const fail = (problem: string) => source.error([...at, ...path], problem);
        if (!close) throw fail(`unclosed reference "\${${inner}": write \${env:NAME}, or $\${ for a literal \${`);
        const name = ENV_REFERENCE.exec(inner ?? '')?.[1];
        if (!name) throw fail(`unsupported reference "\${${inner}}": only \${env:NAME} is supported`);
        const resolved = env[name];
        if (resolved === undefined) throw fail(`environment variable ${name} is not set (referenced as \${env:${name}})`);
        if (resolved.length < MIN_SECRET_LENGTH) {
          const length = resolved ? `shorter than ${MIN_SECRET_LENGTH} characters` : 'empty';
          throw fail(`environment variable ${name} is ${length}; a referenced value must be long enough to be redacted from logs`);
        }
        registerSecret(resolved);
        found = true;
        return resolved;
      });
      if (found) referenced.add(path.join('.'));
      return text;
    }
    if (Array.isArray(value)) return value.map((item, i) => walk(item, [...path, i]));
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, walk(item, [...path, key])]));
    }
    return value;
  };
  return { value: walk(settings, []), referenced };
}

function compileMatchers(texts: readonly string[] | undefined, at: Path, source: Source): Matcher[] {
  return (texts ?? []).map((text, i) => {
    try {
      return parseMatcher(text);
    } catch (error) {
      if (error instanceof MatcherError) throw source.error([...at, 'matchers', i], error.message);
      throw error;
    }
  });
}

function compileRoute(file: RouteFile, at: Path, parent: Route | undefined, defined: readonly string[], source: Source): Route {
  file.targets?.forEach((name, i) => {
    if (!defined.includes(name)) {
      throw source.error([...at, 'targets', i], `unknown target ${JSON.stringify(name)}; defined targets: ${defined.join(', ') || '(none)'}`);
    }
  });
  const node: Route = {
    path: formatPath(at),
    matchers: compileMatchers(file.matchers, at, source),
    targets: [...(file.targets ?? parent?.targets ?? [])],
    continue: file.continue ?? false,
    muted: file.muted ?? parent?.muted ?? 'skip',
    routes: [],
  };
  node.routes = (file.routes ?? []).map((child, i) => compileRoute(child, [...at, 'routes', i], node, defined, source));
  return node;
}
