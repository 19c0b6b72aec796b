// check-config's traps: what loads but cannot do what its author meant. Unreachable routes,
// matchers that can never match together, routes that deliver nowhere, regexes whose
// anchoring leaks, silences that have expired or can silence nothing, unused intervals.
// Every finding is a warning with the file's line; errors are config.ts's.
import type { Alert } from '../model/alert';
import { compileConfig, type CompileOptions, type ConfigProblem } from './config';
import { regexStandsAlone } from './matcher';
import type { Matcher, Route, RouterConfig } from './types';

/** The raw levels ARMS sends in `sourceSeverity`; CloudWatch alerts have none (""). */
const ARMS_LEVELS = ['P1', 'P2', 'P3', 'P4'];

export interface CheckResult {
  config?: RouterConfig;
  /** Errors and warnings, in file order. */
  problems: ConfigProblem[];
}

/**
 * Everything check-config reports about a file: every error (secret references are checked
 * but not resolved, so the secrets need not be set) and, when it loads, every warning.
 */
export async function checkConfig(text: string, file: string, options: Omit<CompileOptions, 'secrets'> & { now?: Date } = {}): Promise<CheckResult> {
  const compiled = await compileConfig(text, file, { ...options, secrets: 'check' });
  const problems = [...compiled.problems];
  if (compiled.config) {
    const warn = (path: string, message: string) =>
      problems.push({ level: 'warning', file, line: compiled.lineOf(path), path, message });
    lintConfig(compiled.config, warn, options.now ?? new Date(), compiled.incomplete);
  }
  problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return { config: compiled.config, problems };
}

type Warn = (path: string, message: string) => void;

/**
 * Warns about the traps of a loaded config. `incomplete` are the paths of parts that lost a
 * matcher or a target to an error: judging them would only repeat the error in other words.
 */
export function lintConfig(config: RouterConfig, warn: Warn, now: Date, incomplete: ReadonlySet<string> = new Set()): void {
  const skip = (path: string) => incomplete.has(path);
  const reachable = lintRoutes(
    config.route,
    [],
    (path, message) => {
      if (!skip(path.replace(/\.matchers$/, ''))) warn(path, message);
    },
    skip,
  );
  lintSeverityRules(config, warn, skip);
  lintSilences(config, reachable, warn, now, skip);
  lintIntervals(config, warn);
}

/** Walks the tree; returns the reachable nodes that can deliver, each with every matcher on its path. */
function lintRoutes(node: Route, inherited: Matcher[], warn: Warn, skip: (path: string) => boolean, isRoot = true): { route: Route; path: Matcher[] }[] {
  const path = [...inherited, ...node.matchers];
  lintMatchers(node.path, node.matchers, warn);
  const conflict = isRoot ? null : contradiction(path);
  if (conflict) {
    warn(node.path, `can never match: ${conflict}`);
    return [];
  }
  if (!isRoot && node.targets.length === 0 && !skip(`${node.path}.targets`)) {
    warn(node.path, 'delivers to no target (targets: []): the alerts it takes are dropped, and reported as handled');
  }
  const delivering: { route: Route; path: Matcher[] }[] = [];
  let shadowedBy: Route | undefined;
  node.routes.forEach((child, i) => {
    const earlier = node.routes.slice(0, i).find((sibling) => !sibling.continue && !skip(sibling.path) && covers(sibling, child));
    if (earlier) {
      const why = earlier.matchers.length === 0 ? 'the catch-all' : 'the route';
      warn(child.path, `unreachable: ${why} ${earlier.path} before it takes every alert this route matches, and has no continue: true`);
      return;
    }
    delivering.push(...lintRoutes(child, path, warn, skip, false));
    if (child.matchers.length === 0 && !child.continue) shadowedBy = child;
  });
  // A node delivers only what none of its children take: not at all behind a catch-all child.
  if (!shadowedBy && node.targets.length > 0) delivering.push({ route: node, path });
  return delivering;
}

/** Every alert `later` matches, `earlier` matches too: its matchers are a subset of later's. */
function covers(earlier: Route, later: Route): boolean {
  const texts = new Set(later.matchers.map((m) => m.text));
  return earlier.matchers.every((m) => texts.has(m.text));
}

