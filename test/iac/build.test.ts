// The one build of both clouds: a bundle per handler with the router.json compiled from its
// router.yaml, bundles that load and run on Node, target SDKs only when the config uses their type, the files the
// templates read, and refusals that name the problem.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { build, sizeTable, type BuildResult, type Bundle } from '../../scripts/build';
import { BuildConfigError } from '../../scripts/router-targets';
import { compileRouterJson } from '../../scripts/router-json';
import { DEFAULT_CONFIG, FIXTURES, ROOT, buildService, readZip, removeTemporaryDirectories, temporaryDirectory } from './support';
import { AWS_ENV, startSnsFake } from '../support/fakes/aws';
import { DYNALITE_ENV, startDynalite } from '../support/dynalite';

const run = promisify(execFile);

interface Built {
  dir: string;
  result: BuildResult;
}
let plain: Built;
let awsTargets: Built;
let alibabaTargets: Built;

async function buildWith(config: string, name: string): Promise<Built> {
  const dir = temporaryDirectory(name);
  return { dir, result: await buildService(dir, config) };
}

beforeAll(async () => {
  plain = await buildWith(DEFAULT_CONFIG, 'build-default');
  awsTargets = await buildWith(join(FIXTURES, 'router-aws-targets.yaml'), 'build-aws');
  alibabaTargets = await buildWith(join(FIXTURES, 'router-alibaba-targets.yaml'), 'build-alibaba');
}, 120_000);

afterAll(removeTemporaryDirectories);

const fileOf = (built: Built, bundle: Bundle, file: string) => join(built.dir, 'dist', bundle.dir, file);
const code = (built: Built, bundle: Bundle) => readFileSync(fileOf(built, bundle, 'index.js'), 'utf8');
/** The files a bundle was made of, from its source map. */
const sources = (built: Built, bundle: Bundle): string[] =>
  (JSON.parse(readFileSync(join(built.dir, 'dist', 'sourcemaps', bundle.dir, 'index.js.map'), 'utf8')) as { sources: string[] }).sources;
const fromPackage = (files: string[], prefix: string) => files.some((file) => file.includes(`node_modules/${prefix}`));

/** Runs a script in a fresh Node process (the bundles are meant for a bare runtime, not for jest). */
async function node(script: string, cwd: string, env: Record<string, string> = {}): Promise<string> {
  const { stdout } = await run(process.execPath, ['-e', script], { cwd, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 });
  return stdout;
}

