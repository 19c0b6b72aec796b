// The command line as users and scripts run it: a real process, its stdout, stderr and
// exit code (DESIGN.md: 0 success, 1 a delivery failed, 2 invalid input or config).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { normalizeEvent } from '../../shared/normalize';
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

function router(...args: string[]) {
  const result = spawnSync(TSX, [join(ROOT, 'shared/cli/main.ts'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, ROUTER_CONFIG: config },
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const sample = (path: string) => join(ROOT, 'events', path);
const oneLineError = (stderr: string) => {
  expect(stderr.trimEnd().split('\n')).toHaveLength(1);
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

  it('exits 2 on invalid samples, reporting each', () => {
    const { code, stdout } = router('invoke', join(ROOT, 'events/invalid/aws'));
    expect(code).toBe(2);
    expect(stdout).toMatch(/REFUSED: invalid event: /);
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

  it('check-config accepts the default router.yaml and refuses a broken file with exit 2', () => {
    expect(router('check-config', join(ROOT, 'router.yaml')).code).toBe(0);
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'version: 1\ntargets:\n  a:\n    type: nope\nroute:\n  targets: [a]\n');
    const { code, stderr } = router('check-config', bad);
    expect(code).toBe(2);
    oneLineError(stderr);
    expect(stderr).toContain(`${bad}:4`);
    expect(stderr).toContain('targets.a.type');
  });

  it('an unknown command is a usage error, exit 2', () => {
    const { code, stderr } = router('frobnicate');
    expect(code).toBe(2);
    expect(stderr).toContain('unknown command frobnicate');
  });
});
