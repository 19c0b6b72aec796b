// `router state list` and `router state show` as users run them: a real process, on a
// local store filled by `router invoke` of two events of one alarm (firing, then resolved)
// and one of another (firing).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../support/samples';
import { alarmEvent } from './support';

const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const dir = mkdtempSync(join(tmpdir(), 'router-state-cli-'));
/** A router.yaml in `dir`: one file target, and the given `state:` section. */
function writeConfig(name: string, state: string[]): string {
  const file = join(dir, name);
  const target = ['targets:', '  local-file:', '    type: file', `    path: ${JSON.stringify(join(dir, 'alerts.jsonl'))}`];
  writeFileSync(file, ['version: 1', ...target, 'route:', '  targets: [local-file]', 'state:', ...state].join('\n'));
  return file;
}
const config = writeConfig('router.yaml', ['  store: local', `  path: ${JSON.stringify(join(dir, 'state'))}`]);

function router(...args: string[]) {
  const result = spawnSync(TSX, [join(ROOT, 'shared/cli/main.ts'), ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ROUTER_CONFIG: config }, timeout: 60_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(() => {
  const events = [
    alarmEvent({ id: 'cli-firing-1', state: 'ALARM', at: '2026-03-01T10:00:00.000Z', alarm: 'OrdersLatency' }),
    alarmEvent({ id: 'cli-resolve-1', state: 'OK', at: '2026-03-01T10:20:00.000Z', alarm: 'OrdersLatency' }),
    alarmEvent({ id: 'cli-firing-2', state: 'ALARM', at: '2026-03-01T11:00:00.000Z', alarm: 'DiskFull' }),
  ];
  for (const event of events) {
    const file = join(dir, `${event.id}.json`);
    writeFileSync(file, JSON.stringify(event));
    expect(router('invoke', file).code).toBe(0);
  }
}, 120_000);

test('state list: every alert, firing ones first, since when, what each target was told', () => {
  const { code, stdout } = router('state', 'list');
  expect(code).toBe(0);
  const lines = stdout.trim().split('\n');
  expect(lines[0]).toMatch(/^status\s+since\s+cloud\s+alert\s+targets told\s+dedupKey$/);
  expect(lines[2]).toMatch(/^firing\s+2026-03-01T11:00:00.000Z\s+aws\s+DiskFull\s+local-file:firing\s+arn:aws:cloudwatch:us-east-1:123456789012:alarm:DiskFull$/);
  expect(lines[3]).toMatch(/^resolved\s+2026-03-01T10:20:00.000Z\s+aws\s+OrdersLatency\s+local-file:resolved\s/);
  expect(lines[4]).toBe('2 alert(s) in the local store: 1 firing or acknowledged');
  expect(router('state', 'list', '--firing').stdout).not.toMatch(/OrdersLatency/);
  const json = JSON.parse(router('state', 'list', '--json').stdout) as { name: string }[];
  expect(json.map((a) => a.name)).toEqual(['DiskFull', 'OrdersLatency']);
});

test("state show: one alert's history, event by event", () => {
  const { code, stdout } = router('state', 'show', 'OrdersLatency');
  expect(code).toBe(0);
  expect(stdout).toMatch(/^status\s+resolved since 2026-03-01T10:20:00.000Z$/m);
  expect(stdout).toMatch(/^local-file\s+resolved\s+\S+\s+cli-resolve-1\s+-$/m);
  expect(stdout).toMatch(/^2026-03-01T10:00:00.000Z\s+cli-firing-1\s+firing\s+local-file:delivered$/m);
  expect(stdout).toMatch(/^2026-03-01T10:20:00.000Z\s+cli-resolve-1\s+resolved\s+local-file:delivered$/m);
});

test('state show takes the full dedupKey', () => {
  const { code, stdout } = router('state', 'show', 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:OrdersLatency', '--json');
  expect(code).toBe(0);
  expect(JSON.parse(stdout)).toMatchObject({ name: 'OrdersLatency', status: 'resolved', dedupKey: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:OrdersLatency' });
});

test('state show of an unknown alert, and a config without state, exit 2 with one line', () => {
  const unknown = router('state', 'show', 'NoSuchAlarm');
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toMatch(/no alert in the store has the dedupKey or name "NoSuchAlarm"/);
  const bare = join(dir, 'bare.yaml');
  writeFileSync(bare, 'version: 1\ntargets:\n  c:\n    type: console\nroute:\n  targets: [c]\n');
  const none = router('state', 'list', '--config', bare);
  expect(none.code).toBe(2);
  expect(none.stderr).toMatch(/state: is not set, so the router keeps no state/);
});

test("invoke's summary says why each target was skipped, and when the ledger was unavailable", () => {
  const events = [
    // A retry of the last event applied to the alert, then a firing older than it.
    alarmEvent({ id: 'cli-resolve-1', state: 'OK', at: '2026-03-01T10:20:00.000Z', alarm: 'OrdersLatency' }),
    alarmEvent({ id: 'cli-firing-late', state: 'ALARM', at: '2026-03-01T10:10:00.000Z', alarm: 'OrdersLatency' }),
    alarmEvent({ id: 'cli-muted', state: 'ALARM', at: '2026-03-01T12:00:00.000Z', alarm: 'Maintenance', muted: true }),
  ];
  const files = events.map((event) => {
    const file = join(dir, `again-${event.id}.json`);
    writeFileSync(file, JSON.stringify(event));
    return file;
  });
  const { code, stdout } = router('invoke', ...files);
  expect(code).toBe(0);
  // The table's rows, in the order of the files.
  const row = (file: string) => stdout.split('\n')[2 + files.indexOf(file)]!;
  expect(row(files[0]!)).toMatch(/local-file:skipped\(already-delivered\)\s+ok; local-file skipped: already delivered at \S+ by an earlier invocation/);
  expect(row(files[1]!)).toMatch(/local-file:skipped\(stale\)\s+ok; stale: older than cli-resolve-1 \(2026-03-01T10:20:00.000Z\), changed nothing$/);
  expect(row(files[2]!)).toMatch(/local-file:skipped\(held-back\)\s+ok; local-file skipped: muted by arn:aws:cloudwatch:/);

  // A store nothing answers: delivered all the same, and the summary says so.
  const deadStore = writeConfig('dead-store.yaml', ['  store: dynamodb', '  table: alert-router-test-state', '  region: us-east-1', '  endpoint: http://127.0.0.1:9', '  timeoutMs: 300']);
  const dead = spawnSync(TSX, [join(ROOT, 'shared/cli/main.ts'), 'invoke', files[2]!, files[0]!, '--config', deadStore], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'example-secret', AWS_REGION: 'us-east-1' },
    timeout: 60_000,
  });
  expect(dead.status).toBe(0);
  expect(dead.stdout).toMatch(/local-file:delivered\(no-ledger\)\s+ok; ledger unavailable: dynamodb store: /);
}, 120_000);

test('state show of a name two alerts share (one alarm name, two regions) names both, and shows neither', () => {
  const store = writeConfig('two-regions.yaml', ['  store: local', `  path: ${JSON.stringify(join(dir, 'two-regions-state'))}`]);
  const east = alarmEvent({ id: 'twin-east', state: 'ALARM', at: '2026-03-01T10:00:00.000Z', alarm: 'Twin' });
  const west = alarmEvent({ id: 'twin-west', state: 'ALARM', at: '2026-03-01T10:00:00.000Z', alarm: 'Twin' });
  west.resources = ['arn:aws:cloudwatch:eu-west-1:123456789012:alarm:Twin'];
  (west as unknown as { region: string }).region = 'eu-west-1';
  for (const event of [east, west]) {
    const file = join(dir, `${event.id}.json`);
    writeFileSync(file, JSON.stringify(event));
    expect(router('invoke', file, '--config', store).code).toBe(0);
  }
  const shown = router('state', 'show', 'Twin', '--config', store);
  expect(shown.code).toBe(2);
  expect(shown.stderr).toContain('2 alerts match "Twin", give one\'s dedupKey: arn:aws:cloudwatch:');
  expect(router('state', 'show', 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:Twin', '--config', store).code).toBe(0);
}, 120_000);
