// Every way router.yaml can be wrong is a ConfigError naming the file, the line, the path
// inside the file and the problem. One fixture per mistake, in test/fixtures/config/.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../../shared/model/errors';
import { loadConfig } from '../../shared/route/config';
import type { TargetType } from '../../shared/targets/contract';
import { targetTypes } from '../../shared/targets/registry';

const FIXTURES = join(__dirname, '..', 'fixtures', 'config');

// A test-only target type with a secret setting: no real type is needed to test the rule.
const secretType: TargetType = {
  type: 'test-secret',
  settings: z.object({ url: z.string(), token: z.string() }).strict(),
  secretKeys: ['token'],
  create: () => ({ send: async () => ({ outcome: 'delivered' }) }),
};
beforeAll(() => {
  targetTypes['test-secret'] = async () => ({ default: secretType as TargetType<never> });
});
afterAll(() => {
  delete targetTypes['test-secret'];
});

const knownTypes = () => Object.keys(targetTypes).join(', ');

async function refusal(file: string | undefined, env: Record<string, string> = {}): Promise<ConfigError> {
  const error = await loadConfig(file, env).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof ConfigError)) throw new Error(`expected a ConfigError from ${file}, got ${String(error)}`);
  return error;
}

const MATCHER_NAMES =
  'id, dedupKey, cloud, provider, kind, status, previousStatus, severity, sourceSeverity, name, summary, description, account, region, comment, solution, labels.<key>, annotations.<key>';

// fixture, line, path inside the file, problem
const CASES: [string, number | undefined, string, string | (() => string)][] = [
  ['empty.yaml', undefined, '', 'the file is empty; expected a mapping with version, targets and route'],
  ['not-a-mapping.yaml', undefined, '', 'expected a mapping, got a list'],
  ['tab-indent.yaml', 4, '', 'YAML syntax error: Tabs are not allowed as indentation'],
  ['duplicate-key.yaml', 6, '', 'YAML syntax error: Map keys must be unique'],
  ['version-2.yaml', 2, 'version', 'must be 1, the only version of router.yaml this router reads'],
  ['unknown-top-key.yaml', 6, 'rout', 'unknown key "rout"; valid keys here: version, defaults, severity, targets, route, timeIntervals, silences, state'],
  [
    'unknown-route-key.yaml',
    12,
    'route.routes[0].routes[0].contniue',
    'unknown key "contniue"; valid keys here: matchers, targets, continue, muted, muteTimeIntervals, activeTimeIntervals, routes',
  ],
  ['unknown-setting.yaml', 5, 'targets.out.paht', 'unknown key "paht"; valid keys here: type, timeoutMs, retries, path'],
  ['wrong-type-retries.yaml', 3, 'defaults.retries', 'expected a number, got a string'],
  // YAML 1.2: `yes` is a string, not a boolean.
  ['wrong-type-continue.yaml', 10, 'route.routes[0].continue', 'expected true or false, got a string'],
  ['timeout-zero.yaml', 6, 'targets.out.timeoutMs', 'must be at least 1'],
  ['unknown-target-type.yaml', 7, 'targets.chat.type', () => `unknown target type "slak"; known types: ${knownTypes()}`],
  ['missing-target-type.yaml', 3, 'targets.out.type', () => `is required; known types: ${knownTypes()}`],
  ['bad-target-name.yaml', 3, 'targets.ops hook', 'a target name is letters, digits, - and _, starting with a letter or digit'],
  ['undefined-target.yaml', 14, 'route.routes[1].targets[1]', 'unknown target "pager"; defined targets: out, console'],
  ['root-without-targets.yaml', 6, 'route.targets', 'the root route must name at least one target, so that every alert goes somewhere'],
  ['root-empty-targets.yaml', 7, 'route.targets', 'the root route must name at least one target, so that every alert goes somewhere'],
  ['root-matchers.yaml', 8, 'route.matchers', 'the root route matches every alert and takes no matchers; put them on a child route'],
  ['root-continue.yaml', 8, 'route.continue', 'the root route has no siblings, so continue is not allowed here'],
  [
    'bad-matcher-regex.yaml',
    11,
    'route.routes[0].matchers[1]',
    'invalid regular expression "(cpu": error parsing regexp: missing closing ): `(cpu`',
  ],
  ['bad-matcher-field.yaml', 9, 'route.routes[0].matchers[0]', `unknown field "labelz.team"; a matcher names one of ${MATCHER_NAMES}`],
  [
    'bad-matcher-syntax.yaml',
    9,
    'route.routes[0].matchers[0]',
    'bad matcher "severity: critical": expected NAME OP VALUE with OP one of =, !=, =~, !~, e.g. severity="critical"',
  ],
  [
    'bad-matcher-vocabulary.yaml',
    3,
    'severity[0].matchers[1]',
    '"crit" is not a value of severity, which is one of critical, error, warning, info',
  ],
  ['unknown-severity.yaml', 4, 'severity[0].severity', 'must be one of "critical", "error", "warning", "info"'],
  [
    'missing-env.yaml',
    5,
    'targets.out.path',
    'environment variable ROUTER_TEST_OUT_DIR is not set (referenced as ${env:ROUTER_TEST_OUT_DIR})',
  ],
  ['unsupported-reference.yaml', 5, 'targets.out.path', 'unsupported reference "${ssm:/router/out}": only ${env:NAME} is supported'],
  ['secret-literal.yaml', 6, 'targets.hook.token', 'must be a secret reference like ${env:NAME}, not a literal'],
];

describe('each fixture is refused with its file, line, path and problem', () => {
  it.each(CASES)('%s', async (fixture, line, path, problem) => {
    const file = join(FIXTURES, fixture);
    const error = await refusal(file);
    const expected = typeof problem === 'function' ? problem() : problem;
    expect({ file: error.file, line: error.line, path: error.path, problem: error.problem }).toEqual({ file, line, path, problem: expected });
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.message).toBe(`${file}${line ? `:${line}` : ''}: ${path ? `${path}: ` : ''}${expected}`);
  });

  it('covers every fixture file', () => {
    expect(readdirSync(FIXTURES).sort()).toEqual(CASES.map(([fixture]) => fixture).sort());
  });
});

describe('unreadable files', () => {
  it('refuses a missing file, naming it', async () => {
    const file = join(FIXTURES, 'no-such-file.yaml');
    const error = await refusal(file);
    expect(error.message).toBe(`${file}: cannot read the file: no such file`);
  });

  it('refuses a directory', async () => {
    const error = await refusal(FIXTURES);
    expect(error.message).toBe(`${FIXTURES}: cannot read the file: it is a directory`);
  });

  it('reads ROUTER_CONFIG when no file is given, and names it when it fails', async () => {
    const file = join(FIXTURES, 'version-2.yaml');
    const error = await refusal(undefined, { ROUTER_CONFIG: file });
    expect(error.file).toBe(file);
  });
});
