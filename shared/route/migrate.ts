// Converts an Alertmanager configuration into a router.yaml: the route tree (matchers,
// match/match_re, continue, time intervals), the receivers whose integrations have a target
// type here, and the time intervals. What cannot be converted is listed, never dropped in
// silence. What a route matches is converted exactly or not at all: a matcher that cannot be
// (one Alertmanager refuses, a label name with no way to write it here) refuses the whole
// file, since dropping it would make the route take alerts it never took. Secrets (webhook
// URLs, routing keys) never reach the output: each becomes an ${env:NAME} reference, and the
// output lists which variable takes which value.
import { isScalar, LineCounter, parseDocument, stringify, type Document } from 'yaml';
import { formatPath, lineAtPath } from './config';
import { MatcherError, buildMatcher, parseMatchers, splitMatchers, unquoteValue } from './matcher';
import { TARGET_NAME_PATTERN } from './schema';
import type { MatchOp, Matcher } from './types';

export interface Migration {
  /** The router.yaml text, with the notes as comments at its top. */
  yaml: string;
  /** What was not converted, or converted with a change of meaning, one line each. */
  notes: string[];
  /** The environment variables the output references, and which Alertmanager setting each replaces. */
  env: { name: string; from: string }[];
}

/**
 * The Alertmanager file cannot be read as one, or a route's matching cannot be converted
 * exactly. The message names the file, the line and the path in it, and the problem.
 */
export class MigrationError extends Error {
  override name = 'MigrationError';
}

type Map = Record<string, unknown>;
type Path = (string | number)[];

const isMap = (value: unknown): value is Map => typeof value === 'object' && value !== null && !Array.isArray(value);
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/**
 * One matcher as Alertmanager's classic parser (amtool 0.25) reads it, whitespace being Go's
 * \s (ASCII only); a double-quoted name is the newer parser's.
 */
const AM_MATCHER = /^[\t\n\f\r ]*([a-zA-Z_:][a-zA-Z0-9_:]*|"(?:[^"\\]|\\.)*")[\t\n\f\r ]*(=~|=|!=|!~)[\t\n\f\r ]*([\s\S]*?)[\t\n\f\r ]*$/;

