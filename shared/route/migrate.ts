// Converts an Alertmanager configuration into a router.yaml: the route tree (matchers,
// match/match_re, continue, time intervals), the receivers whose integrations have a target
// type here, and the time intervals. What cannot be converted is listed, never dropped in
// silence. Secrets (webhook URLs, routing keys) never reach the output: each becomes an
// ${env:NAME} reference, and the output lists which variable takes which value.
import { parse, stringify } from 'yaml';
import { TARGET_NAME_PATTERN } from './schema';
import { MatcherError, parseMatcher, splitMatchers } from './matcher';

export interface Migration {
  /** The router.yaml text, with the notes as comments at its top. */
  yaml: string;
  /** What was not converted, or converted with a change of meaning, one line each. */
  notes: string[];
  /** The environment variables the output references, and which Alertmanager setting each replaces. */
  env: { name: string; from: string }[];
}

/** The Alertmanager file cannot be read as one. */
export class MigrationError extends Error {
  override name = 'MigrationError';
}

type Map = Record<string, unknown>;

const isMap = (value: unknown): value is Map => typeof value === 'object' && value !== null && !Array.isArray(value);
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** Alertmanager's own label name syntax; a quoted name is the newer parser's. */
const AM_MATCHER = /^\s*([a-zA-Z_:][a-zA-Z0-9_:]*|"(?:[^"\\]|\\.)*")\s*(=~|=|!=|!~)\s*([\s\S]*?)\s*$/;

/** Route keys that have no meaning here: this router sends each event as it comes, ungrouped. */
const IGNORED_ROUTE_KEYS = ['group_by', 'group_wait', 'group_interval', 'repeat_interval'];

export function migrateAlertmanager(text: string, file: string): Migration {
  let data: unknown;
  try {
    data = parse(text, { maxAliasCount: 100 });
  } catch (error) {
    throw new MigrationError(`${file}: not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  if (!isMap(data) || !isMap(data.route)) throw new MigrationError(`${file}: not an Alertmanager configuration: no route`);
  return new Migrator(file).run(data);
}

class Migrator {
  private readonly notes: string[] = [];
  private readonly env: { name: string; from: string }[] = [];
  private readonly targets: Map = {};
  /** Alertmanager receiver name -> target names here. */
  private readonly receivers = new globalThis.Map<string, string[]>();
  private readonly ignoredKeys = new Set<string>();

  constructor(private readonly file: string) {}

  run(data: Map): Migration {
    list(data.receivers).forEach((receiver, i) => {
      this.receiver(receiver, i);
    });
    const timeIntervals = this.timeIntervals([...list(data.time_intervals), ...list(data.mute_time_intervals)]);
    const route = this.route(data.route as Map, 'route', true);
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

  private route(route: Map, path: string, isRoot: boolean): Map {
    const out: Map = {};
    for (const key of IGNORED_ROUTE_KEYS) if (route[key] !== undefined) this.ignoredKeys.add(key);
    if (!isRoot) {
      const matchers = this.matchers(route, path);
      if (matchers.length > 0) out.matchers = matchers;
    }
    if (typeof route.receiver === 'string') {
      const targets = this.receivers.get(route.receiver);
      if (!targets) this.notes.push(`${path}: receiver ${route.receiver} is not defined; routed nowhere`);
      out.targets = targets ?? [];
    }
    if (route.continue === true && !isRoot) out.continue = true;
    if (!isRoot) {
      if (list(route.mute_time_intervals).length > 0) out.muteTimeIntervals = list(route.mute_time_intervals).map(String);
      if (list(route.active_time_intervals).length > 0) out.activeTimeIntervals = list(route.active_time_intervals).map(String);
    }
    const children = list(route.routes).filter(isMap);
    if (children.length > 0) out.routes = children.map((child, i) => this.route(child, `${path}.routes[${i}]`, false));
    if (isRoot && (!Array.isArray(out.targets) || out.targets.length === 0)) {
      this.targets.unrouted ??= { type: 'file', path: 'out/unrouted.jsonl' };
      out.targets = ['unrouted'];
      this.notes.push('route: the root receiver has no target here; the root delivers to the file target unrouted (every alert must go somewhere)');
    }
    return out;
  }

  private matchers(route: Map, path: string): string[] {
    const out: string[] = [];
    const add = (text: string, from: string) => {
      try {
        parseMatcher(text);
        out.push(text);
      } catch (error) {
        if (!(error instanceof MatcherError)) throw error;
        this.notes.push(`${from}: ${error.message}; not converted, so this route matches more than it did`);
      }
    };
    for (const [name, value] of Object.entries(isMap(route.match) ? route.match : {})) add(`${fieldOf(name)}=${quote(String(value))}`, `${path}.match.${name}`);
    for (const [name, value] of Object.entries(isMap(route.match_re) ? route.match_re : {})) add(`${fieldOf(name)}=~${quote(String(value))}`, `${path}.match_re.${name}`);
    list(route.matchers).forEach((text, i) => {
      for (const part of splitMatchers(String(text))) {
        const m = AM_MATCHER.exec(part);
        if (!m) {
          this.notes.push(`${path}.matchers[${i}]: ${JSON.stringify(part)} is not an Alertmanager matcher; not converted`);
          continue;
        }
        const [, rawName = '', op = '', value = ''] = m;
        const name = rawName.startsWith('"') ? (JSON.parse(rawName) as string) : rawName;
        add(`${fieldOf(name)}${op}${value}`, `${path}.matchers[${i}]`);
      }
    });
    return out;
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

/** A value as a double-quoted matcher value, with the escapes the matcher parser reads back. */
function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** A target name from a receiver name: letters, digits, - and _. */
function targetName(receiver: string): string {
  const name = receiver.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^[-_]+/, '');
  return TARGET_NAME_PATTERN.test(name) ? name : `receiver-${name || 'unnamed'}`;
}
