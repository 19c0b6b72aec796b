// The command line as users and scripts run it: a real process, its stdout, stderr and
// exit code (DESIGN.md: 0 success, 1 a delivery failed, 2 invalid input or config).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { intakeAlert, normalizeEvent } from '../../shared/normalize';
import { MAX_EVENT_DEPTH } from '../../shared/normalize/shape';
import { ROOT } from '../support/samples';

const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const dir = mkdtempSync(join(tmpdir(), 'router-cli-'));
const outFile = join(dir, 'alerts.jsonl');
const config = join(dir, 'router.yaml');
writeFileSync(
  config,
  [
    'version: 1',
    'severity:',
    '  - matchers: [\'name=~".*CpuTooHigh"\']',
    '    severity: critical',
    'targets:',
    '  local-file:',
    '    type: file',
    `    path: ${JSON.stringify(outFile)}`,
    '  refused-port:',
    '    type: webhook',
    '    url: http://127.0.0.1:9/unreachable',
    '    allowPrivateNetwork: true',
    '    retries: 0',
    'route:',
    '  targets: [local-file]',
    '  routes:',
    '    - matchers: [\'severity="critical"\']',
    '      targets: [local-file]',
    '    - matchers: [\'labels.InstanceId="i-unreachable"\']',
    '      targets: [refused-port]',
  ].join('\n'),
);

const MAIN = join(ROOT, 'shared/cli/main.ts');

function run(args: string[], env: Record<string, string | undefined> = { ROUTER_CONFIG: config }, cwd = ROOT) {
  const result = spawnSync(TSX, [MAIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, ROUTER_CONFIG: undefined, ...env }, timeout: 60_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const router = (...args: string[]) => run(args);

const sample = (path: string) => join(ROOT, 'events', path);
const oneLineError = (stderr: string) => {
  expect(stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^router: /)]);
  expect(stderr).toMatch(/^router: /);
  expect(stderr).not.toMatch(/\n\s+at /);
};

describe('normalize', () => {
  it('prints exactly the alert model of one event', () => {
    const { code, stdout, stderr } = router('normalize', sample('aws/state-change-single-metric.json'));
    expect(code).toBe(0);
    expect(stderr).toBe('');
    const raw = JSON.parse(readFileSync(sample('aws/state-change-single-metric.json'), 'utf8'));
    expect(JSON.parse(stdout)).toEqual(normalizeEvent(raw));
  });

  it('prints a JSON array for a batch file', () => {
    const { code, stdout } = router('normalize', sample('alibaba/arms-batch.json'));
    expect(code).toBe(0);
    const alerts = JSON.parse(stdout);
    expect(Array.isArray(alerts)).toBe(true);
    expect(alerts.length).toBeGreaterThan(1);
  });

  it('refuses an invalid event with exit 2 and one line naming the field', () => {
    const { code, stdout, stderr } = router('normalize', sample('invalid/aws/state-value-unknown.json'));
    expect(code).toBe(2);
    expect(stdout).toBe('');
    oneLineError(stderr);
    expect(stderr).toContain('detail.state.value');
  });

  it('refuses an event the handlers refuse for its shape, with exit 2 and the same message', () => {
    const deep = join(dir, 'deep.json');
    const raw = JSON.parse(readFileSync(sample('aws/state-change-single-metric.json'), 'utf8'));
    let nested: unknown = 'bottom';
    for (let i = 0; i < MAX_EVENT_DEPTH + 1; i += 1) nested = { nested };
    writeFileSync(deep, JSON.stringify({ ...raw, detail: { ...raw.detail, configuration: { ...raw.detail.configuration, extra: nested } } }));
    const { code, stdout, stderr } = router('normalize', deep);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    oneLineError(stderr);
    let handlerMessage = '';
    try {
      intakeAlert(JSON.parse(readFileSync(deep, 'utf8')));
    } catch (error) {
      handlerMessage = (error as Error).message;
    }
    expect(handlerMessage).toMatch(/deep/i);
    expect(stderr).toContain(handlerMessage);
  });

  it('refuses a file that is not JSON or does not exist with exit 2', () => {
    const notJson = join(dir, 'broken.json');
    writeFileSync(notJson, '{"version": "0",');
    for (const file of [notJson, join(dir, 'missing.json')]) {
      const { code, stderr } = router('normalize', file);
      expect(code).toBe(2);
      oneLineError(stderr);
      expect(stderr).toContain(file);
    }
  });
});