describe('build', () => {
  it('bundles every handler of both clouds once, with the router.json compiled from its router.yaml', async () => {
    const handlers = ['aws', 'alibaba'].flatMap((cloud) =>
      readdirSync(join(ROOT, 'functions', cloud))
        .filter((f) => f.endsWith('.ts'))
        .map((f) => `functions/${cloud}/${f}`),
    );
    expect(plain.result.bundles.map((b) => b.source).sort()).toEqual(handlers.sort());
    const compiled = await compileRouterJson(DEFAULT_CONFIG, 'router.yaml');
    for (const bundle of plain.result.bundles) {
      expect(readdirSync(join(plain.dir, 'dist', bundle.dir)).sort()).toEqual(['index.js', 'router.json']);
      expect(JSON.parse(readFileSync(fileOf(plain, bundle, 'router.json'), 'utf8'))).toEqual(JSON.parse(JSON.stringify(compiled)));
      // The source map stays on the build machine: the shipped code does not point to it.
      expect(code(plain, bundle)).not.toContain('sourceMappingURL');
      expect(sources(plain, bundle).some((file) => file.endsWith(bundle.source))).toBe(true);
    }
  });

  it('zips each Lambda bundle with exactly its files, byte for byte the same on every build', async () => {
    const again = await buildWith(DEFAULT_CONFIG, 'build-again');
    for (const bundle of plain.result.bundles.filter((b) => b.cloud === 'aws')) {
      const zip = readFileSync(join(plain.dir, 'dist', bundle.artifact));
      const files = readZip(zip);
      expect([...files.keys()].sort()).toEqual(['index.js', 'router.json']);
      for (const [name, content] of files) expect(content.equals(readFileSync(fileOf(plain, bundle, name)))).toBe(true);
      expect(readFileSync(join(again.dir, 'dist', bundle.artifact)).equals(zip)).toBe(true);
    }
  }, 60_000);

  it('gives bundles that load on a bare Node and export their handler', async () => {
    const files = plain.result.bundles.map((b) => fileOf(plain, b, 'index.js'));
    const out = await node(`console.log(JSON.stringify(${JSON.stringify(files)}.map((f) => typeof require(f).handler)))`, plain.dir);
    expect(JSON.parse(out)).toEqual(files.map(() => 'function'));
  });

  it('runs a sample event of each cloud end to end with the router.json shipped beside the bundle', async () => {
    const lambda = plain.result.bundles.find((b) => b.name === 'alarm-state-change')!;
    const fc = plain.result.bundles.find((b) => b.name === 'arms-alarm-create')!;
    const cwd = temporaryDirectory('build-run');
    const script = `
      const invoke = async (dir, event, context) => require(dir + '/index.js').handler(event, context);
      (async () => {
        const cloudwatch = require(${JSON.stringify(join(ROOT, 'events/aws/state-change-single-metric.json'))});
        const arms = require(${JSON.stringify(join(ROOT, 'events/alibaba/arms-alarm-create.json'))});
        const lambda = await invoke(${JSON.stringify(join(plain.dir, 'dist', lambda.dir))}, cloudwatch, { awsRequestId: 'r1', getRemainingTimeInMillis: () => 30000 });
        const fc = await invoke(${JSON.stringify(join(plain.dir, 'dist', fc.dir))}, Buffer.from(JSON.stringify(arms)), { requestId: 'r2', function: { timeout: 30 } });
        process.stdout.write('RESULT ' + JSON.stringify([lambda.ok, fc.ok]));
      })();`;
    const out = await node(script, cwd);
    expect(out.slice(out.indexOf('RESULT ') + 7)).toBe('[true,true]');
  });

  it('runs the first event of a default-config function without loading node:stream, node:net or node:crypto', async () => {
    // Each costs milliseconds of a cold start: process.stdout builds a stream (and a socket
    // for a pipe), node:crypto brings node:stream along. The event's delivery report still
    // reaches stdout (a file here, as a pipe would be).
    const cwd = temporaryDirectory('build-cold-path');
    for (const [name, event, invoke] of [
      ['alarm-state-change', 'events/aws/state-change-single-metric.json', "handler(JSON.parse(raw), { awsRequestId: 'r1', getRemainingTimeInMillis: () => 30000 })"],
      ['arms-alarm-create', 'events/alibaba/arms-alarm-create.json', "handler(Buffer.from(raw), { requestId: 'r2', function: { timeout: 30 } })"],
    ] as const) {
      const bundle = plain.result.bundles.find((b) => b.name === name)!;
      const script = join(cwd, `${name}.js`);
      writeFileSync(
        script,
        `const { readFileSync, writeSync } = require('node:fs');
        const { handler } = require(${JSON.stringify(fileOf(plain, bundle, 'index.js'))});
        const raw = readFileSync(${JSON.stringify(join(ROOT, event))}, 'utf8');
        ${invoke}.then((report) => {
          const loaded = process.moduleLoadList.filter((m) => /^NativeModule (stream|net|crypto|internal.crypto.)/.test(m));
          writeSync(2, 'RESULT ' + JSON.stringify({ ok: report.ok, loaded }));
        });`,
      );
      const { stdout, stderr } = await run(process.execPath, [script], { cwd, env: { PATH: process.env.PATH ?? '', ROUTER_DATA_DIR: cwd, LOG_LEVEL: 'info' }, timeout: 60_000 });
      expect(JSON.parse(stderr.slice(stderr.indexOf('RESULT ') + 7))).toEqual({ ok: true, loaded: [] });
      expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toMatchObject({ level: 'info', msg: 'delivery report', report: { ok: true } });
    }
  });

  it('delivers to SNS from a bundle with no AWS SDK: signed with the keys of the environment, the credential chain left out', async () => {
    const sns = await startSnsFake();
    try {
      const config = join(temporaryDirectory('build-sns'), 'router.yaml');
      writeFileSync(config, `version: 1\ntargets:\n  t:\n    type: sns\n    topicArn: arn:aws:sns:us-east-1:111122223333:t\n    endpoint: ${sns.url}\nroute:\n  targets: [t]\n`);
      const built = await buildWith(config, 'build-sns-out');
      const bundle = built.result.bundles.find((b) => b.name === 'alarm-state-change')!;
      expect(bundle.packages.filter((p) => p.startsWith('@aws-sdk/') || p.startsWith('@smithy/'))).toEqual([]);
      const script = `require(${JSON.stringify(fileOf(built, bundle, 'index.js'))}).handler(require(${JSON.stringify(join(ROOT, 'events/aws/state-change-single-metric.json'))}), { awsRequestId: 'r1', getRemainingTimeInMillis: () => 30000 })
        .then((report) => process.stdout.write('RESULT ' + JSON.stringify(report.deliveries.map((d) => [d.outcome, d.detail ?? '']))), (e) => process.stdout.write('RESULT ' + JSON.stringify(e.reports[0].deliveries.map((d) => [d.outcome, d.detail]))))`;
      const result = (env: Record<string, string>) => node(script, built.dir, { ...env, ROUTER_DATA_DIR: built.dir, LOG_LEVEL: 'warn' }).then((out) => JSON.parse(out.slice(out.indexOf('RESULT ') + 7)) as unknown);
      expect(await result(AWS_ENV)).toEqual([['delivered', '']]);
      expect(sns.requests).toHaveLength(1);
      // Without keys, the chain would be the SDK's: the bundle does not carry it, and none is installed beside it.
      expect(await result({ AWS_REGION: 'us-east-1' })).toEqual([['failed', expect.stringMatching(/no AWS credentials: .* the AWS SDK credential chain is not installed/)]]);
      expect(sns.requests).toHaveLength(1);
    } finally {
      await sns.close();
    }
  }, 60_000);

  it('runs the DynamoDB store from a bundle with no AWS SDK, built for the AWS deployment: the event delivered, the ledger used', async () => {
    const dynamo = await startDynalite();
    try {
      const config = join(temporaryDirectory('build-dynamodb'), 'router.yaml');
      writeFileSync(config, `version: 1\nstate:\n  store: dynamodb\n  table: ${dynamo.table}\n  endpoint: ${dynamo.endpoint}\ntargets:\n  t:\n    type: console\nroute:\n  targets: [t]\n`);
      const dir = temporaryDirectory('build-dynamodb-out');
      const built: Built = { dir, result: await build({ root: ROOT, config, outDir: join(dir, 'dist'), cloud: 'aws' }) };
      const bundle = built.result.bundles.find((b) => b.name === 'alarm-state-change')!;
      expect(bundle.packages.filter((p) => p.startsWith('@aws-sdk/') || p.startsWith('@smithy/'))).toEqual([]);
      const script = `require(${JSON.stringify(fileOf(built, bundle, 'index.js'))}).handler(require(${JSON.stringify(join(ROOT, 'events/aws/state-change-single-metric.json'))}), { awsRequestId: 'r1', getRemainingTimeInMillis: () => 30000 })
        .then((report) => process.stderr.write('RESULT ' + JSON.stringify({ ok: report.ok, state: report.state })))`;
      const { stderr } = await run(process.execPath, ['-e', script], { cwd: built.dir, env: { PATH: process.env.PATH ?? '', ...DYNALITE_ENV, ROUTER_DATA_DIR: built.dir, LOG_LEVEL: 'warn' }, timeout: 60_000 });
      expect(JSON.parse(stderr.slice(stderr.indexOf('RESULT ') + 7))).toEqual({ ok: true, state: { store: 'dynamodb', ledger: 'used', recorded: true } });
    } finally {
      await dynamo.stop();
    }
  }, 60_000);

  it('leaves out the target modules the config does not use, and says so when one is asked for', async () => {
    const [bundle] = plain.result.bundles;
    const files = sources(plain, bundle!);
    expect(files.some((f) => f.endsWith('shared/targets/local/file.ts'))).toBe(true);
    expect(files.some((f) => f.endsWith('shared/targets/cloud/sns.ts'))).toBe(false);
    const config = join(temporaryDirectory('build-sns'), 'router.yaml');
    writeFileSync(config, 'version: 1\ntargets:\n  t:\n    type: sns\n    topicArn: arn:aws:sns:us-east-1:111122223333:t\nroute:\n  targets: [t]\n');
    const json = join(dirname(config), 'router.json');
    writeFileSync(json, JSON.stringify(await compileRouterJson(config, 'router.yaml')));
    const script = `require(${JSON.stringify(fileOf(plain, bundle!, 'index.js'))}).handler(require(${JSON.stringify(join(ROOT, 'events/aws/state-change-single-metric.json'))}), { getRemainingTimeInMillis: () => 30000 })
      .then(() => process.stdout.write('RESULT delivered'), (e) => process.stdout.write('RESULT ' + e.message))`;
    const out = await node(script, plain.dir, { ROUTER_CONFIG: json });
    expect(out.slice(out.indexOf('RESULT '))).toMatch(/target type sns is not in this bundle/);
    // A deployed function reads no YAML: it says so rather than carrying a parser for it.
    const yaml = await node(script, plain.dir, { ROUTER_CONFIG: config });
    expect(yaml.slice(yaml.indexOf('RESULT '))).toMatch(/reads the router\.json its build compiled, not YAML/);
  });

  it('bundles the regex engine only when a regex of the config needs it, and matches alike either way', async () => {
    // The default config's severity regexes all run natively: no re2js in its bundles.
    for (const bundle of plain.result.bundles) expect(bundle.packages).not.toContain('re2js');
    const run = async (matcher: string) => {
      const dir = temporaryDirectory('build-regex');
      const config = join(dir, 'router.yaml');
      const out = (name: string) => JSON.stringify(join(dir, `${name}.jsonl`));
      writeFileSync(
        config,
        `version: 1\ntargets:\n  hit:\n    type: file\n    path: ${out('hit')}\n  miss:\n    type: file\n    path: ${out('miss')}\nroute:\n  targets: [miss]\n  routes:\n    - matchers: ['${matcher}']\n      targets: [hit]\n`,
      );
      const built = await buildService(dir, config);
      const bundle = built.bundles.find((b) => b.name === 'alarm-state-change')!;
      const script = `require(${JSON.stringify(join(dir, 'dist', bundle.dir, 'index.js'))}).handler(require(${JSON.stringify(join(ROOT, 'events/aws/state-change-single-metric.json'))}), { getRemainingTimeInMillis: () => 30000 })
        .then((r) => process.stdout.write('RESULT ' + r.deliveries.map((d) => d.target + ':' + d.outcome).join(',')), (e) => process.stdout.write('RESULT ' + e.message))`;
      const result = await node(script, dir);
      return { packages: bundle.packages, delivered: result.slice(result.indexOf('RESULT ') + 7) };
    };
    // The sample alarm is ServerCpuTooHigh.
    expect(await run('name=~".*(Cpu|Disk).*"')).toEqual({ packages: expect.not.arrayContaining(['re2js']) as unknown, delivered: 'hit:delivered' });
    expect(await run('name=~"(?i)servercpu.+"')).toEqual({ packages: expect.arrayContaining(['re2js']) as unknown, delivered: 'hit:delivered' });
    expect(await run('name=~"(?i)disk.+"')).toEqual({ packages: expect.arrayContaining(['re2js']) as unknown, delivered: 'miss:delivered' });
  }, 60_000);

  it('leaves the YAML parser and the schema library out of a bundle whose config validates nothing at start', () => {
    for (const bundle of plain.result.bundles) expect(bundle.packages).not.toEqual(expect.arrayContaining(['yaml']));
    for (const bundle of plain.result.bundles) expect(bundle.packages).not.toContain('zod');
    // A secret reference is resolved and validated at start: zod is there, evaluated only then.
    for (const bundle of awsTargets.result.bundles) {
      expect(bundle.packages).toContain('zod');
      expect(bundle.packages).not.toContain('yaml');
    }
  });
});

