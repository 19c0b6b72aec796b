// s.yaml, proven offline (Serverless Devs cannot run the fc3 component here): the file with
// its variables resolved is valid against a schema written from the fc3 documentation, each
// function deploys a directory of the one build, and every sample ARMS event reaches
// exactly the function that handles it through the generated EventBridge patterns.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import type { BuildResult } from '../../scripts/build';
import { readRouterConfig } from '../../scripts/router-targets';
import { compileRouterJson } from '../../scripts/router-json';
import { readSYaml, resolveSYaml, type SYaml } from '../../scripts/s-yaml';
import { matchesPattern } from '../support/event-pattern';
import schema from './fc3-s-yaml.schema.json';
import { DEFAULT_CONFIG, ROOT, buildService, handlerEventTypes, removeTemporaryDirectories, sampleEvents, temporaryDirectory } from './support';

const ACCOUNT = '1234567890123456';
const raw = readSYaml(join(ROOT, 's.yaml'));
const resolve = (env: Record<string, string> = {}): SYaml => resolveSYaml(raw, { env, accountId: ACCOUNT });
const resolved = resolve();
const vars = resolved.vars as Record<string, string>;
const boundTypes = handlerEventTypes('alibaba');
const validate = new Ajv({ allErrors: true }).compile(schema);

type Props = Record<string, unknown> & {
  functionName: string;
  code: string;
  environmentVariables: Record<string, string>;
  triggers: { triggerName: string; triggerType: string; sourceArn: string; triggerConfig: Record<string, unknown> }[];
};
const functions = (doc: SYaml) => Object.entries(doc.resources).map(([key, r]) => [key, r.props as Props] as const);

/** The handler a function deploys, from its code directory (./dist/alibaba/<handler>). */
const handlerOf = (props: Props) => /^\.\/dist\/alibaba\/([\w-]+)$/.exec(props.code)?.[1];

/** Functions (by handler name) whose trigger pattern matches the event. */
function matchingFunctions(doc: SYaml, event: unknown): string[] {
  return functions(doc)
    .filter(([, props]) => props.triggers.some((t) => matchesPattern(String(t.triggerConfig.eventRuleFilterPattern), event)))
    .map(([, props]) => handlerOf(props)!);
}

let serviceDir: string;
let build: BuildResult;

beforeAll(async () => {
  serviceDir = temporaryDirectory('s-yaml');
  build = await buildService(serviceDir, DEFAULT_CONFIG);
}, 120_000);

afterAll(removeTemporaryDirectories);

describe('s.yaml against the fc3 schema', () => {
  it('is valid once its variables take their defaults', () => {
    expect(validate(resolved) ? [] : validate.errors).toEqual([]);
  });

  it('is valid with every variable set from the environment', () => {
    const doc = resolve({
      ALIBABA_CLOUD_REGION: 'cn-shanghai',
      ALERT_ROUTER_PREFIX: 'alerts-prod',
      ARMS_EVENT_BUS: 'ops-bus',
      ARMS_EVENT_SOURCE: 'arms-prod',
      ALERT_ROUTER_ROLE: 'alerts-prod-fc',
      ALERT_ROUTER_LOG_PROJECT: 'ops-logs',
      ALERT_ROUTER_LOG_STORE: 'alerts',
      ALERT_ROUTER_DLQ: 'alerts-prod-dlq',
    });
    expect(validate(doc) ? [] : validate.errors).toEqual([]);
    expect(functions(doc).every(([, p]) => p.region === 'cn-shanghai' && p.functionName.startsWith('alerts-prod-'))).toBe(true);
  });

  const mutate = (change: (props: Props) => void): SYaml => {
    const copy = structuredClone(resolved);
    change(Object.values(copy.resources)[0]!.props as Props);
    return copy;
  };
  it.each([
    ['a missing functionName', (p: Props) => delete (p as Partial<Props>).functionName],
    ['an unknown runtime', (p: Props) => (p.runtime = 'nodejs99')],
    ['a misspelt property', (p: Props) => (p.memorysize = 256)],
    ['a memory size off the 64 MB grid', (p: Props) => (p.memorySize = 200)],
    ['a pattern that is not a JSON string', (p: Props) => (p.triggers[0]!.triggerConfig.eventRuleFilterPattern = { type: ['x'] })],
    ['a trigger without its event source', (p: Props) => delete p.triggers[0]!.triggerConfig.eventSourceConfig],
    ['run options without a mode', (p: Props) => delete (p.triggers[0]!.triggerConfig.runOptions as Record<string, unknown>).mode],
    ['an unknown retry strategy', (p: Props) => ((p.triggers[0]!.triggerConfig.runOptions as { retryStrategy: Record<string, unknown> }).retryStrategy.PushRetryStrategy = 'FOREVER')],
    ['a non-string environment value', (p: Props) => ((p.environmentVariables as Record<string, unknown>).RETRIES = 3)],
  ])('refuses %s', (_name, change) => {
    expect(validate(mutate(change))).toBe(false);
  });
});