function lintMatchers(path: string, matchers: readonly Matcher[], warn: Warn): void {
  for (const matcher of matchers) {
    if ((matcher.op === '=~' || matcher.op === '!~') && !regexStandsAlone(matcher.value)) {
      warn(
        `${path}.matchers`,
        `${matcher.text}: the regex is not valid on its own; anchored as Alertmanager anchors it, ^(?:${matcher.value})$, ` +
          'its parentheses pair differently and some branches are anchored at one end only',
      );
    }
    if (matcher.name === 'sourceSeverity' && (matcher.op === '=' || matcher.op === '!=') && matcher.value !== '' && !ARMS_LEVELS.includes(matcher.value)) {
      const near = ARMS_LEVELS.find((level) => level.toLowerCase() === matcher.value.toLowerCase());
      warn(
        `${path}.matchers`,
        `${matcher.text} never matches: sourceSeverity is ARMS's level, one of ${ARMS_LEVELS.join(', ')} (case-sensitive), ` +
          `or "" for CloudWatch${near ? `; did you mean ${JSON.stringify(near)}?` : ''}`,
      );
    }
  }
}

/**
 * Why no alert can match all of `matchers` at once, or null: two equalities on one name
 * with different values, an equality and its negation, or an equality a regex on the same
 * name refuses.
 */
export function contradiction(matchers: readonly Matcher[]): string | null {
  for (const equal of matchers.filter((m) => m.op === '=')) {
    const probe = { labels: {}, annotations: {} } as unknown as Alert;
    const [map, ...rest] = equal.name.split('.');
    if (rest.length > 0) (probe as unknown as Record<string, Record<string, string>>)[map as string] = { [rest.join('.')]: equal.value };
    else (probe as unknown as Record<string, string>)[equal.name] = equal.value;
    const other = matchers.find((m) => m !== equal && m.name === equal.name && !m.matches(probe));
    if (other) return `${equal.text} and ${other.text}`;
  }
  return null;
}

function lintSeverityRules(config: RouterConfig, warn: Warn, skip: (path: string) => boolean): void {
  config.severityRules.forEach((rule, i) => {
    if (skip(rule.path)) return;
    lintMatchers(rule.path, rule.matchers, warn);
    const conflict = contradiction(rule.matchers);
    if (conflict) warn(rule.path, `can never match: ${conflict}`);
    const earlier = config.severityRules.slice(0, i).find((other) => !skip(other.path) && other.matchers.every((m) => rule.matchers.some((r) => r.text === m.text)));
    if (earlier) warn(rule.path, `never applies: the rule ${earlier.path} before it matches every alert this one matches`);
  });
}

function lintSilences(config: RouterConfig, delivering: { route: Route; path: Matcher[] }[], warn: Warn, now: Date, skip: (path: string) => boolean): void {
  for (const silence of config.silences) {
    if (skip(silence.path)) continue;
    lintMatchers(silence.path, silence.matchers, warn);
    if (silence.endsAt <= now.getTime()) {
      warn(`${silence.path}.endsAt`, `expired on ${new Date(silence.endsAt).toISOString()}: it silences nothing any more; remove it`);
      continue;
    }
    const conflict = contradiction(silence.matchers);
    if (conflict) {
      warn(`${silence.path}.matchers`, `can never match: ${conflict}`);
      continue;
    }
    // A route delivers the silenced alerts unless they contradict its path, or one of its
    // children takes every one of them before the route itself would deliver.
    const delivers = ({ route, path }: { route: Route; path: Matcher[] }) => {
      const together = [...path, ...silence.matchers];
      const texts = new Set(together.map((m) => m.text));
      return contradiction(together) === null && !route.routes.some((child) => !child.continue && child.matchers.every((m) => texts.has(m.text)));
    };
    if (!delivering.some(delivers)) {
      warn(`${silence.path}.matchers`, 'matches no alert that a route delivers to a target: every delivering route contradicts its matchers');
    }
  }
}

function lintIntervals(config: RouterConfig, warn: Warn): void {
  const used = new Set<string>();
  const walk = (route: Route) => {
    for (const name of [...route.muteTimeIntervals, ...route.activeTimeIntervals]) used.add(name);
    route.routes.forEach(walk);
  };
  walk(config.route);
  for (const name of Object.keys(config.timeIntervals)) {
    if (!used.has(name)) warn(`timeIntervals.${name}`, 'no route uses this time interval (muteTimeIntervals or activeTimeIntervals)');
  }
}