describe('SDKs in the bundles', () => {
  it('puts no AWS or Alibaba SDK in any bundle built with the default router.yaml', () => {
    for (const bundle of plain.result.bundles) {
      const text = code(plain, bundle);
      expect(text).not.toContain('@aws-sdk');
      expect(text).not.toContain('@alicloud');
      const files = sources(plain, bundle);
      expect(fromPackage(files, '@aws-sdk/') || fromPackage(files, '@smithy/') || fromPackage(files, '@alicloud/')).toBe(false);
      expect(bundle.sdk).toEqual([]);
    }
  });

  it('bundles no SDK when the config has AWS targets: they sign their own requests, the credential chain stays out', () => {
    for (const bundle of awsTargets.result.bundles) {
      const files = sources(awsTargets, bundle);
      expect(fromPackage(files, '@aws-sdk/') || fromPackage(files, '@smithy/') || fromPackage(files, '@alicloud/')).toBe(false);
      expect(code(awsTargets, bundle)).not.toContain('@alicloud');
      expect(code(awsTargets, bundle)).toContain('import("@aws-sdk/credential-provider-node")');
      expect(bundle.sdk).toEqual([]);
    }
  });

  it('bundles no Alibaba SDK and no AWS client when the config has Alibaba targets', () => {
    for (const bundle of alibabaTargets.result.bundles) {
      const files = sources(alibabaTargets, bundle);
      // alibaba-eventbridge and fc-invoke sign their own requests: no SDK.
      expect(fromPackage(files, '@alicloud/')).toBe(false);
      expect(fromPackage(files, '@aws-sdk/client-')).toBe(false);
      expect(bundle.sdk).toEqual([]);
    }
  });
});