/** NAME OP with a name the classic parser refuses (`foo-bar="x"`), to say how to write it. */
const AM_BAD_NAME = /^[\t\n\f\r ]*([^\t\n\f\r =!~"]+)[\t\n\f\r ]*(=~|=|!=|!~)/;

/** A label name in match and match_re (Prometheus's LabelNameRE, which Alertmanager checks them with). */
const AM_LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Every key of an Alertmanager route; Alertmanager refuses any other. */
const ROUTE_KEYS = [
  'receiver',
  'group_by',
  'continue',
  'match',
  'match_re',
  'matchers',
  'mute_time_intervals',
  'active_time_intervals',
  'group_wait',
  'group_interval',
  'repeat_interval',
  'routes',
];

/** Route keys that have no meaning here: this router sends each event as it comes, ungrouped. */
const IGNORED_ROUTE_KEYS = ['group_by', 'group_wait', 'group_interval', 'repeat_interval'];

export function migrateAlertmanager(text: string, file: string): Migration {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  let data: unknown;
  try {
    const [syntax] = doc.errors;
    if (syntax) throw syntax;
    // The alias limit keeps a "billion laughs" file from exhausting memory.
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw new MigrationError(`${file}: not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  if (!isMap(data) || !isMap(data.route)) throw new MigrationError(`${file}: not an Alertmanager configuration: no route`);
  return new Migrator(file, doc, lines).run(data);
}

class Migrator {
  private readonly notes: string[] = [];
  private readonly env: { name: string; from: string }[] = [];
  private readonly targets: Map = {};
  /** Alertmanager receiver name -> target names here. */
  private readonly receivers = new globalThis.Map<string, string[]>();
  private readonly ignoredKeys = new Set<string>();

  constructor(
    private readonly file: string,
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  run(data: Map): Migration {
    list(data.receivers).forEach((receiver, i) => {
      this.receiver(receiver, i);
    });
    const timeIntervals = this.timeIntervals([...list(data.time_intervals), ...list(data.mute_time_intervals)]);
    const route = this.route(data.route as Map, ['route'], true);
    if (list(data.inhibit_rules).length > 0) {
      this.notes.push(`inhibit_rules (${list(data.inhibit_rules).length}): not supported here (no alert state across alerts); not converted`);
    }
    if (list(data.templates).length > 0) this.notes.push('templates: Go templates are not supported; each target has its own Mustache templates (docs/templates.md)');
    if (this.ignoredKeys.size > 0) {
      this.notes.push(`${[...this.ignoredKeys].join(', ')}: ignored; this router sends each event as it comes, without grouping or repeats`);
    }
    const output: Map = { version: 1, targets: this.targets };
    if (Object.keys(timeIntervals).length > 0) output.timeIntervals = timeIntervals;
    output.route = route;
    const header = [
      'yaml-language-server: $schema=./router.schema.json',
      `Converted from the Alertmanager configuration ${this.file} by \`router migrate alertmanager\`.`,
      'Alertmanager label names are labels.<name> here; alertname is the alert\'s name field.',
      ...(this.env.length > 0 ? ['', 'Set these environment variables (the values of the Alertmanager settings named):', ...this.env.map((e) => `  ${e.name}: ${e.from}`)] : []),
      ...(this.notes.length > 0 ? ['', 'Not converted, or converted with a change:', ...this.notes.map((note) => `  - ${note}`)] : []),
    ];
    const yaml = `${header.map((line) => (line ? `# ${line}` : '#')).join('\n')}\n${stringify(output, { lineWidth: 0 })}`;
    return { yaml, notes: this.notes, env: this.env };
  }

  private receiver(value: unknown, index: number): void {
    if (!isMap(value) || typeof value.name !== 'string') {
      this.notes.push(`receivers[${index}]: no name; skipped`);
      return;
    }
    const receiver = value.name;
    let base = targetName(receiver);
    // Two receiver names can make one target name ("team X", "team-X"): keep them apart.
    for (let n = 2; Object.keys(this.targets).some((name) => name === base || name.startsWith(`${base}-`)); n++) base = `${targetName(receiver)}-${n}`;
    const integrations = Object.entries(value).filter(([key]) => key.endsWith('_configs'));
    const count = integrations.reduce((sum, [, configs]) => sum + list(configs).length, 0);
    const names: string[] = [];
    let unsupported = 0;
    for (const [key, configs] of integrations) {
      list(configs).forEach((config, i) => {
        const from = `receivers[${index}] (${receiver}).${key}[${i}]`;
        const name = count === 1 ? base : `${base}-${key.replace(/_configs$/, '').replace(/_/g, '-')}${list(configs).length > 1 ? `-${i + 1}` : ''}`;
        const target = isMap(config) ? this.integration(key, config, name, from) : undefined;
        if (target) {
          this.targets[name] = target;
          names.push(name);
        } else {
          unsupported += 1;
        }
      });
    }
    if (unsupported > 0 && names.length === 0) {
      // Alerts this receiver used to notify must not vanish: they are kept in a file until
      // the receiver is given a target here.
      this.targets[base] = { type: 'file', path: `out/${base}.jsonl` };
      names.push(base);
      this.notes.push(`receiver ${receiver}: no integration could be converted; its alerts go to the file target ${base} (out/${base}.jsonl) until you give it one`);
    }
    this.receivers.set(receiver, names);
  }

  private secret(name: string, from: string): string {
    const variable = `AM_${name}`.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
    this.env.push({ name: variable, from });
    return `\${env:${variable}}`;
  }

  /** One Alertmanager integration as a target here, or undefined (noted) when there is none. */
  private integration(key: string, config: Map, name: string, from: string): Map | undefined {
    const extras = (known: string[]) => {
      const rest = Object.keys(config).filter((k) => !known.includes(k) && k !== 'send_resolved');
      if (rest.length > 0) this.notes.push(`${from}: ${rest.join(', ')} not converted`);
      if (config.send_resolved === false) this.notes.push(`${from}: send_resolved: false not converted; resolves are sent (see docs/targets/lifecycle.md)`);
    };
    switch (key) {
      case 'webhook_configs':
        if (typeof config.url !== 'string') break;
        extras(['url', 'max_alerts']);
        return {
          type: 'webhook',
          url: this.secret(`${name}_URL`, `${from}.url`),
          format: 'alertmanager',
          // The webhook target refuses plain http unless told: Alertmanager's URL said so.
          ...(config.url.startsWith('http://') ? { allowInsecureHttp: true } : {}),
        };
      case 'pagerduty_configs':
        if (typeof config.routing_key !== 'string') {
          this.notes.push(`${from}: only the Events API v2 (routing_key) is supported, not service_key; not converted`);
          return undefined;
        }
        extras(['routing_key', 'url', 'description', 'severity', 'client', 'client_url', 'details']);
        return { type: 'pagerduty', routingKey: this.secret(`${name}_ROUTING_KEY`, `${from}.routing_key`) };
      case 'slack_configs':
        if (typeof config.api_url !== 'string') break;
        extras(['api_url', 'channel', 'title', 'text', 'username', 'icon_emoji', 'icon_url', 'color']);
        if (config.channel !== undefined) this.notes.push(`${from}: channel not converted; an incoming webhook posts to its own channel`);
        return { type: 'slack', webhookUrl: this.secret(`${name}_WEBHOOK_URL`, `${from}.api_url`) };
      case 'sns_configs': {
        if (typeof config.topic_arn !== 'string') break;
        extras(['topic_arn', 'sigv4', 'subject', 'message', 'attributes']);
        const sigv4 = isMap(config.sigv4) ? config.sigv4 : {};
        if (sigv4.access_key || sigv4.secret_key || sigv4.profile || sigv4.role_arn) {
          this.notes.push(`${from}: sigv4 credentials not converted; the function's own role is used`);
        }
        return { type: 'sns', topicArn: config.topic_arn, ...(typeof sigv4.region === 'string' ? { region: sigv4.region } : {}) };
      }
      default:
        this.notes.push(`${from}: ${key.replace(/_configs$/, '')} has no target type here; not converted`);
        return undefined;
    }
    this.notes.push(`${from}: no ${key === 'sns_configs' ? 'topic_arn' : key === 'webhook_configs' ? 'url' : 'api_url'} (a *_file setting is not supported); not converted`);
    return undefined;
  }

  private route(route: Map, path: Path, isRoot: boolean): Map {
    const unknown = Object.keys(route).find((key) => !ROUTE_KEYS.includes(key));
    if (unknown !== undefined) {
      throw this.refuse([...path, unknown], `unknown route key ${JSON.stringify(unknown)} (Alertmanager refuses it too); a route has ${ROUTE_KEYS.join(', ')}`);
    }
    const out: Map = {};
    for (const key of IGNORED_ROUTE_KEYS) if (route[key] !== undefined) this.ignoredKeys.add(key);
    if (isRoot) {
      // The root takes every alert; Alertmanager refuses anything on it that would narrow that.
      const narrowing = ['match', 'match_re', 'matchers', 'mute_time_intervals', 'active_time_intervals'].find((key) =>
        key.endsWith('_intervals') ? list(route[key]).length > 0 : this.matchers({ [key]: route[key] }, path).length > 0,
      );
      if (narrowing) throw this.refuse([...path, narrowing], `the root route cannot have ${narrowing}: it takes every alert (Alertmanager refuses it too); move it to a child route`);
    }
    const matchers = this.matchers(route, path);
    if (matchers.length > 0) out.matchers = matchers;
    if (typeof route.receiver === 'string') {
      const targets = this.receivers.get(route.receiver);
      if (!targets) this.notes.push(`${formatPath(path)}: receiver ${route.receiver} is not defined; routed nowhere`);
      out.targets = targets ?? [];
    }
    if (route.continue === true && !isRoot) out.continue = true;
    if (!isRoot) {
      if (list(route.mute_time_intervals).length > 0) out.muteTimeIntervals = list(route.mute_time_intervals).map(String);
      if (list(route.active_time_intervals).length > 0) out.activeTimeIntervals = list(route.active_time_intervals).map(String);
    }
    // A child route dropped would send its alerts to its siblings and parent instead.
    const children = this.expect(route, path, 'routes', Array.isArray, 'a list of routes') ?? [];
    const routes = children.map((child, i) => {
      if (!isMap(child)) throw this.refuse([...path, 'routes', i], 'expected a route (a mapping with receiver, matchers, ...)');
      return this.route(child, [...path, 'routes', i], false);
    });
    if (routes.length > 0) out.routes = routes;
    if (isRoot && (!Array.isArray(out.targets) || out.targets.length === 0)) {
      this.targets.unrouted ??= { type: 'file', path: 'out/unrouted.jsonl' };
      out.targets = ['unrouted'];
      this.notes.push('route: the root receiver has no target here; the root delivers to the file target unrouted (every alert must go somewhere)');
    }
    return out;
  }

  /**
   * The route's match, match_re and matchers (all must hold, as in Alertmanager) as matchers
   * here, each in its canonical form. Refuses the file when one cannot be converted exactly.
   */
  private matchers(route: Map, path: Path): string[] {
    const out: string[] = [];
    for (const key of ['match', 'match_re'] as const) {
      const entries = this.expect(route, path, key, isMap, 'a mapping of label names to values') ?? {};
      for (const [name, value] of Object.entries(entries)) {
        const at = [...path, key, name];
        if (!AM_LABEL_NAME.test(name)) {
          throw this.refuse(at, `invalid label name ${JSON.stringify(name)} (Alertmanager refuses it too): a label name in ${key} is [a-zA-Z_][a-zA-Z0-9_]*`);
        }
        const text = this.scalarText(at, value);
        if (text === undefined) throw this.refuse(at, `expected a ${key === 'match' ? 'label value' : 'regular expression'}, not a ${Array.isArray(value) ? 'list' : 'mapping'}`);
        if (key === 'match_re' && value === null) throw this.refuse(at, 'no regular expression (Alertmanager refuses it too)');
        out.push(this.convert(at, '', name, key === 'match' ? '=' : '=~', text));
      }
    }
    const items = this.expect(route, path, 'matchers', Array.isArray, 'a list of matcher strings') ?? [];
    items.forEach((item, i) => {
      const at = [...path, 'matchers', i];
      const text = this.scalarText(at, item);
      if (text === undefined) throw this.refuse(at, 'expected a matcher string, e.g. severity="critical"');
      const parts = splitMatchers(text);
      for (const part of parts) {
        const shown = `matcher ${JSON.stringify(part)}${part === text.trim() ? '' : ` (in ${JSON.stringify(text)})`}`;
        const matched = AM_MATCHER.exec(part);
        if (!matched) throw this.refuse(at, `invalid ${shown}: ${badFormat(part, parts.length > 1)}`);
        const [, rawName = '', op = '', rawValue = ''] = matched;
        let name = rawName;
        let value: string;
        try {
          if (rawName.startsWith('"')) name = JSON.parse(rawName) as string;
          value = unquoteValue(rawValue);
        } catch (error) {
          if (error instanceof MatcherError) throw this.refuse(at, `invalid ${shown}: ${error.message} (Alertmanager refuses it too)`);
          throw this.refuse(at, `invalid ${shown}: the quoted label name ${rawName} is not a valid string`);
        }
        out.push(this.convert(at, shown, name, op as MatchOp, value));
      }
    });
    return out;
  }

  /** One Alertmanager matcher here, in its canonical form; refuses it when that is not exact. */
  private convert(path: Path, shown: string, label: string, op: MatchOp, value: string): string {
    const prefix = shown ? `invalid ${shown}: ` : '';
    let matcher;
    try {
      matcher = buildMatcher(fieldOf(label), op, value);
    } catch (error) {
      if (!(error instanceof MatcherError)) throw error;
      throw this.refuse(path, `${prefix}${error.message} (Alertmanager refuses it too)`);
    }
    // The text must read back as the same matcher: a label key with a space or a comma, which
    // a newer Alertmanager's quoted names allow, has no way to be written in a matcher here.
    let back: Matcher[] = [];
    try {
      back = parseMatchers(matcher.text);
    } catch (error) {
      if (!(error instanceof MatcherError)) throw error;
    }
    const [same] = back;
    if (back.length !== 1 || same?.name !== matcher.name || same.op !== op || same.value !== value) {
      throw this.refuse(path, `${shown || `label ${JSON.stringify(label)}`}: cannot be converted exactly: a label name here cannot contain whitespace, =, !, ~, " or ,`);
    }
    return matcher.text;
  }

  /** The route's `key`, which must pass `test` when set; undefined when not set (or null, as Alertmanager reads it). */
  private expect<T>(route: Map, path: Path, key: string, test: (value: unknown) => value is T, what: string): T | undefined {
    const value = route[key];
    if (value === undefined || value === null) return undefined;
    if (!test(value)) throw this.refuse([...path, key], `expected ${what} (Alertmanager refuses it too)`);
    return value;
  }

  /**
   * A YAML scalar as Alertmanager reads it into a string: as written (`1.0`, `0x1F`), "" for
   * null; undefined for a list or a mapping.
   */
  private scalarText(path: Path, value: unknown): string | undefined {
    if (typeof value === 'string') return value;
    if (value === null) return '';
    if (typeof value !== 'number' && typeof value !== 'boolean') return undefined;
    const node = this.doc.getIn(path, true);
    return isScalar(node) && typeof node.source === 'string' ? node.source : String(value);
  }

  /** The refusal of the file at `path`, with its line. */
  private refuse(path: Path, problem: string): MigrationError {
    const line = lineAtPath(this.doc, this.lines, path);
    return new MigrationError(`${this.file}${line ? `:${line}` : ''}: ${formatPath(path)}: ${problem}`);
  }

  private timeIntervals(entries: unknown[]): Map {
    const out: Map = {};
    entries.forEach((entry, i) => {
      if (!isMap(entry) || typeof entry.name !== 'string') {
        this.notes.push(`time_intervals[${i}]: no name; not converted`);
        return;
      }
      const name = entry.name;
      out[name] = list(entry.time_intervals).filter(isMap).map((interval) => {
        const converted: Map = {};
        if (interval.times) {
          converted.times = list(interval.times).filter(isMap).map((t) => ({ startTime: String(t.start_time), endTime: String(t.end_time) }));
        }
        for (const [from, to] of [['weekdays', 'weekdays'], ['days_of_month', 'daysOfMonth'], ['months', 'months'], ['years', 'years']] as const) {
          if (interval[from] !== undefined) converted[to] = list(interval[from]).map(String);
        }
        if (typeof interval.location === 'string') converted.location = interval.location === 'Local' ? 'UTC' : interval.location;
        if (interval.location === 'Local') this.notes.push(`time interval ${name}: location Local is the machine's zone in Alertmanager; UTC here (the functions run in UTC): set the zone you mean`);
        return converted;
      });
    });
    return out;
  }
}

/** An Alertmanager label name as a matcher name here. */
function fieldOf(label: string): string {
  return label === 'alertname' ? 'name' : `labels.${label}`;
}

/** What is wrong with a string Alertmanager's classic parser does not read as one matcher. */
function badFormat(text: string, inList: boolean): string {
  const bad = AM_BAD_NAME.exec(text);
  if (bad) {
    const [whole, name = '', op = ''] = bad;
    return (
      `the label name ${JSON.stringify(name)} is not valid in Alertmanager's classic matchers ([a-zA-Z_:][a-zA-Z0-9_:]*), which refuse it too; ` +
      `a double-quoted name, ${JSON.stringify(name)}${op}${text.slice(whole.length).trim()}, is read as newer Alertmanagers read it`
    );
  }
  const comma = inList ? '; an unquoted comma ends a matcher: quote a value that holds one' : '';
  return `expected NAME OP VALUE with OP one of =, !=, =~, !~, e.g. severity="critical" (Alertmanager refuses it too)${comma}`;
}

/** A target name from a receiver name: letters, digits, - and _. */
function targetName(receiver: string): string {
  const name = receiver.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^[-_]+/, '');
  return TARGET_NAME_PATTERN.test(name) ? name : `receiver-${name || 'unnamed'}`;
}
