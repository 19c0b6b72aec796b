// Migration from Alertmanager: the converted router.yaml loads, routes as the Alertmanager
// tree did, keeps every secret out of the file, and lists what it could not convert.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { Alert } from '../../shared/model/alert';
import { compileConfig } from '../../shared/route/config';
import { MigrationError, migrateAlertmanager } from '../../shared/route/migrate';
import { heldBackTargets } from '../../shared/route/suppress';
import { routeTargets } from '../../shared/route/tree';
import type { RouterConfig } from '../../shared/route/types';
import { ROOT } from '../support/samples';

const EXAMPLE = join(ROOT, 'docs/examples/alertmanager.yml');

async function load(yaml: string): Promise<RouterConfig> {
  const { config, problems } = await compileConfig(yaml, 'router.yaml', { secrets: 'check' });
  expect(problems.filter((p) => p.level === 'error')).toEqual([]);
  return config!;
}

const alert = (labels: Record<string, string>, name = 'HighLatency') => ({ labels, annotations: {}, name }) as unknown as Alert;

describe('the example Alertmanager configuration', () => {
  const migration = migrateAlertmanager(readFileSync(EXAMPLE, 'utf8'), EXAMPLE);
  let config: RouterConfig;
  beforeAll(async () => {
    config = await load(migration.yaml);
  });

  it('maps each receiver integration that has a target type here', () => {
    expect(Object.fromEntries(Object.entries(config.targets).map(([name, t]) => [name, t.type]))).toEqual({
      default: 'webhook',
      'pager-pagerduty': 'pagerduty',
      'pager-slack': 'slack',
      'db-team': 'file',
    });
  });

  it('routes as the Alertmanager tree does', () => {
    const targets = (labels: Record<string, string>, name?: string) => routeTargets(config.route, alert(labels, name)).targets;
    // The first route has continue: true, so the following ones are tried too; the root
    // delivers only when no child matched.
    expect(targets({ service: 'foo1', severity: 'critical' })).toEqual(['pager-pagerduty', 'pager-slack']);
    expect(targets({ service: 'foo1', severity: 'info' })).toEqual(['default']);
    expect(targets({ service: 'foo1', team: 'db', env: 'prod' })).toEqual(['pager-pagerduty', 'pager-slack', 'db-team']);
    expect(targets({ team: 'db', env: 'dev' })).toEqual(['default']);
    // The blackhole receiver (no integration) delivers nowhere, as in Alertmanager.
    expect(targets({}, 'Watchdog')).toEqual([]);
  });

  it('converts the time intervals and the routes that use them', () => {
    expect(config.timeIntervals).toEqual({
      weekends: [{ weekdays: [[6, 6], [0, 0]] }],
      business: [{ times: [[540, 1020]], weekdays: [[1, 5]], location: 'Europe/Berlin' }],
    });
    const { routes, targets } = routeTargets(config.route, alert({ service: 'foo2' }));
    const saturday = new Date('2026-12-05T12:00:00Z');
    expect(heldBackTargets(alert({ service: 'foo2' }), routes, targets, config, saturday).map((h) => h.target)).toEqual(['pager-pagerduty', 'pager-slack']);
  });

  it('writes every secret as an environment reference and says which setting each replaces', () => {
    expect(migration.yaml).not.toMatch(/abcdef0123456789secretkey|hooks\.slack\.com|hooks\.internal/);
    expect(migration.env).toEqual([
      { name: 'AM_DEFAULT_URL', from: 'receivers[0] (default).webhook_configs[0].url' },
      { name: 'AM_PAGER_PAGERDUTY_ROUTING_KEY', from: 'receivers[1] (pager).pagerduty_configs[0].routing_key' },
      { name: 'AM_PAGER_SLACK_WEBHOOK_URL', from: 'receivers[1] (pager).slack_configs[0].api_url' },
    ]);
  });

  it('lists what it could not convert, in the output too', () => {
    expect(migration.notes).toEqual([
      'receivers[1] (pager).slack_configs[0]: channel not converted; an incoming webhook posts to its own channel',
      'receivers[2] (db-team).email_configs[0]: email has no target type here; not converted',
      'receiver db-team: no integration could be converted; its alerts go to the file target db-team (out/db-team.jsonl) until you give it one',
      'inhibit_rules (1): not supported here (no alert state across alerts); not converted',
      'group_by: ignored; this router sends each event as it comes, without grouping or repeats',
    ]);
    for (const note of migration.notes) expect(migration.yaml).toContain(`#   - ${note}`);
  });
});