describe('s.yaml functions', () => {
  it('deploys each ARMS handler once, from its directory of the build, with the router.json compiled from router.yaml beside it', async () => {
    const deployed = functions(resolved).map(([, props]) => handlerOf(props));
    expect(deployed.sort()).toEqual([...boundTypes.keys()].sort());
    const config = JSON.parse(JSON.stringify(await compileRouterJson(DEFAULT_CONFIG, 'router.yaml'))) as unknown;
    for (const [, props] of functions(resolved)) {
      const bundle = build.bundles.find((b) => b.cloud === 'alibaba' && `./dist/${b.artifact}` === props.code);
      expect(bundle).toBeDefined();
      expect(props).toMatchObject({ runtime: 'nodejs20', handler: 'index.handler' });
      const dir = join(serviceDir, props.code);
      expect(existsSync(join(dir, 'index.js'))).toBe(true);
      expect(JSON.parse(readFileSync(join(dir, 'router.json'), 'utf8'))).toEqual(config);
      expect(props.environmentVariables.ROUTER_CONFIG).toBe('/code/router.json');
    }
  });

  it('names every function and trigger after the prefix and the handler, each once', () => {
    for (const [key, props] of functions(resolved)) {
      const name = handlerOf(props)!;
      expect(key).toBe(name);
      expect(props.functionName).toBe(`${vars.prefix}-${name}`);
      expect(props.triggers.map((t) => t.triggerName)).toEqual([name]);
    }
  });

  it('triggers each function from its own rule on the ARMS custom bus, keyed on its event type', () => {
    for (const [, props] of functions(resolved)) {
      const [trigger] = props.triggers;
      expect(trigger!.triggerType).toBe('eventbridge');
      expect(trigger!.sourceArn).toBe(`acs:eventbridge:${vars.region}:${ACCOUNT}:eventbus/${vars.eventBusName}/rule/${props.functionName}`);
      expect(JSON.parse(String(trigger!.triggerConfig.eventRuleFilterPattern))).toEqual({ source: [vars.eventSource], type: [boundTypes.get(handlerOf(props)!)] });
      expect(trigger!.triggerConfig).toMatchObject({
        triggerEnable: true,
        eventSourceConfig: { eventSourceType: 'Default' },
        eventSinkConfig: { deliveryOption: { mode: 'event-driven', eventSchema: 'CloudEvents' } },
      });
    }
  });

  it('retries pushes and failed invocations, then dead-letters them to the queue', () => {
    const queue = `acs:mns:${vars.region}:${ACCOUNT}:/queues/${vars.deadLetterQueue}`;
    for (const [, props] of functions(resolved)) {
      const config = props.triggers[0]!.triggerConfig;
      expect(config.asyncInvocationType).toBe(true);
      expect(config.runOptions).toMatchObject({ mode: 'event-driven', retryStrategy: { PushRetryStrategy: expect.any(String) }, deadLetterQueue: { Arn: queue } });
      expect(props.asyncInvokeConfig).toMatchObject({
        maxAsyncRetryAttempts: expect.any(Number),
        maxAsyncEventAgeInSeconds: expect.any(Number),
        destinationConfig: { onFailure: { destination: `${queue}/messages` } },
      });
    }
  });

  it('runs under the RAM role whose policy the build wrote, and logs to the store that policy names', () => {
    const policy = JSON.parse(readFileSync(join(serviceDir, 'dist', 'alibaba', 'ram-policy.json'), 'utf8')) as { Statement: { Action: string[]; Resource: string[] }[] };
    const grants = Object.fromEntries(policy.Statement.map((s) => [s.Action.join(), s.Resource]));
    // The default router.yaml calls no Alibaba API: logs and the dead-letter queue only.
    expect(Object.keys(grants).sort()).toEqual(['log:PostLogStoreLogs', 'mns:SendMessage']);
    expect(grants['log:PostLogStoreLogs']).toEqual([`acs:log:${vars.region}:*:project/${vars.logProject}/logstore/${vars.logStore}`]);
    expect(grants['mns:SendMessage']).toEqual([`acs:mns:${vars.region}:*:/queues/${vars.deadLetterQueue}/messages`]);
    for (const [, props] of functions(resolved)) {
      expect(props.role).toBe(`acs:ram::${ACCOUNT}:role/${vars.roleName}`);
      expect(props.logConfig).toMatchObject({ project: vars.logProject, logstore: vars.logStore });
    }
  });

  it('takes every other environment variable from the deploying shell, never as a value, and each one router.yaml references', () => {
    const referenced = readRouterConfig(DEFAULT_CONFIG).envReferences;
    for (const [, props] of functions(raw)) {
      const { ROUTER_CONFIG: _config, ROUTER_DATA_DIR: dataDir, ...others } = props.environmentVariables;
      expect(dataDir).toBe('/tmp');
      for (const [name, value] of Object.entries(others)) expect(value).toBe(`\${env('${name}')}`);
      expect(Object.keys(others).sort()).toEqual(expect.arrayContaining(referenced));
    }
  });
});

describe('sample events through the s.yaml trigger patterns', () => {
  const alibabaSamples = sampleEvents('alibaba');

  it.each(alibabaSamples.map((s) => [s.label, s] as const))('%s reaches exactly the function that handles it', (_label, { event }) => {
    // ARMS's source is whatever the integration was given: deploy with it.
    const doc = resolve({ ARMS_EVENT_SOURCE: String(event.source) });
    const handling = [...boundTypes].filter(([, type]) => event.type === type).map(([name]) => name);
    expect(handling).toHaveLength(1);
    expect(matchingFunctions(doc, event)).toEqual(handling);
  });

  it.each(alibabaSamples.map((s) => [s.label, s] as const))('%s reaches nothing when the deployment listens to another source', (_label, { event }) => {
    expect(matchingFunctions(resolve({ ARMS_EVENT_SOURCE: `${String(event.source)}-other` }), event)).toEqual([]);
  });

  it.each(sampleEvents('aws').map((s) => [s.label, s] as const))('%s reaches no FC function', (_label, { event }) => {
    expect(matchingFunctions(resolved, event)).toEqual([]);
  });
});
