import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deliver } from '../../shared/dispatch/deliver';
import { prepareTargets } from '../../shared/dispatch/targets';
import { createLogger, setLogSink } from '../../shared/log';
import { ConfigError } from '../../shared/model/errors';
import type { RouterConfig, TargetConfig } from '../../shared/route/types';
import { cloudWatchAlert } from '../targets/conformance';

const logLines: string[] = [];
const runtime = { log: createLogger({ test: 'prepare' }), alibabaCredentials: () => undefined };
let dir: string;

beforeAll(async () => {
  setLogSink((line) => logLines.push(line));
  dir = await mkdtemp(join(tmpdir(), 'alert-router-prepare-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function config(targets: Record<string, Omit<TargetConfig, 'name' | 'policy'>>): RouterConfig {
  return {
    file: 'router.yaml',
    targets: Object.fromEntries(Object.entries(targets).map(([name, target]) => [name, { name, policy: { timeoutMs: 2000, retries: 1 }, ...target }])),
    route: {
      path: 'route',
      matchers: [],
      targets: Object.keys(targets),
      continue: false,
      muted: 'deliver',
      muteTimeIntervals: [],
      activeTimeIntervals: [],
      routes: [],
    },
    severityRules: [],
    timeIntervals: {},
    silences: [],
  };
}

describe('prepareTargets', () => {
  it('creates only the targets named, with their policy, ready to deliver', async () => {
    const path = join(dir, 'audit.jsonl');
    const routerConfig = config({
      audit: { type: 'file', settings: { path } },
      stdout: { type: 'console', settings: { format: 'json' } },
    });

    const prepared = await prepareTargets(routerConfig, ['audit', 'audit'], runtime);

    expect([...prepared.keys()]).toEqual(['audit']);
    const audit = prepared.get('audit')!;
    expect(audit).toMatchObject({ name: 'audit', type: 'file', policy: { timeoutMs: 2000, retries: 1 } });
    const [result] = await deliver(cloudWatchAlert(), [audit], { log: runtime.log });
    expect(result).toMatchObject({ target: 'audit', outcome: 'delivered' });
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual(cloudWatchAlert());
  });

  it('creates each target once per config', async () => {
    const routerConfig = config({ audit: { type: 'file', settings: { path: join(dir, 'once.jsonl') } } });
    const [first, second] = await Promise.all([prepareTargets(routerConfig, ['audit'], runtime), prepareTargets(routerConfig, ['audit'], runtime)]);
    const third = await prepareTargets(routerConfig, ['audit'], runtime);

    expect(second.get('audit')!.target).toBe(first.get('audit')!.target);
    expect(third.get('audit')!.target).toBe(first.get('audit')!.target);
    const other = await prepareTargets(config({ audit: { type: 'file', settings: { path: join(dir, 'once.jsonl') } } }), ['audit'], runtime);
    expect(other.get('audit')!.target).not.toBe(first.get('audit')!.target);
  });

  it('refuses an undefined target name or an unknown type as config errors', async () => {
    const routerConfig = config({ pager: { type: 'carrier-pigeon', settings: {} } });

    await expect(prepareTargets(routerConfig, ['missing'], runtime)).rejects.toThrow(new ConfigError('router.yaml', 'targets.missing', 'is not defined'));
    await expect(prepareTargets(routerConfig, ['pager'], runtime)).rejects.toThrow(new ConfigError('router.yaml', 'targets.pager.type', 'unknown target type "carrier-pigeon"'));
  });

  it('turns a target that cannot be created into failed deliveries, without stopping the others', async () => {
    // Settings that bypassed validation: file.create cannot resolve a missing path.
    const routerConfig = config({
      broken: { type: 'file', settings: {} },
      audit: { type: 'file', settings: { path: join(dir, 'ok.jsonl') } },
    });

    const prepared = await prepareTargets(routerConfig, ['broken', 'audit'], runtime);
    const results = await deliver(cloudWatchAlert(), [...prepared.values()], { log: runtime.log });

    expect(results[0]).toMatchObject({ target: 'broken', outcome: 'failed', retryable: false, attempts: 1 });
    expect(results[0]!.detail).toMatch(/^target could not be created: TypeError ERR_INVALID_ARG_TYPE: /);
    expect(results[1]).toMatchObject({ target: 'audit', outcome: 'delivered' });
    expect(logLines.some((line) => JSON.parse(line).msg === 'target could not be created')).toBe(true);
    // Not kept: the next call tries to create it again.
    const again = await prepareTargets(routerConfig, ['broken'], runtime);
    expect(again.get('broken')!.target).not.toBe(prepared.get('broken')!.target);
  });
});