describe('matchers', () => {
  const amConfig = (route: string) => `route:\n  receiver: r\n  routes:\n    - receiver: r\n${route}\nreceivers:\n  - name: r\n    webhook_configs: [{ url: 'https://example.com/' }]\n`;
  const convert = async (route: string) => {
    const migration = migrateAlertmanager(amConfig(route), 'am.yml');
    const config = await load(migration.yaml);
    // The strings written, which the loaded config reads back as the same matchers.
    const written = (parse(migration.yaml) as { route: { routes: { matchers?: string[] }[] } }).route.routes[0]!.matchers ?? [];
    expect(written).toEqual(config.route.routes[0]!.matchers.map((m) => m.text));
    return written;
  };

  it.each([
    ["      matchers: ['service=~\"foo.*\"', 'severity!=info']", ['labels.service=~"foo.*"', 'labels.severity!="info"']],
    ["      matchers: ['{a=\"1\", b!=\"2\"}']", ['labels.a="1"', 'labels.b!="2"']],
    ["      matchers: ['foo=bar,dings!=bums']", ['labels.foo="bar"', 'labels.dings!="bums"']],
    ["      matchers: ['alertname=\"Watchdog\"']", ['name="Watchdog"']],
    // The newer parser's quoted names.
    ["      matchers: ['\"k8s.io/app\"=\"api\"']", ['labels.k8s.io/app="api"']],
    ['      match: { team: "db \\"core\\"" }\n      match_re: { env: "prod|staging" }', ['labels.team="db \\"core\\""', 'labels.env=~"prod|staging"']],
    // Written in the canonical form, so that the router's own list syntax cannot read it
    // otherwise: Alertmanager drops one closing brace, the value keeps the second.
    ["      matchers: ['{job=api}}', 'op=~~~', 'x=a\\\"b']", ['labels.job="api}"', 'labels.op=~"~~"', 'labels.x="a\\"b"']],
    // A value YAML reads as a number or null is the text Alertmanager reads: as written, or "".
    ['      match: { code: 1.0, mode: 0x1F, team: }', ['labels.code="1.0"', 'labels.mode="0x1F"', 'labels.team=""']],
    // More lenient than Alertmanager 0.25 (Go before 1.22), as the router is: a named group.
    ["      matchers: ['foo=~\"(?<x>a)\"']", ['labels.foo=~"(?<x>a)"']],
    ["      matchers: ['', '{}']", []],
  ])('%s', async (route, expected) => {
    expect(await convert(route)).toEqual(expected);
  });

  // Each would make the route match more (the matcher dropped) or something else: the file
  // is refused with the file, line, route path, matcher and problem, and nothing is written.
  it.each([
    ["      matchers: ['foo']", /^am\.yml:5: route\.routes\[0\]\.matchers\[0\]: invalid matcher "foo": expected NAME OP VALUE with OP one of =, !=, =~, !~.*\(Alertmanager refuses it too\)$/],
    ["      matchers: ['=bar']", /^am\.yml:5: route\.routes\[0\]\.matchers\[0\]: invalid matcher "=bar": expected NAME OP VALUE/],
    [
      "      matchers: ['severity=\"critical\"', 'foo=bar,baz']",
      /^am\.yml:5: route\.routes\[0\]\.matchers\[1\]: invalid matcher "baz" \(in "foo=bar,baz"\): .*an unquoted comma ends a matcher: quote a value that holds one$/,
    ],
    ["      matchers: ['job=\"api']", /^am\.yml:5: route\.routes\[0\]\.matchers\[0\]: invalid matcher "job=\\"api": missing closing double quote in the value "api/],
    ["      matchers: ['job=a\"b\"']", /: invalid matcher "job=a\\"b\\"": unescaped double quote in the value a"b"/],
    ["      matchers: ['a=~\"(?=x)\"', 'b=\"1\"']", /^am\.yml:5: route\.routes\[0\]\.matchers\[0\]: invalid matcher "a=~\\"\(\?=x\)\\"": invalid regular expression "\(\?=x\)": .*\(Alertmanager refuses it too\)$/],
    ["      matchers: ['env=~\"[prod\"']", /: invalid matcher "env=~\\"\[prod\\"": invalid regular expression "\[prod": error parsing regexp: missing closing \]/],
    // A label name Alertmanager 0.25 refuses; quoting it is the newer syntax, which converts.
    ["      matchers: ['app-name=\"x\"']", /: invalid matcher "app-name=\\"x\\"": the label name "app-name" is not valid in Alertmanager's classic matchers .*; a double-quoted name, "app-name"="x", is read/],
    // A quoted name with no way to be written in a matcher here.
    ["      matchers: ['\"my label\"=\"x\"']", /: matcher "\\"my label\\"=\\"x\\"": cannot be converted exactly: a label name here cannot contain whitespace/],
    ['      match: { app-name: x }', /^am\.yml:5: route\.routes\[0\]\.match\.app-name: invalid label name "app-name" \(Alertmanager refuses it too\)/],
    ["      match_re: { env: 'prod|(' }", /^am\.yml:5: route\.routes\[0\]\.match_re\.env: invalid regular expression "prod\|\(": .*missing closing \)/],
    ['      match_re: { env: }', /: route\.routes\[0\]\.match_re\.env: no regular expression/],
    ['      match: { team: [a, b] }', /: route\.routes\[0\]\.match\.team: expected a label value, not a list/],
    ["      matchers: 'severity=\"critical\"'", /^am\.yml:5: route\.routes\[0\]\.matchers: expected a list of matcher strings/],
    ['      match: [team, db]', /: route\.routes\[0\]\.match: expected a mapping of label names to values/],
    ["      matchers: [{ severity: critical }]", /: route\.routes\[0\]\.matchers\[0\]: expected a matcher string/],
    // A misspelt key would have been a route matching everything.
    ["      matcher: ['severity=\"critical\"']", /^am\.yml:5: route\.routes\[0\]\.matcher: unknown route key "matcher" \(Alertmanager refuses it too\)/],
    ['      routes: [critical]', /: route\.routes\[0\]\.routes\[0\]: expected a route/],
  ])('%s', (route, problem) => {
    expect(() => migrateAlertmanager(amConfig(route), 'am.yml')).toThrow(MigrationError);
    expect(() => migrateAlertmanager(amConfig(route), 'am.yml')).toThrow(problem);
  });

  it.each([
    ["  matchers: ['severity=\"critical\"']", /^am\.yml:3: route\.matchers: the root route cannot have matchers: it takes every alert/],
    ['  match: { team: db }', /: route\.match: the root route cannot have match/],
    ['  mute_time_intervals: [weekends]', /: route\.mute_time_intervals: the root route cannot have mute_time_intervals/],
    ["  match: {}\n  matchers: ['']\n  match_re: { env: prod }", /: route\.match_re: the root route cannot have match_re/],
  ])('refuses a root route with %s', (line, problem) => {
    const text = `route:\n  receiver: r\n${line}\nreceivers:\n  - name: r\ntime_intervals:\n  - name: weekends\n    time_intervals: [{ weekdays: [saturday] }]\n`;
    expect(() => migrateAlertmanager(text, 'am.yml')).toThrow(problem);
  });
});

describe('refusals', () => {
  it.each([
    ['route: [', /am\.yml: not valid YAML/],
    ['receivers: []', /am\.yml: not an Alertmanager configuration: no route/],
  ])('%j', (text, problem) => {
    expect(() => migrateAlertmanager(text, 'am.yml')).toThrow(MigrationError);
    expect(() => migrateAlertmanager(text, 'am.yml')).toThrow(problem);
  });

  it('gives the root a target when its receiver has none here', async () => {
    const migration = migrateAlertmanager('route:\n  receiver: mail\nreceivers:\n  - name: mail\n    email_configs: [{ to: a@example.com }]\n', 'am.yml');
    const config = await load(migration.yaml);
    expect(config.route.targets).toEqual(['mail']);
    expect(config.targets.mail).toMatchObject({ type: 'file', settings: { path: 'out/mail.jsonl' } });
  });
});