describe('files for the templates', () => {
  const readJson = (built: Built, file: string) => JSON.parse(readFileSync(join(built.dir, 'dist', file), 'utf8')) as Record<string, unknown>;

  it('writes the manifest of what was built', () => {
    expect(readJson(plain, 'manifest.json')).toEqual(JSON.parse(JSON.stringify(plain.result)));
    expect(plain.result.targetTypes).toEqual(['console', 'file']);
  });

  it('lists the secrets the config references for serverless.yml, and the IAM statements of its targets', () => {
    expect(readJson(plain, 'aws/deploy.json')).toEqual({ iamStatements: [], secretEnv: [] });
    const deploy = readJson(awsTargets, 'aws/deploy.json') as { iamStatements: { Action: string[] }[]; secretEnv: string[] };
    expect(deploy.secretEnv).toEqual(['PAGER_WEBHOOK_URL']);
    expect(deploy.iamStatements.map((s) => s.Action[0])).toEqual(['events:PutEvents', 'lambda:InvokeFunction', 'sns:Publish']);
  });

  it('writes the Alibaba shared-resources template with the RAM policy of the FC role, the Alibaba targets named', () => {
    const infra = parse(readFileSync(join(alibabaTargets.dir, 'dist', 'alibaba', 'infra.yaml'), 'utf8')) as {
      Resources: { FunctionRole: { Properties: { Policies: { PolicyDocument: { Statement: { Action: string[]; Resource: unknown[] }[] } }[] } } };
    };
    const [policy] = infra.Resources.FunctionRole.Properties.Policies;
    expect(policy!.PolicyDocument.Statement).toContainEqual({ Effect: 'Allow', Action: ['eventbridge:PutEvents'], Resource: ['acs:eventbridge:cn-shanghai:1234567890123456:eventbus/remediation'] });
    expect(policy!.PolicyDocument.Statement).toContainEqual({ Effect: 'Allow', Action: ['fc:InvokeFunction'], Resource: ['acs:fc:cn-hangzhou:1234567890123456:functions/open-ticket'] });
  });

  it('prints each bundle with its size', () => {
    const table = sizeTable(plain.result).split('\n');
    expect(table).toHaveLength(plain.result.bundles.length + 1);
    for (const bundle of plain.result.bundles) {
      expect(table.find((line) => line.startsWith(`${bundle.name} `))).toContain(`${(bundle.bytes / 1024).toFixed(1)} KB`);
    }
  });
});

