// Loading a valid router.yaml: which file, retry policies and their defaults, each target's
// settings as its type parsed them, severity rules, and YAML features users rely on.
import { join } from 'node:path';
import { ConfigError } from '../../shared/model/errors';
import { configFile, loadConfig, parseConfig } from '../../shared/route/config';
import type { TargetType } from '../../shared/targets/contract';
import { targetTypes } from '../../shared/targets/registry';

const FIXTURES = join(__dirname, '..', 'fixtures', 'config');

describe('which file', () => {
  it('takes the argument, else ROUTER_CONFIG, else router.yaml in the current directory', () => {
    expect(configFile('mine.yaml', { ROUTER_CONFIG: 'env.yaml' })).toBe('mine.yaml');
    expect(configFile(undefined, { ROUTER_CONFIG: 'env.yaml' })).toBe('env.yaml');
    expect(configFile(undefined, {})).toBe('router.yaml');
    expect(configFile(undefined, { ROUTER_CONFIG: '' })).toBe('router.yaml');
  });

  it('loads the file named by ROUTER_CONFIG and records it', async () => {
    const file = join(FIXTURES, 'version-2.yaml');
    await expect(loadConfig(undefined, { ROUTER_CONFIG: file })).rejects.toMatchObject({ file, path: 'version' });
  });
});

describe('targets', () => {
  const text = `
version: 1
defaults:
  timeoutMs: 8000
targets:
  plain:
    type: console
  quick:
    type: console
    format: text
    timeoutMs: 1000
    retries: 0
  out:
    type: file
    path: out/alerts.jsonl
route:
  targets: [plain]
`;

  it('applies defaults, then each target’s own policy, then the built-in 5000 ms and 2 retries', async () => {
    const { targets } = await parseConfig(text, 'router.yaml', {});
    expect(targets.plain!.policy).toEqual({ timeoutMs: 8000, retries: 2 });
    expect(targets.quick!.policy).toEqual({ timeoutMs: 1000, retries: 0 });
    const bare = await parseConfig(text.replace('defaults:\n  timeoutMs: 8000\n', ''), 'router.yaml', {});
    expect(bare.targets.plain!.policy).toEqual({ timeoutMs: 5000, retries: 2 });
  });

  it('keeps the settings as the type parsed them, without the common keys', async () => {
    const { targets, file } = await parseConfig(text, 'router.yaml', {});
    expect(file).toBe('router.yaml');
    expect(targets.plain).toEqual({ name: 'plain', type: 'console', settings: { format: 'json' }, policy: { timeoutMs: 8000, retries: 2 } });
    expect(targets.quick!.settings).toEqual({ format: 'text' });
    expect(targets.out!.settings).toEqual({ path: 'out/alerts.jsonl' });
  });

  it('validates targets that no route uses, so check-config finds their mistakes too', async () => {
    const broken = text.replace('format: text', 'format: fancy');
    await expect(parseConfig(broken, 'router.yaml', {})).rejects.toMatchObject({
      path: 'targets.quick.format',
      line: 10,
      problem: 'must be one of "json", "text"',
    });
  });

  it('refuses a target type whose module cannot be loaded, naming why', async () => {
    targetTypes['test-broken'] = () => Promise.reject(new Error("Cannot find module './test-broken'\nRequire stack: ..."));
    try {
      const error = await parseConfig(
        'version: 1\ntargets:\n  b:\n    type: test-broken\nroute:\n  targets: [b]\n',
        'router.yaml',
        {},
      ).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message).toBe(
        `router.yaml:4: targets.b.type: target type "test-broken" cannot be loaded: Cannot find module './test-broken'`,
      );
    } finally {
      delete targetTypes['test-broken'];
    }
  });

  it('loads each target type once however many targets use it', async () => {
    let loads = 0;
    const counted: TargetType = { ...(await import('../../shared/targets/local/console')).default, type: 'test-counted' } as TargetType;
    targetTypes['test-counted'] = async () => {
      loads += 1;
      return { default: counted as TargetType<never> };
    };
    try {
      const many = 'version: 1\ntargets:\n  a: { type: test-counted }\n  b: { type: test-counted }\n  c: { type: test-counted }\nroute:\n  targets: [a, b, c]\n';
      const { targets } = await parseConfig(many, 'router.yaml', {});
      expect(Object.keys(targets)).toEqual(['a', 'b', 'c']);
      expect(loads).toBe(1);
    } finally {
      delete targetTypes['test-counted'];
    }
  });
});

describe('severity rules', () => {
  it('compiles each rule with its place in the file', async () => {
    const { severityRules } = await parseConfig(
      `version: 1
severity:
  - matchers: ['provider="aws.cloudwatch"', 'name=~".*[Cc]ritical.*"']
    severity: critical
  - matchers: ['labels.tier="gold"']
    severity: error
targets: { out: { type: console } }
route: { targets: [out] }
`,
      'router.yaml',
      {},
    );
    expect(severityRules.map((rule) => [rule.path, rule.matchers.map((m) => m.text), rule.severity])).toEqual([
      ['severity[0]', ['provider="aws.cloudwatch"', 'name=~".*[Cc]ritical.*"'], 'critical'],
      ['severity[1]', ['labels.tier="gold"'], 'error'],
    ]);
  });

  it('refuses a rule without matchers, which would set the severity of every alert', async () => {
    await expect(
      parseConfig('version: 1\nseverity:\n  - severity: info\ntargets: { out: { type: console } }\nroute: { targets: [out] }\n', 'r.yaml', {}),
    ).rejects.toMatchObject({ path: 'severity[0].matchers', line: 3, problem: 'is required' });
    await expect(
      parseConfig(
        'version: 1\nseverity:\n  - matchers: []\n    severity: info\ntargets: { out: { type: console } }\nroute: { targets: [out] }\n',
        'r.yaml',
        {},
      ),
    ).rejects.toMatchObject({ path: 'severity[0].matchers', line: 3, problem: 'a severity rule needs at least one matcher' });
  });
});

describe('YAML', () => {
  it('follows anchors and aliases', async () => {
    const text = `version: 1
targets:
  out: { type: console }
route:
  targets: [out]
  routes:
    - &critical
      matchers: ['severity="critical"']
    - *critical
    - matchers: ['severity="warning"']
      targets: [nowhere]
`;
    await expect(parseConfig(text, 'r.yaml', {})).rejects.toMatchObject({ path: 'route.routes[2].targets[0]', line: 11, problem: 'unknown target "nowhere"; defined targets: out' });
    const { route } = await parseConfig(text.replace('[nowhere]', '[out]'), 'r.yaml', {});
    expect(route.routes.map((r) => r.matchers.map((m) => m.text))).toEqual([['severity="critical"'], ['severity="critical"'], ['severity="warning"']]);
  });

  it('refuses a file whose aliases expand beyond reason', async () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i <= 6; i++) lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(', ')}]`);
    await expect(parseConfig(lines.join('\n'), 'bomb.yaml', {})).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
      message: 'bomb.yaml: YAML error: Excessive alias count indicates a resource exhaustion attack',
    });
  });
});