describe('invoke', () => {
  it('runs a directory with progress and a summary table, exit 0', () => {
    const { code, stdout, stderr } = router('invoke', join(ROOT, 'events/aws'), join(ROOT, 'events/alibaba'));
    expect(code).toBe(0);
    expect(stderr).toMatch(/^\[1\/\d+\] .*events\/aws\/.*: ok$/m);
    expect(stdout).toMatch(/^event file\s+alert\s+status\s+severity\s+deliveries\s+result$/m);
    expect(stdout).toMatch(/ServerCpuTooHigh\s+firing\s+critical\s+local-file:delivered\s+ok/);
    expect(stdout).toMatch(/\d+ event\(s\): \d+ ok, 0 with failed deliveries, 0 refused/);
  });

  it('prints the report of one file as JSON', () => {
    const { code, stdout } = router('invoke', sample('alibaba/arms-alarm-claim.json'));
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({ ok: true, status: 'acknowledged', deliveries: [{ target: 'local-file', outcome: 'delivered' }] });
  });

  it('exits 1 when a delivery failed', () => {
    const event = JSON.parse(readFileSync(sample('aws/state-change-single-metric.json'), 'utf8'));
    event.id = 'cli-unreachable';
    event.detail.alarmName = 'OrdersLatency';
    event.detail.configuration.metrics[0].metricStat.metric.dimensions.InstanceId = 'i-unreachable';
    const file = join(dir, 'unreachable.json');
    writeFileSync(file, JSON.stringify(event));
    const { code, stdout } = router('invoke', file);
    expect(code).toBe(1);
    expect(JSON.parse(stdout).deliveries).toEqual([expect.objectContaining({ target: 'refused-port', outcome: 'failed' })]);
  });

  it('the summary of several files says why a delivery failed', () => {
    const event = JSON.parse(readFileSync(sample('aws/state-change-single-metric.json'), 'utf8'));
    event.detail.alarmName = 'OrdersLatency';
    event.detail.configuration.metrics[0].metricStat.metric.dimensions.InstanceId = 'i-unreachable';
    const failing = join(dir, 'several');
    mkdirSync(failing, { recursive: true });
    writeFileSync(join(failing, 'a-unreachable.json'), JSON.stringify(event));
    writeFileSync(join(failing, 'b-ok.json'), readFileSync(sample('aws/state-change-single-metric.json')));
    const { code, stdout, stderr } = router('invoke', failing);
    expect(code).toBe(1);
    expect(stdout).toMatch(/a-unreachable.* refused-port:failed\s+FAILED: refused-port: .*ECONNREFUSED/);
    expect(stderr).toMatch(/^\[1\/2\] .*a-unreachable\.json: FAILED: refused-port: /m);
  });

  it('--json prints pure JSON while a console target writes to stderr', () => {
    const consoleConfig = join(dir, 'console.yaml');
    writeFileSync(consoleConfig, ['version: 1', 'targets:', '  screen:', '    type: console', 'route:', '  targets: [screen]'].join('\n'));
    const { code, stdout, stderr } = run(['invoke', '--json', sample('aws/state-change-single-metric.json'), sample('alibaba/arms-batch.json')], {
      ROUTER_CONFIG: consoleConfig,
    });
    expect(code).toBe(0);
    const results = JSON.parse(stdout) as { reports: { deliveries: { target: string; outcome: string }[] }[] }[];
    expect(results).toHaveLength(2);
    expect(results[0]!.reports[0]!.deliveries).toEqual([expect.objectContaining({ target: 'screen', outcome: 'delivered' })]);
    expect(stderr).toMatch(/^\{"target":"screen","alert":\{/m);
  });

  it('exits 2 on invalid samples, reporting each', () => {
    const { code, stdout } = router('invoke', join(ROOT, 'events/invalid/aws'));
    expect(code).toBe(2);
    expect(stdout).toMatch(/REFUSED: invalid event: /);
  });

  it('a store that cannot open, a file it cannot write and a timeout out of range are input errors: exit 2, one line, no "unexpected error"', () => {
    const noRegion = join(dir, 'no-region.yaml');
    writeFileSync(noRegion, 'version: 1\ntargets:\n  c: { type: console }\nroute:\n  targets: [c]\nstate:\n  store: dynamodb\n  table: alert-router-state\n');
    const checks: [string[], string][] = [
      [['state', 'list', '--config', noRegion], `${noRegion}: state: dynamodb store: no region`],
      [['migrate', 'alertmanager', join(dir, 'am.yml'), '--out', join(dir, 'missing', 'dir', 'router.yaml')], 'ENOENT: no such file or directory'],
      [['invoke', sample('aws/state-change-single-metric.json'), '--timeout', '0.01'], '--timeout: expected seconds from 1 to 86400'],
    ];
    writeFileSync(join(dir, 'am.yml'), 'route:\n  receiver: a\nreceivers:\n  - name: a\n');
    for (const [args, problem] of checks) {
      const result = run(args, { ROUTER_CONFIG: config, AWS_REGION: undefined, AWS_DEFAULT_REGION: undefined });
      expect([args[0], result.code]).toEqual([args[0], 2]);
      expect(result.stderr).toContain(problem);
      expect(result.stderr).not.toContain('unexpected error');
    }
  });

  it('among several files, one that is not JSON is a refused row: the files before and after it are delivered and reported', () => {
    const mixed = join(dir, 'mixed');
    mkdirSync(mixed, { recursive: true });
    const good = readFileSync(sample('aws/state-change-single-metric.json'), 'utf8');
    writeFileSync(join(mixed, 'a.json'), good);
    writeFileSync(join(mixed, 'b.json'), '{ not json');
    writeFileSync(join(mixed, 'c.json'), good.replace(/"id": "[^"]+"/, '"id": "c-file-event"'));
    const { code, stdout } = run(['invoke', mixed, '--json']);
    expect(code).toBe(2);
    const results = JSON.parse(stdout) as { file: string; reports: { ok: boolean; error?: { code: string } }[] }[];
    expect(results.map((r) => [r.file.slice(mixed.length + 1), r.reports[0]?.ok, r.reports[0]?.error?.code])).toEqual([
      ['a.json', true, undefined],
      ['b.json', false, 'INVALID_INPUT'],
      ['c.json', true, undefined],
    ]);
  });
});

describe('routes, check-config', () => {
  it('routes test shows the targets an event reaches, nothing sent', () => {
    const { code, stdout } = router('routes', 'test', sample('aws/state-change-single-metric.json'), '--json');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual([
      expect.objectContaining({ targets: ['local-file'], routes: ['route.routes[0]'], alert: expect.objectContaining({ severity: 'critical' }) }),
    ]);
  });

  it('routes show prints the tree', () => {
    const { code, stdout } = router('routes', 'show');
    expect(code).toBe(0);
    expect(stdout).toContain('refused-port');
    expect(stdout).toContain('labels.InstanceId="i-unreachable"');
  });

  it('check-config accepts the default router.yaml and reports every problem of a broken file, exit 2', () => {
    expect(router('check-config', join(ROOT, 'router.yaml')).code).toBe(0);
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, "version: 1\ntargets:\n  a:\n    type: console\nroute:\n  targets: [b]\n  routes:\n    - matchers: ['team=db']\n    - matchers: []\n    - matchers: ['cloud=\"aws\"']\n");
    const { code, stdout, stderr } = router('check-config', bad);
    expect(code).toBe(2);
    oneLineError(stderr);
    expect(stderr).toContain(`${bad}: invalid: 2 errors, 1 warning (the first at line 6)`);
    expect(stdout.trimEnd().split('\n')).toEqual([
      `${bad}:6: error: route.targets[0]: unknown target "b"; defined targets: a`,
      expect.stringMatching(new RegExp(`^${bad}:8: error: route\\.routes\\[0\\]\\.matchers\\[0\\]: unknown field "team" \\(for the label team, write labels\\.team\\)`)),
      `${bad}:10: warning: route.routes[2]: unreachable: the catch-all route.routes[1] before it takes every alert this route matches, and has no continue: true`,
    ]);
  });

  it('routes test takes an alert from the command line, shows its path at a given time, and verifies its targets', () => {
    const timed = join(dir, 'timed.yaml');
    writeFileSync(
      timed,
      [
        'version: 1',
        'targets:',
        '  default: { type: console }',
        '  db: { type: console }',
        'timeIntervals:',
        '  weekends: [{ weekdays: [saturday, sunday] }]',
        'route:',
        '  targets: [default]',
        '  routes:',
        '    - matchers: [\'{labels.team="db", severity="critical"}\']',
        '      targets: [db]',
        '      muteTimeIntervals: [weekends]',
      ].join('\n'),
    );
    const args = ['routes', 'test', 'severity=critical', 'labels.team=db', '--config', timed];
    const friday = run([...args, '--at', '2026-12-04T12:00:00Z', '--verify', 'db', '--tree']);
    expect(friday.code).toBe(0);
    expect(friday.stdout).toBe(
      [
        'routes-test (aws.cloudwatch, firing, critical) at 2026-12-04T12:00:00.000Z',
        'route',
        '└── {labels.team="db", severity="critical"}  targets: db  (delivers)',
        '  db  delivered via route.routes[0]',
        '  verify: ok',
        '',
        '',
      ].join('\n'),
    );
    const saturday = run([...args, '--at', '2026-12-05T12:00:00Z', '--verify', 'db']);
    expect(saturday.code).toBe(1);
    expect(saturday.stdout).toBe('db (held back)\n');
    expect(saturday.stderr).toContain('verify failed: (command line) (routes-test): expected db, delivered to (none)');
    // Without --at, --verify checks routing alone: the same verdict whatever the day it runs.
    const anyDay = run([...args, '--verify', 'db']);
    expect(anyDay.code).toBe(0);
    const wrong = run([...args, '--verify', 'default']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('verify failed: (command line) (routes-test): expected default, reaches db');
    const json = JSON.parse(run([...args, '--at', '2026-12-05T12:00:00Z', '--json']).stdout);
    expect(json[0].held).toEqual([{ target: 'db', reasons: ['inside mute time interval weekends of route.routes[0]'] }]);
    const badField = run(['routes', 'test', 'severity=Critical', '--config', timed]);
    expect(badField.code).toBe(2);
    oneLineError(badField.stderr);
    expect(badField.stderr).toContain('severity:');
  });

  it('routes test reads event files as the handlers do: a BOM is no part of the JSON, a too deep event is refused naming the file and its index', () => {
    const sample = readFileSync(join(ROOT, 'events', 'aws', 'state-change-single-metric.json'), 'utf8');
    const bom = join(dir, 'bom.json');
    writeFileSync(bom, `\uFEFF${sample}`);
    expect(run(['routes', 'test', bom])).toMatchObject({ code: 0, stdout: 'local-file\n' });
    const deep = join(dir, 'deep-batch.json');
    writeFileSync(deep, `[${sample},{"id":"x","detail":${'['.repeat(500)}${']'.repeat(500)}}]`);
    for (const command of [['routes', 'test', deep], ['template', 'render', 'local-file', deep]]) {
      const refused = run(command);
      expect(refused.code).toBe(2);
      // template render says first which config it uses.
      oneLineError(refused.stderr.replace(/^using config .*\n/, ''));
      expect(refused.stderr).toContain(`router: ${deep}[1]: invalid event: detail[0][0]`);
      expect(refused.stderr).toContain(': nested deeper than 64 levels');
    }
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{\n  "detail": }\n');
    const notJson = run(['routes', 'test', broken]);
    expect(notJson.code).toBe(2);
    oneLineError(notJson.stderr);
  });

  it('routes test takes a directory: one line per alert, each with its file', () => {
    const { code, stdout } = router('routes', 'test', join(ROOT, 'events', 'aws'));
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) expect(line).toMatch(/^\/.*events\/aws\/[^:]+\.json: local-file( \(held back\))?$/);
  });

  it('migrate alertmanager writes a router.yaml that check-config accepts, and lists what it did not convert', () => {
    const out = join(dir, 'migrated.yaml');
    const { code, stderr } = router('migrate', 'alertmanager', join(ROOT, 'docs/examples/alertmanager.yml'), '--out', out);
    expect(code).toBe(0);
    expect(stderr).toContain('not converted: inhibit_rules (1)');
    expect(stderr).toContain('set AM_PAGER_PAGERDUTY_ROUTING_KEY: receivers[1] (pager).pagerduty_configs[0].routing_key');
    expect(stderr).not.toContain('abcdef0123456789secretkey');
    const checked = router('check-config', out);
    expect(checked.code).toBe(0);
    expect(checked.stdout).toMatch(/migrated\.yaml: valid: 4 target\(s\)/);
  });

  it('migrate alertmanager refuses a matcher it cannot convert exactly: exit 2, one line naming it, nothing written', () => {
    const am = join(dir, 'bad-alertmanager.yml');
    // Dropping the invalid matcher would make the route take every alert of team db.
    writeFileSync(am, ['route:', '  receiver: ops', '  routes:', "    - matchers: ['team=db,critical']", '      receiver: db', 'receivers:', '  - name: ops', '  - name: db'].join('\n'));
    const out = join(dir, 'refused.yaml');
    const toFile = router('migrate', 'alertmanager', am, '--out', out);
    expect(toFile.code).toBe(2);
    oneLineError(toFile.stderr);
    expect(toFile.stderr).toContain(`${am}:4: route.routes[0].matchers[0]: invalid matcher "critical" (in "team=db,critical"): expected NAME OP VALUE`);
    expect(existsSync(out)).toBe(false);
    const toStdout = router('migrate', 'alertmanager', am);
    expect(toStdout.code).toBe(2);
    expect(toStdout.stdout).toBe('');
  });
});

describe('help, usage errors', () => {
  it('an unknown command is a usage error, exit 2, pointing at help', () => {
    const { code, stderr } = router('frobnicate');
    expect(code).toBe(2);
    oneLineError(stderr);
    expect(stderr).toContain('unknown command frobnicate');
    expect(stderr).toContain('npm run -s router -- help');
  });

  it('suggests the command, subcommand or option meant by a typo', () => {
    expect(router('rotues', 'show').stderr).toContain('unknown command rotues: did you mean routes?');
    expect(router('routes', 'shwo').stderr).toContain('routes: unknown subcommand shwo: did you mean show?');
    expect(router('normalise', 'x.json').stderr).toContain('did you mean normalize?');
    const option = router('routes', 'test', sample('aws/state-change-single-metric.json'), '--jsno');
    expect(option.code).toBe(2);
    oneLineError(option.stderr);
    expect(option.stderr).toContain('unknown option --jsno: did you mean --json?');
  });

  it('help lists every command; help COMMAND and COMMAND --help print that command\'s page with an example', () => {
    const general = router('help');
    expect(general.code).toBe(0);
    for (const name of ['normalize', 'invoke', 'routes test', 'routes show', 'check-config', 'template render']) {
      expect(general.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    }
    const page = router('help', 'routes', 'test');
    expect(page.code).toBe(0);
    expect(page.stdout).toMatch(/^Usage: npm run -s router -- routes test FILE/);
    expect(page.stdout).toMatch(/^ {2}--json /m);
    expect(page.stdout).toMatch(/^ {2}npm run -s router -- routes test events\//m);
    expect(router('routes', 'test', '--help')).toEqual({ code: 0, stdout: page.stdout, stderr: '' });
    expect(router('--version')).toMatchObject({ code: 0, stdout: `${(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version}\n` });
    expect(router('invoke', '--help').stdout).toMatch(/--timeout SECONDS/);
    expect(router('invoke', '--help').stdout).not.toEqual(router('normalize', '--help').stdout);
  });

  it('a missing argument names it and the usage', () => {
    const { code, stderr } = router('routes', 'test');
    expect(code).toBe(2);
    oneLineError(stderr);
    expect(stderr).toContain('routes test: missing FILE');
    expect(stderr).toContain('usage: npm run -s router -- routes test FILE');
  });

  it('a missing file is reported in one wording by every command', () => {
    const missing = join(dir, 'nowhere.json');
    const runs = [
      router('normalize', missing),
      router('invoke', missing),
      router('routes', 'test', missing),
      router('template', 'render', 'local-file', missing),
      router('check-config', missing),
      router('routes', 'show', missing),
      run(['routes', 'show'], { ROUTER_CONFIG: missing }),
      run(['routes', 'show', '--config', missing]),
    ];
    for (const { code, stderr } of runs) {
      expect(code).toBe(2);
      oneLineError(stderr);
      expect(stderr).toContain(`router: ${missing}: cannot read: no such file or directory`);
    }
  });

  it('a closed pipe ends the command quietly', () => {
    const big = join(dir, 'big-batch.json');
    const batch = JSON.parse(readFileSync(sample('alibaba/arms-batch.json'), 'utf8')) as unknown[];
    writeFileSync(big, JSON.stringify(Array.from({ length: 400 }, () => batch).flat()));
    const result = spawnSync('bash', ['-o', 'pipefail', '-c', `"${TSX}" "${MAIN}" routes test "${big}" | head -1`], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, ROUTER_CONFIG: config },
      timeout: 60_000,
    });
    expect(result.stdout).toBe('local-file\n');
    expect(result.stderr).not.toMatch(/EPIPE|\n\s+at /);
    expect(result.status).toBe(0);
  });
});

describe('the routing config', () => {
  const other = join(dir, 'other.yaml');
  writeFileSync(other, ['version: 1', 'targets:', '  elsewhere:', '    type: file', `    path: ${JSON.stringify(join(dir, 'other.jsonl'))}`, 'route:', '  targets: [elsewhere]'].join('\n'));

  it('every command that reads it takes --config, then ROUTER_CONFIG, then ./router.yaml, and says which', () => {
    const event = sample('aws/state-change-single-metric.json');
    const flag = run(['routes', 'test', event, '--config', other]);
    expect(flag.stdout).toBe('elsewhere\n');
    expect(flag.stderr).toBe(`using config ${other} (from --config)\n`);
    const env = run(['routes', 'test', event], { ROUTER_CONFIG: other });
    expect(env.stdout).toBe('elsewhere\n');
    expect(env.stderr).toBe(`using config ${other} (from ROUTER_CONFIG)\n`);
    const fallback = run(['routes', 'test', event], {});
    expect(fallback.stdout).toBe('local-file\n');
    expect(fallback.stderr).toBe('using config router.yaml (the default)\n');
    for (const args of [['routes', 'show'], ['check-config'], ['template', 'render', 'elsewhere', event]]) {
      expect(run([...args, '--config', other]).stderr).toContain(`using config ${other} (from --config)`);
    }
  });

  it('routes show and check-config take the file as an argument too', () => {
    const shown = run(['routes', 'show', other]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('targets: elsewhere');
    expect(run(['check-config', other]).stdout).toMatch(/other\.yaml: valid: 1 target\(s\)/);
    const both = run(['routes', 'show', other, '--config', config]);
    expect(both.code).toBe(2);
    oneLineError(both.stderr);
  });

  it('the default file missing says how to name another', () => {
    const { code, stderr } = run(['check-config'], {}, mkdtempSync(join(tmpdir(), 'router-cli-empty-')));
    expect(code).toBe(2);
    oneLineError(stderr);
    expect(stderr).toContain('router.yaml: cannot read: no such file or directory (');
    expect(stderr).toContain('--config FILE or set ROUTER_CONFIG');
  });
});

describe('template render', () => {
  const team = join(ROOT, 'docs/examples/team.yaml');
  const secrets = { ROUTER_CONFIG: team, SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T0/B0/cli-test', JIRA_API_TOKEN: 'cli-test-token' };
  const event = sample('alibaba/arms-chinese-p1.json');

  it('shows a chat message as Slack shows it, and the raw body with --json', () => {
    const text = run(['template', 'render', 'team-slack', event], secrets);
    expect(text.code).toBe(0);
    expect(text.stdout).not.toContain('"blocks"');
    expect(text.stdout).toMatch(/^🔥 FIRING · 🔴 CPU使用率过高\n═+\n/);
    expect(text.stdout).toContain('Severity: 🔴 CRITICAL (P1)');
    expect(text.stdout).toContain('ARMS console (https://arms.console.aliyun.com/');
    const raw = run(['template', 'render', 'team-slack', event, '--json'], secrets);
    expect(JSON.parse(raw.stdout)).toMatchObject({ blocks: expect.arrayContaining([expect.objectContaining({ type: 'header' })]) });
  });

  it('previews the webhook payload (Alertmanager v4 here) and a ticket', () => {
    const hook = run(['template', 'render', 'am-bridge', event, '--json'], secrets);
    expect(hook.code).toBe(0);
    expect(JSON.parse(hook.stdout)).toMatchObject({ version: '4', receiver: 'am-bridge', status: 'firing', alerts: [expect.objectContaining({ status: 'firing' })] });
    const ticket = run(['template', 'render', 'ops-jira', event], secrets);
    expect(ticket.code).toBe(0);
    expect(ticket.stdout).toMatch(/^\(open\) \[CRITICAL\] CPU使用率过高/);
    expect(ticket.stdout).toContain('hostname=线上生产主机');
    expect(ticket.stdout).not.toContain('cli-test-token');
  });

  it('says when the target would not send the alert', () => {
    const { code, stdout } = run(['template', 'render', 'team-slack', sample('aws/config-create-composite.json')], secrets);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^\(not sent: status config-created is not in its statuses \(firing, resolved, acknowledged\)\)\n/);
  });

  it('renders each alert of a batch file for every target of the config', () => {
    for (const target of ['archive', 'team-slack', 'ops-jira', 'am-bridge']) {
      const { code, stdout } = run(['template', 'render', target, sample('alibaba/arms-batch.json')], secrets);
      expect(code).toBe(0);
      expect(stdout).toMatch(/^── alert 1 of \d+ ──$/m);
    }
  });
});