describe('build refusals', () => {
  const configWith = (targets: string) => {
    const file = join(temporaryDirectory('build-bad'), 'router.yaml');
    writeFileSync(file, `version: 1\ntargets:\n${targets}\nroute:\n  targets: [t]\n`);
    return file;
  };
  const attempt = (config: string) => build({ root: ROOT, config, outDir: join(temporaryDirectory('build-bad-out'), 'dist') });

  it.each([
    ['an unknown target type', '  t:\n    type: carrier-pigeon', /target type "carrier-pigeon" is not in shared\/targets\/registry\.ts/],
    ['a resource named by a reference', '  t:\n    type: sns\n    topicArn: ${env:TOPIC_ARN}', /targets\.t\.topicArn: must be written literally/],
    ['a target without a type', '  t:\n    topicArn: x', /targets\.t: expected a map with a `type`/],
  ])('refuses %s, naming the file and the place', async (_name, targets, message) => {
    const config = configWith(targets);
    const failure = attempt(config);
    await expect(failure).rejects.toThrow(BuildConfigError);
    await expect(failure).rejects.toThrow(message);
    await expect(failure).rejects.toThrow(config);
  });

  it.each([
    ['dynamodb', 'alibaba', '  store: dynamodb\n  table: alert-router-prod-state', /state\.store: dynamodb runs on AWS \(Lambda\) only, not on Alibaba Cloud \(FC 3\.0\), whose functions have no credentials for it .* whose state\.store is `local` or `tablestore`/],
    ['tablestore', 'aws', '  store: tablestore', /state\.store: tablestore runs on Alibaba Cloud \(FC 3\.0\) only, not on AWS \(Lambda\), whose functions have no credentials for it .* whose state\.store is `local` or `dynamodb`/],
  ] as const)('refuses a %s store for the %s deployment, naming the file, the place and the stores that run there, before writing anything', async (_store, cloud, state, message) => {
    const config = join(temporaryDirectory('build-store'), 'router.yaml');
    writeFileSync(config, `version: 1\ntargets:\n  t:\n    type: console\nroute:\n  targets: [t]\nstate:\n${state}\n`);
    const outDir = join(temporaryDirectory('build-store-out'), 'dist');
    const failure = build({ root: ROOT, config, outDir, cloud });
    await expect(failure).rejects.toThrow(BuildConfigError);
    await expect(failure).rejects.toThrow(message);
    await expect(failure).rejects.toThrow(config);
    expect(existsSync(outDir)).toBe(false);
  });

  it('refuses a config file that does not exist', async () => {
    await expect(attempt(join(FIXTURES, 'missing.yaml'))).rejects.toThrow(/missing\.yaml: cannot read the routing config \(ENOENT\)/);
  });
});
