// Migration from Alertmanager: the converted router.yaml loads, routes as the Alertmanager
// tree did, keeps every secret out of the file, and lists what it could not convert.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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
  const convert = async (route: string) => {
    const yaml = `route:\n  receiver: r\n  routes:\n    - receiver: r\n${route}\nreceivers:\n  - name: r\n    webhook_configs: [{ url: 'https://example.com/' }]\n`;
    const migration = migrateAlertmanager(yaml, 'am.yml');
    const config = await load(migration.yaml);
    return { matchers: config.route.routes[0]!.matchers.map((m) => m.text), notes: migration.notes };
  };

  it.each([
    ["      matchers: ['service=~\"foo.*\"', 'severity!=info']", ['labels.service=~"foo.*"', 'labels.severity!="info"']],
    ["      matchers: ['{a=\"1\", b!=\"2\"}']", ['labels.a="1"', 'labels.b!="2"']],
    ["      matchers: ['foo=bar,dings!=bums']", ['labels.foo="bar"', 'labels.dings!="bums"']],
    ["      matchers: ['alertname=\"Watchdog\"']", ['name="Watchdog"']],
    // The newer parser's quoted names.
    ["      matchers: ['\"k8s.io/app\"=\"api\"']", ['labels.k8s.io/app="api"']],
    ['      match: { team: "db \\"core\\"" }\n      match_re: { env: "prod|staging" }', ['labels.team="db \\"core\\""', 'labels.env=~"prod|staging"']],
  ])('%s', async (route, expected) => {
    expect((await convert(route)).matchers).toEqual(expected);
  });

  it('notes a matcher it cannot convert instead of dropping it in silence', async () => {
    const { matchers, notes } = await convert("      matchers: ['a=~\"(?=x)\"', 'b=\"1\"']");
    expect(matchers).toEqual(['labels.b="1"']);
    expect(notes).toEqual([expect.stringMatching(/^route\.routes\[0\]\.matchers\[0\]: invalid regular expression .*; not converted, so this route matches more than it did$/)]);
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
