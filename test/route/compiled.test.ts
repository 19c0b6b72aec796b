// router.json: the build compiles router.yaml (scripts/router-json.ts) and a function starts
// from it (shared/route/compiled.ts). It must route exactly like the YAML it came from,
// keep secrets out of the file, resolve and validate them at start, and name router.yaml's
// line and path in every error, at build and at start.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig, loadConfig } from '../../shared/route/config';
import { fromRouterJson, loadRouterJson, ROUTER_JSON_FORMAT, serializeConfig, type RouterJson } from '../../shared/route/compiled';
import { ConfigError } from '../../shared/model/errors';
import { normalizeEvent } from '../../shared/normalize';
import { planAlert } from '../../shared/runtime/pipeline';
import { loadRouterConfig } from '../../shared/runtime/router';
import { compileRouterJson } from '../../scripts/router-json';
import { BuildConfigError } from '../../scripts/router-targets';
import { eventsOf, ROOT, samples } from '../support/samples';

const dir = mkdtempSync(join(tmpdir(), 'router-json-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function yamlFile(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** The JSON as it is written and read back: no object survives that JSON would not keep. */
const shipped = (json: RouterJson) => JSON.parse(JSON.stringify(json)) as RouterJson;

const ROUTING = `version: 1
severity:
  - matchers: ['provider="aws.cloudwatch"', 'name=~".*[Cc]ritical.*|.*CPU.*"']
    severity: critical
targets:
  all:
    type: file
    path: out/all.jsonl
  loud:
    type: console
    format: text
  aws:
    type: file
    path: out/aws.jsonl
route:
  targets: [all]
  routes:
    - matchers: ['severity="critical"']
      targets: [loud]
      continue: true
    - matchers: ['cloud="aws"', 'labels.regionId!~"cn-.*"']
      targets: [aws]
      muteTimeIntervals: [month-end]
      activeTimeIntervals: [business-hours]
timeIntervals:
  business-hours:
    - times: [{ startTime: '09:00', endTime: '17:00' }]
      weekdays: ['monday:friday']
      location: Asia/Shanghai
  month-end:
    - daysOfMonth: ['-3:-1']
silences:
  - matchers: ['{labels.service="billing", severity!="critical"}']
    startsAt: 2026-12-01T22:00:00Z
    endsAt: 2026-12-02T06:00:00Z
    createdBy: ops@example.com
    comment: billing database migration
`;

describe('router.json', () => {
  it('routes every sample event exactly as the router.yaml it was compiled from', async () => {
    for (const file of [join(ROOT, 'router.yaml'), yamlFile('routing.yaml', ROUTING)]) {
      const fromYaml = await loadConfig(file, {});
      const fromJson = await fromRouterJson(shipped(await compileRouterJson(file, 'router.yaml')), 'router.json', {});
      // Everything but the matchers' compiled regexes, which are compared by what they match.
      expect(serializeConfig(fromJson)).toEqual(serializeConfig({ ...fromYaml, file: 'router.yaml' }));
      const alerts = [...samples('aws'), ...samples('alibaba')].flatMap(eventsOf).map((event) => normalizeEvent(event));
      for (const alert of alerts) {
        const json = planAlert(alert, fromJson);
        const yaml = planAlert(alert, fromYaml);
        expect({ severity: json.alert.severity, targets: json.targets, routes: json.routes.map((r) => r.path) }).toEqual({
          severity: yaml.alert.severity,
          targets: yaml.targets,
          routes: yaml.routes.map((r) => r.path),
        });
      }
    }
  });

  describe('secret references', () => {
    const secretConfig = yamlFile(
      'secrets.yaml',
      `version: 1
targets:
  hook:
    type: webhook
    url: https://hooks.example.com/alerts
    secret: \${env:HOOK_SECRET}
    headers:
      authorization: Bearer \${env:HOOK_TOKEN}
route:
  targets: [hook]
`,
    );
    const env = { HOOK_SECRET: 'a-webhook-signing-secret-0123', HOOK_TOKEN: 'bearer-token-4567' };

    it('keeps them as written in the file and resolves them at start, as router.yaml would be', async () => {
      const json = shipped(await compileRouterJson(secretConfig, 'router.yaml'));
      const text = JSON.stringify(json);
      expect(text).toContain('${env:HOOK_SECRET}');
      expect(text).not.toContain(env.HOOK_SECRET);
      expect(Object.keys(json.atStart)).toEqual(['hook']);
      const atStart = await fromRouterJson(json, 'router.json', env);
      expect(atStart.targets).toEqual((await parseConfig(readFileSync(secretConfig, 'utf8'), 'router.yaml', env)).targets);
    });

    it('names router.yaml, the line and the path when one is not set, or its value is refused', async () => {
      const json = shipped(await compileRouterJson(secretConfig, 'router.yaml'));
      await expect(fromRouterJson(json, 'router.json', { HOOK_SECRET: env.HOOK_SECRET })).rejects.toThrow(
        new ConfigError('router.yaml', 'targets.hook.headers.authorization', 'environment variable HOOK_TOKEN is not set (referenced as ${env:HOOK_TOKEN})', 8),
      );
      const short = fromRouterJson(json, 'router.json', { ...env, HOOK_SECRET: 'short-secret' });
      await expect(short).rejects.toMatchObject({ file: 'router.yaml', path: 'targets.hook.secret', line: 6 });
      await expect(short).rejects.toThrow(/at least 16 characters/);
      await expect(short).rejects.not.toThrow(/short-secret/);
    });
  });

  it('fails the build on an invalid config, naming file, line and path of every problem', async () => {
    const bad = yamlFile('bad.yaml', 'version: 1\ntargets:\n  out:\n    type: file\n    path: ""\nroute:\n  targets: [out, missing]\n');
    const failure = compileRouterJson(bad, 'router.yaml');
    await expect(failure).rejects.toThrow(BuildConfigError);
    await expect(failure).rejects.toThrow(/router\.yaml:5: targets\.out\.path: must name a file/);
    await expect(failure).rejects.toThrow(/router\.yaml:7: route\.targets\[1\]: unknown target "missing"/);
  });

  it('refuses a file of another format, telling to rebuild it', async () => {
    const file = join(dir, 'old.json');
    writeFileSync(file, JSON.stringify({ format: 'something-else', config: {} }));
    await expect(loadRouterJson(file, {})).rejects.toThrow(/expected alert-router\/router\.json@1\): rebuild it from router\.yaml/);
    expect(ROUTER_JSON_FORMAT).toBe('alert-router/router.json@1');
  });

  it('is what a function loads: ROUTER_CONFIG naming a .json file, else router.yaml', async () => {
    const file = join(dir, 'router.json');
    writeFileSync(file, JSON.stringify(await compileRouterJson(join(ROOT, 'router.yaml'), 'router.yaml')));
    const fromJson = await loadRouterConfig({ ROUTER_CONFIG: file });
    expect(fromJson.file).toBe('router.yaml');
    const fromYaml = await loadRouterConfig({ ROUTER_CONFIG: yamlFile('plain.yaml', ROUTING) });
    expect(Object.keys(fromYaml.targets)).toEqual(['all', 'loud', 'aws']);
  });
});
