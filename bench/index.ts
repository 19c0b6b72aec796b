// `npm run bench`: the figures of issue #13, each against a baseline measured in the same
// run, printed as one table and written to out/bench.json. How to read it: bench/README.md.
//
// Cold starts, memory, fan-out and batches run the BUILT bundles (scripts/build.ts) the way
// the platforms do: bench/bootstrap.cjs requires index.js in a fresh node process (no
// NODE_EXTRA_CA_CERTS, as on Lambda and FC) and calls the handler with the platform's event
// and context. Every target delivers to a real local server: an HTTP server on 127.0.0.1,
// and for the SDK targets the strict fakes of the test suite, which speak each service's
// protocol. A figure whose deliveries did not all succeed is refused, not timed.
//
//   BENCH_RUNS      cold-start rounds (default 15; each round starts every scenario once)
//   BENCH_QUICK=1   a smoke run: few rounds, 1,000 invocations for memory (figures are rough)
//   BENCH_LAMBDA_NODE, BENCH_FC_NODE   the node binaries of each platform's processes (default:
//                   the Node major of its runtime in serverless.yml and s.yaml; bench/runtimes.ts)
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build as esbuild } from 'esbuild';
import { build, type Bundle } from '../scripts/build';
import { compileRouterJson } from '../scripts/router-json';
import { renderTable } from '../shared/cli/table';
import { AWS_ENV, startEventBridgeFake, startLambdaFake, startSnsFake } from '../test/support/fakes/aws';
import { ALIBABA_ENV, startAlibabaEventBridgeFake, startFcFake } from '../test/support/fakes/alibaba';
import { eventsOf, samples } from '../test/support/samples';
import { median, roundOrder } from './kit';
import { measureLedger } from './ledger';
import { platformNodes, type Platform, type PlatformNode } from './runtimes';

const ROOT = resolve(__dirname, '..');
const BOOTSTRAP = join(__dirname, 'bootstrap.cjs');
const QUICK = process.env.BENCH_QUICK === '1';
const RUNS = Number(process.env.BENCH_RUNS ?? (QUICK ? '3' : '15'));
const MEMORY_INVOCATIONS = QUICK ? 1_000 : 10_000;
/** How long the slow targets of the fan-out and batch figures take to answer. */
const SLOW_MS = 200;

const EVENT = { lambda: join(ROOT, 'events/aws/state-change-single-metric.json'), fc: join(ROOT, 'events/alibaba/arms-alarm-create.json') };
const HANDLER = { lambda: 'aws/alarm-state-change', fc: 'alibaba/arms-alarm-create' };
const PLATFORM_NAME: Record<Platform, string> = { lambda: 'Lambda', fc: 'FC' };

/**
 * The flags Lambda's Node.js runtime starts node with (its bootstrap script): V8's heap limits
 * from the memory size, a tenth for the young generation in two semi-spaces, the rest for the
 * old generation. The memory figures of Lambda run with them: V8 sizes its heap by its
 * limits, and without them it would size it for this machine, not for the deployed function.
 * Cold starts run with Node's defaults, like the bare `node -e 0` the targets are set
 * against; with any V8 flag Node compiles its own modules instead of taking them from its
 * code cache, a cost of the platform that grows with the Node modules a function needs
 * (node:http for a webhook), shown in rows of their own. FC 3.0 publishes no flags: Node's
 * defaults (larger limits: more memory, not less).
 */
function lambdaNodeArgs(memoryMb: number): string[] {
  const newSpace = Math.floor(memoryMb / 10);
  return ['--expose-gc', '--max-http-header-size', '81920', `--max-semi-space-size=${Math.floor(newSpace / 2)}`, `--max-old-space-size=${memoryMb - newSpace}`];
}

/** One line of the table. */
export interface Figure {
  figure: string;
  value: number;
  unit: string;
  baseline?: string;
  baselineValue?: number;
  /** value / baselineValue, or the figure itself when it is a ratio. */
  ratio?: number;
  /** The ratio (or value) must be at most this. */
  target?: number;
  targetText?: string;
  ok?: boolean;
  note?: string;
}

interface Result {
  cpuMs: number;
  outcomes?: string[];
  memory?: { invocations: number; peakRssKb: number; heapUsed: number; external: number; rss: number; youngGeneration: number }[];
  wallMs?: number[];
}

const BASE_ENV: Record<string, string> = {
  PATH: process.env.PATH ?? '',
  // The deployed default: every invocation writes its delivery report line (to /dev/null here).
  LOG_LEVEL: 'info',
  ...AWS_ENV,
  ...ALIBABA_ENV,
};

interface Run {
  platform?: Platform;
  handler?: string;
  event?: string;
  env?: Record<string, string>;
  invocations?: number;
  marks?: number[];
  timed?: boolean;
  nodeArgs?: string[];
  /** Deliveries of the first invocation must all be `delivered`, and there must be this many. */
  deliveries?: number;
}

/** Where each process gets its own data directory (set by main). */
let dataRoot = tmpdir();
/** The node each platform runs the functions on (set by main). */
let nodes: Record<Platform, PlatformNode> | undefined;

function nodeOf(platform: Platform): PlatformNode {
  if (!nodes) throw new Error('the platforms\' node binaries are not resolved yet');
  return nodes[platform];
}

/**
 * One fresh process of bootstrap.cjs; its result line comes on fd 3. Each process gets an
 * empty ROUTER_DATA_DIR, as a new container's first alert: the default config's state store
 * would otherwise find the event already delivered by the previous process and skip it.
 */
function runBootstrap(run: Run): Promise<Result> {
  const dataDir = mkdtempSync(join(dataRoot, 'run-'));
  const env: Record<string, string> = {
    ...BASE_ENV,
    ...run.env,
    ROUTER_DATA_DIR: dataDir,
    BENCH_PLATFORM: run.platform ?? 'lambda',
    BENCH_MEMORY_MB: String(nodeOf(run.platform ?? 'lambda').memoryMb),
    BENCH_INVOCATIONS: String(run.invocations ?? 1),
    BENCH_MARKS: (run.marks ?? []).join(','),
    BENCH_TIMED: run.timed ? '1' : '0',
  };
  if (run.handler) env.BENCH_HANDLER = run.handler;
  if (run.event) env.BENCH_EVENT = run.event;
  return new Promise((resolvePromise, reject) => {
    const child = spawn(nodeOf(run.platform ?? 'lambda').bin, [...(run.nodeArgs ?? []), BOOTSTRAP], { env, stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
    const stderr = collect(child, 2);
    const out = collect(child, 3);
    child.on('error', reject);
    child.on('close', (code) => {
      rmSync(dataDir, { recursive: true, force: true });
      if (code !== 0 || !out()) {
        reject(new Error(`${run.handler ?? 'bare node'}: exited with ${String(code)}: ${stderr().trim()}`));
        return;
      }
      const result = JSON.parse(out()) as Result;
      if (run.deliveries !== undefined) {
        const outcomes = result.outcomes ?? [];
        const bad = outcomes.filter((o) => !o.endsWith(':delivered'));
        if (bad.length > 0 || outcomes.length !== run.deliveries) {
          reject(new Error(`${run.handler ?? 'bare node'}: expected ${run.deliveries} deliveries, got ${outcomes.join(', ') || 'none'}`));
          return;
        }
      }
      resolvePromise(result);
    });
  });
}

/** Runs a bundled script (the warm bench) in its own process on `node`; its result line comes on fd 3. */
function runScript(node: string, file: string, env: Record<string, string>): Promise<Record<string, unknown>> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(node, [file], { cwd: ROOT, env: { ...BASE_ENV, ...env }, stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
    const stderr = collect(child, 2);
    const out = collect(child, 3);
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0 && out()) resolvePromise(JSON.parse(out()) as Record<string, unknown>);
      else reject(new Error(`${file}: exited with ${String(code)}: ${stderr().trim()}`));
    });
  });
}

/** What a child process writes on `fd` (a pipe of its stdio), read as it comes. */
function collect(child: ChildProcess, fd: number): () => string {
  const stream = child.stdio[fd];
  if (!stream) throw new Error(`the child's fd ${fd} is not a pipe`);
  let text = '';
  stream.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  return () => text;
}

/** An HTTP receiver on 127.0.0.1 answering 200 after `delayMs`. */
async function startReceiver(delayMs = 0): Promise<{ url: string; requests: () => number; close: () => Promise<void> }> {
  let count = 0;
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      count += 1;
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      }, delayMs);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    requests: () => count,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => {
          done();
        });
        server.closeAllConnections();
      }),
  };
}

function yamlConfig(targets: Record<string, Record<string, unknown>>, dataDir: string): string {
  const lines = ['version: 1', 'defaults:', '  timeoutMs: 5000', '  retries: 0', 'targets:'];
  for (const [name, settings] of Object.entries(targets)) {
    lines.push(`  ${name}:`);
    for (const [key, value] of Object.entries(settings)) lines.push(`    ${key}: ${JSON.stringify(key === 'path' ? join(dataDir, String(value)) : value)}`);
  }
  lines.push('route:', `  targets: [${Object.keys(targets).join(', ')}]`);
  return `${lines.join('\n')}\n`;
}

interface Fixture {
  label: string;
  dir: string;
  bundles: Bundle[];
  /** Target types of its router.yaml. */
  targetTypes: string[];
  /** Target SDK packages in the bundles. */
  sdk: string[];
  deliveries: number;
}

async function buildFixture(work: string, label: string, yaml: string, deliveries: number): Promise<Fixture> {
  const dir = join(work, label);
  mkdirSync(dir, { recursive: true });
  const config = join(dir, 'router.src.yaml');
  writeFileSync(config, yaml);
  const result = await build({ root: ROOT, config, outDir: join(dir, 'dist') });
  const sdk = [...new Set(result.bundles.flatMap((b) => b.sdk))].sort();
  return { label, dir: join(dir, 'dist'), bundles: result.bundles, targetTypes: [...result.targetTypes].sort(), sdk, deliveries };
}

/** The handler file of a fixture on a platform (it reads the router.json beside it). */
function handlerOf(fixture: Fixture, platform: Platform) {
  return { handler: join(fixture.dir, HANDLER[platform], 'index.js'), env: {} };
}

/** Bundles a script as the build bundles a handler (node20, CommonJS, minified). */
async function bundle(work: string, entry: string, name: string): Promise<string> {
  const outfile = join(work, name, 'index.js');
  await esbuild({
    absWorkingDir: ROOT,
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    logLevel: 'warning',
  });
  return outfile;
}

/** The state store's cost per event (bench/ledger.ts), against the same pipeline without a store. */
async function ledgerFigures(): Promise<Figure[]> {
  const ledger = await measureLedger(QUICK ? { rounds: 3, events: 100 } : { rounds: 9, events: 200 });
  const row = (store: 'local' | 'dynamodb', label: string): Figure =>
    ratioFigure(`ledger and alert state: ${label}`, ledger.perEventUs[store], 'µs/event', 'no store', ledger.perEventUs.none, 'measured');
  return [row('local', 'local store'), row('dynamodb', 'DynamoDB (dynalite)')];
}

/** A figure against its baseline; `target` is the highest ratio it may have, or 'measured' (shown, not targeted). */
function ratioFigure(figure: string, value: number, unit: string, baseline: string, baselineValue: number, target: number | 'measured', note?: string): Figure {
  const ratio = value / baselineValue;
  const judged = target === 'measured' ? { targetText: 'measured' } : { target, targetText: `<= ${target}x`, ok: ratio <= target };
  return { figure, value, unit, baseline, baselineValue, ratio, ...judged, ...(note ? { note } : {}) };
}

async function main() {
  const started = Date.now();
  const work = mkdtempSync(join(tmpdir(), 'bench-'));
  const servers: { close(): Promise<void> }[] = [];
  try {
    nodes = await platformNodes(ROOT);
    const lambdaNode = nodes.lambda;
    const fcNode = nodes.fc;
    const lambdaArgs = lambdaNodeArgs(lambdaNode.memoryMb);
    // The local services every target delivers to.
    const hook = await startReceiver();
    const slow = await startReceiver(SLOW_MS);
    const fakes = {
      sns: await startSnsFake(),
      'aws-eventbridge': await startEventBridgeFake(),
      'lambda-invoke': await startLambdaFake(),
      'alibaba-eventbridge': await startAlibabaEventBridgeFake(),
      'fc-invoke': await startFcFake(),
    };
    servers.push(hook, slow, ...Object.values(fakes));
    const data = join(work, 'data');
    mkdirSync(data);
    dataRoot = data;
    const webhook = (url: string) => ({ type: 'webhook', url, allowPrivateNetwork: true });

    console.error('bench: building the fixtures...');
    const defaultYaml = readFileSync(join(ROOT, 'router.yaml'), 'utf8');
    const fixtures = {
      default: await buildFixture(work, 'default', defaultYaml, 1),
      webhook: await buildFixture(work, 'webhook', yamlConfig({ hook: webhook(hook.url) }, data), 1),
      aws: await buildFixture(
        work,
        'aws-targets',
        yamlConfig(
          {
            sns: { type: 'sns', topicArn: 'arn:aws:sns:us-east-1:123456789012:alerts', endpoint: fakes.sns.url },
            bus: { type: 'aws-eventbridge', eventBusName: 'alerts', endpoint: fakes['aws-eventbridge'].url },
            remediate: { type: 'lambda-invoke', functionName: 'remediate', endpoint: fakes['lambda-invoke'].url },
          },
          data,
        ),
        3,
      ),
      alibaba: await buildFixture(
        work,
        'alibaba-targets',
        yamlConfig(
          {
            bus: { type: 'alibaba-eventbridge', eventBusName: 'alerts', region: 'cn-hangzhou', endpoint: new URL(fakes['alibaba-eventbridge'].url).host, protocol: 'http', allowPrivateNetwork: true },
            remediate: { type: 'fc-invoke', functionName: 'remediate', endpoint: fakes['fc-invoke'].url, allowPrivateNetwork: true },
          },
          data,
        ),
        2,
      ),
    };
    const sdkAlone = {
      aws: await bundle(work, join(__dirname, 'sdk-alone', 'aws.ts'), 'sdk-alone-aws'),
      alibaba: await bundle(work, join(__dirname, 'sdk-alone', 'alibaba.ts'), 'sdk-alone-alibaba'),
    };
    // The warm pipeline runs minified like the functions (a source run adds tsx's helpers).
    const warmScript = await bundle(work, join(__dirname, 'warm.ts'), 'warm');
    const sdkEndpoints = JSON.stringify(Object.fromEntries(Object.entries(fakes).map(([type, fake]) => [type, fake.url])));
    // The baseline must make the calls of exactly the fixture's target types, with the SDKs
    // the fixture bundles where it bundles any, or the ratio means nothing.
    const { awsCalls } = await import('./sdk-alone/aws');
    const { alibabaCalls } = await import('./sdk-alone/alibaba');
    for (const [fixture, calls] of [[fixtures.aws, awsCalls], [fixtures.alibaba, alibabaCalls]] as const) {
      const types = Object.keys(calls).sort().join(', ');
      const sdks = new Set(Object.values(calls).map((c) => c.sdk));
      if (fixture.targetTypes.join(', ') !== types || fixture.sdk.some((sdk) => !sdks.has(sdk))) {
        throw new Error(
          `the ${fixture.label} fixture has targets ${fixture.targetTypes.join(', ')} and bundles ${fixture.sdk.join(', ') || 'no SDK'}; its SDK-alone baseline calls ${types} with ${[...sdks].join(', ')}: update bench/sdk-alone`,
        );
      }
    }

    // Cold starts: every scenario once per round, rounds interleaved, one warm-up round.
    const scenarios: { name: string; run: Run }[] = [
      { name: 'bare node, Lambda', run: { platform: 'lambda' } },
      { name: 'bare node, FC', run: { platform: 'fc' } },
      { name: 'default config, Lambda', run: { platform: 'lambda', ...handlerOf(fixtures.default, 'lambda'), deliveries: 1 } },
      { name: 'default config, FC', run: { platform: 'fc', ...handlerOf(fixtures.default, 'fc'), deliveries: 1 } },
      { name: 'webhook only, Lambda', run: { platform: 'lambda', ...handlerOf(fixtures.webhook, 'lambda'), deliveries: 1 } },
      { name: 'webhook only, FC', run: { platform: 'fc', ...handlerOf(fixtures.webhook, 'fc'), deliveries: 1 } },
      { name: 'AWS targets, Lambda', run: { platform: 'lambda', ...handlerOf(fixtures.aws, 'lambda'), deliveries: 3 } },
      { name: 'AWS SDKs alone', run: { platform: 'lambda', handler: sdkAlone.aws, env: { BENCH_ENDPOINTS: sdkEndpoints }, deliveries: 3 } },
      { name: 'Alibaba targets, FC', run: { platform: 'fc', ...handlerOf(fixtures.alibaba, 'fc'), deliveries: 2 } },
      { name: 'Alibaba SDKs alone', run: { platform: 'fc', handler: sdkAlone.alibaba, env: { BENCH_ENDPOINTS: sdkEndpoints }, deliveries: 2 } },
      { name: "bare node, Lambda's flags", run: { platform: 'lambda', nodeArgs: lambdaArgs } },
      { name: "default config, Lambda's flags", run: { platform: 'lambda', ...handlerOf(fixtures.default, 'lambda'), nodeArgs: lambdaArgs, deliveries: 1 } },
      { name: "webhook only, Lambda's flags", run: { platform: 'lambda', ...handlerOf(fixtures.webhook, 'lambda'), nodeArgs: lambdaArgs, deliveries: 1 } },
    ];
    const cold = scenarios.map((s) => ({ ...s, run: { ...s.run, event: EVENT[s.run.platform ?? 'lambda'], env: s.run.env ?? {} }, cpu: [] as number[], wall: [] as number[] }));
    console.error(`bench: cold starts, ${RUNS} rounds of ${cold.length} processes...`);
    for (let round = 0; round <= RUNS; round += 1) {
      for (const scenario of roundOrder(cold, round)) {
        const begin = process.hrtime.bigint();
        const result = await runBootstrap(scenario.run);
        if (round === 0) continue;
        scenario.wall.push(Number(process.hrtime.bigint() - begin) / 1e6);
        scenario.cpu.push(result.cpuMs);
      }
    }
    const coldCpu = (name: string) => {
      const scenario = cold.find((s) => s.name === name);
      if (!scenario) throw new Error(`no cold-start scenario ${name}`);
      return median(scenario.cpu);
    };
    const bare = { lambda: coldCpu('bare node, Lambda'), fc: coldCpu('bare node, FC') };
    const bareText = (platform: Platform) => `bare node ${nodeOf(platform).major}`;

    // The warm pipeline on each platform's node (once when both run the same one).
    const eventsFile = join(work, 'events.json');
    writeFileSync(eventsFile, JSON.stringify([...samples('aws'), ...samples('alibaba')].flatMap(eventsOf)));
    const warmGroups = lambdaNode.bin === fcNode.bin ? [{ label: `Lambda and FC, node ${lambdaNode.major}`, node: lambdaNode }] : [
      { label: `Lambda, node ${lambdaNode.major}`, node: lambdaNode },
      { label: `FC, node ${fcNode.major}`, node: fcNode },
    ];
    const warm: Record<string, Record<string, { nsPerEvent: number }>> = {};
    for (const { label, node } of warmGroups) {
      console.error(`bench: warm pipeline on node ${node.version}...`);
      warm[label] = (await runScript(node.bin, warmScript, {
        BENCH_EVENTS: eventsFile,
        BENCH_WARM_ROUNDS: QUICK ? '3' : '15',
        BENCH_WARM_BLOCK: QUICK ? '1000' : '2000',
      })) as Record<string, { nsPerEvent: number }>;
    }
    const warmFigures = warmGroups.flatMap(({ label }): Figure[] => {
      const us = (name: string) => {
        const step = warm[label]?.[name];
        if (!step) throw new Error(`the warm bench measured no ${name} on ${label}`);
        return step.nsPerEvent / 1000;
      };
      return [
        ratioFigure(`warm: pipeline to a no-op target (${label})`, us('noop'), 'µs/event', 'JSON round trip of the event', us('json'), 2),
        ratioFigure(`warm: pipeline to the file target (${label})`, us('file'), 'µs/event', 'plain append of the line', us('append'), 2),
        ratioFigure(`warm: pipeline to the file target, against its floor (${label})`, us('file'), 'µs/event', 'no-op pipeline, then the plain append', us('noopThenAppend'), 'measured'),
      ];
    });

    console.error(`bench: fan-out and batches to ${SLOW_MS} ms targets...`);
    const fanOutDir = join(work, 'fan-out');
    mkdirSync(fanOutDir, { recursive: true });
    // The webhook bundles, with other configs of webhooks compiled as the build compiles them.
    const slowConfig = async (count: number) => {
      const file = join(fanOutDir, `slow-${count}.yaml`);
      const targets = Object.fromEntries(Array.from({ length: count }, (_, i) => [`slow-${i + 1}`, webhook(slow.url)]));
      writeFileSync(file, yamlConfig(targets, data));
      const json = join(fanOutDir, `slow-${count}.json`);
      writeFileSync(json, JSON.stringify(await compileRouterJson(file, `slow-${count}.yaml`)));
      return json;
    };
    const timedRuns = QUICK ? 3 : 6;
    const timed = async (run: Run) => {
      const { wallMs } = await runBootstrap({ ...run, invocations: timedRuns, timed: true });
      if (!wallMs) throw new Error(`${run.handler ?? 'bare node'}: a timed run reported no times`);
      return median(wallMs);
    };
    const webhookLambda = handlerOf(fixtures.webhook, 'lambda').handler;
    const webhookFc = handlerOf(fixtures.webhook, 'fc').handler;
    const oneSlow = { ROUTER_CONFIG: await slowConfig(1) };
    const fanOne = await timed({ platform: 'lambda', handler: webhookLambda, event: EVENT.lambda, env: oneSlow, deliveries: 1 });
    const fanFive = await timed({ platform: 'lambda', handler: webhookLambda, event: EVENT.lambda, env: { ...oneSlow, ROUTER_CONFIG: await slowConfig(5) }, deliveries: 5 });
    const cloudEvent = JSON.parse(readFileSync(EVENT.fc, 'utf8')) as { id: string };
    const batchFile = join(fanOutDir, 'batch-20.json');
    writeFileSync(batchFile, JSON.stringify(Array.from({ length: 20 }, (_, i) => ({ ...cloudEvent, id: `${cloudEvent.id}-${i + 1}` }))));
    const batchOne = await timed({ platform: 'fc', handler: webhookFc, event: EVENT.fc, env: oneSlow, deliveries: 1 });
    const batchTwenty = await timed({ platform: 'fc', handler: webhookFc, event: batchFile, env: oneSlow, deliveries: 20 });

    console.error(`bench: memory over ${MEMORY_INVOCATIONS} warm invocations per fixture...`);
    const marks = [MEMORY_INVOCATIONS / 10, MEMORY_INVOCATIONS];
    const memoryRuns: [string, Fixture, Platform][] = [
      ['default config', fixtures.default, 'lambda'],
      ['webhook only', fixtures.webhook, 'lambda'],
      ['AWS targets', fixtures.aws, 'lambda'],
      ['Alibaba targets', fixtures.alibaba, 'fc'],
    ];
    const memory: Figure[] = [];
    const mb = (bytes: number) => bytes / 1024 / 1024;
    const signed = (value: number) => `${value >= 0 ? '+' : ''}${value.toFixed(2)}`;
    // The RSS also grows with V8's young generation, which V8 enlarges up to its cap while
    // the allocation rate stays high (capacity, not retention).
    const at = (m: NonNullable<Result['memory']>[number]) => `${(m.peakRssKb / 1024).toFixed(1)} MB at ${m.invocations} (young generation ${mb(m.youngGeneration).toFixed(0)} MB)`;
    /** MEMORY_INVOCATIONS warm invocations of one process, its memory at the marks. */
    const measureMemory = async (label: string, run: Run) => {
      const platform = run.platform ?? 'lambda';
      // FC: gc exposed to read the live heap after a full collection (Lambda's flags do that).
      const nodeArgs = platform === 'lambda' ? lambdaArgs : ['--expose-gc'];
      const result = await runBootstrap({ ...run, event: EVENT[platform], invocations: MEMORY_INVOCATIONS, marks, nodeArgs: [...nodeArgs, ...(run.nodeArgs ?? [])] });
      for (const fake of Object.values(fakes)) fake.requests.length = 0;
      const [first, last] = result.memory ?? [];
      if (!first || !last) throw new Error(`${label}: the run reported memory at fewer than its ${marks.length} marks`);
      return { first, last, heapGrowth: mb(last.heapUsed - first.heapUsed), externalGrowth: mb(last.external - first.external) };
    };
    for (const [label, fixture, platform] of memoryRuns) {
      const run: Run = { platform, ...handlerOf(fixture, platform), deliveries: fixture.deliveries };
      const { first, last, heapGrowth, externalGrowth } = await measureMemory(label, run);
      // The live heap after a full collection also grows while V8's compilers
      // compile more of the code (their code and metadata, up to some 0.9 MB, levelling off
      // after a few thousand invocations): the same invocations with them off tell a leak,
      // which grows either way, from that (the interpreter alone).
      const interpreted = await measureMemory(label, { ...run, nodeArgs: ['--no-turbofan', '--no-maglev', '--no-sparkplug'] });
      const peakMb = last.peakRssKb / 1024;
      const half = nodeOf(platform).memoryMb / 2;
      memory.push({
        figure: `peak memory, ${MEMORY_INVOCATIONS.toLocaleString('en')} invocations: ${label} (${PLATFORM_NAME[platform]}, node ${nodeOf(platform).major})`,
        value: peakMb,
        unit: 'MB',
        baseline: 'half the memory size',
        baselineValue: half,
        ratio: peakMb / half,
        target: 1,
        targetText: `<= 1x, heap flat`,
        ok: peakMb <= half && interpreted.heapGrowth < 0.5,
        note:
          `peak RSS ${at(first)}, ${at(last)}; from ${first.invocations} to ${last.invocations}, live heap ${signed(heapGrowth)} MB ` +
          `(${signed(interpreted.heapGrowth)} MB with V8's compilers off), external ${signed(externalGrowth)} MB`,
      });
    }
    // What the AWS targets' own client replaced: the same calls with the AWS SDK v3 clients
    // alone, built once and kept, as a function would keep them.
    const sdkAloneMemory = await measureMemory('AWS SDKs alone', { platform: 'lambda', handler: sdkAlone.aws, env: { BENCH_ENDPOINTS: sdkEndpoints }, deliveries: 3 });
    const sdkAlonePeakMb = sdkAloneMemory.last.peakRssKb / 1024;
    memory.push({
      figure: `peak memory, ${MEMORY_INVOCATIONS.toLocaleString('en')} invocations: AWS SDKs alone (Lambda, node ${lambdaNode.major})`,
      value: sdkAlonePeakMb,
      unit: 'MB',
      baseline: 'half the memory size',
      baselineValue: lambdaNode.memoryMb / 2,
      ratio: sdkAlonePeakMb / (lambdaNode.memoryMb / 2),
      targetText: 'measured',
      note: `the same calls with the AWS SDK v3 clients, no router: peak RSS ${at(sdkAloneMemory.first)}, ${at(sdkAloneMemory.last)}`,
    });

    const coldRow = (name: string, platform: Platform, target: number) =>
      ratioFigure(`cold start: ${name}, ${PLATFORM_NAME[platform]}`, coldCpu(`${name}, ${PLATFORM_NAME[platform]}`), 'ms CPU', bareText(platform), bare[platform], target);
    const figures: Figure[] = [
      coldRow('default config', 'lambda', 2.0),
      coldRow('default config', 'fc', 2.0),
      coldRow('webhook only', 'lambda', 2.5),
      coldRow('webhook only', 'fc', 2.5),
      ...(['default config', 'webhook only'] as const).map((name) =>
        ratioFigure(`cold start: ${name}, Lambda, with Lambda's node flags`, coldCpu(`${name}, Lambda's flags`), 'ms CPU', `${bareText('lambda')}, same flags`, coldCpu("bare node, Lambda's flags"), 'measured'),
      ),
      ratioFigure('cold start: AWS targets (sns, eventbridge, lambda)', coldCpu('AWS targets, Lambda'), 'ms CPU', 'its official SDKs alone', coldCpu('AWS SDKs alone'), 1.3),
      ratioFigure('cold start: Alibaba targets (eventbridge, fc-invoke)', coldCpu('Alibaba targets, FC'), 'ms CPU', 'its official SDKs alone', coldCpu('Alibaba SDKs alone'), 1.3),
      ...warmFigures,
      ratioFigure(`fan-out to 5 targets of ${SLOW_MS} ms`, fanFive, 'ms', 'one such target', fanOne, 1.1),
      ...memory,
      ratioFigure(`FC batch of 20 events, ${SLOW_MS} ms target`, batchTwenty, 'ms', 'one event', batchOne, 3),
      ...(await ledgerFigures()),
    ];

    const fmt = (value: number | undefined, unit = '') => (value === undefined || Number.isNaN(value) ? '-' : `${value < 10 ? value.toFixed(2) : value.toFixed(1)}${unit ? ` ${unit}` : ''}`);
    const rows = figures.map((f) => [
      f.figure,
      fmt(f.value, f.unit),
      f.baseline ? `${f.baseline}: ${fmt(f.baselineValue, f.unit === 'MB' ? 'MB' : f.unit)}` : '-',
      f.ratio === undefined ? '-' : `${f.ratio.toFixed(2)}x`,
      f.targetText ?? '-',
      f.ok === undefined ? '-' : f.ok ? 'ok' : 'MISSED',
    ]);
    const meta = {
      node: { lambda: lambdaNode, fc: fcNode },
      cpus: cpus().length,
      coldRounds: RUNS,
      memoryInvocations: MEMORY_INVOCATIONS,
      quick: QUICK,
      seconds: Math.round((Date.now() - started) / 1000),
    };
    const runsOn = (platform: Platform) => {
      const { version, runtime, major } = nodeOf(platform);
      const other = runtime.replace(/\.x$/, '') === `nodejs${major}` ? '' : ", NOT the runtime's Node";
      return `${PLATFORM_NAME[platform]} on node ${version} (runtime ${runtime}${other})`;
    };
    console.log(`Bench (${runsOn('lambda')}, ${runsOn('fc')}; ${meta.cpus} CPUs, ${RUNS} cold-start rounds, medians${QUICK ? ', QUICK: rough figures' : ''}):`);
    console.log(renderTable(['figure', 'value', 'baseline (same run)', 'ratio', 'target', ''], rows));
    for (const f of figures.filter((x) => x.note)) console.log(`  ${f.figure}: ${f.note}`);
    const coldDetail = cold.map((s) => ({ name: s.name, cpuMs: median(s.cpu), wallMs: median(s.wall), cpuSamples: s.cpu }));
    const bundleBytes = Object.fromEntries(Object.values(fixtures).map((f) => [f.label, Object.fromEntries(f.bundles.map((b) => [`${b.cloud}/${b.name}`, b.bytes]))]));
    mkdirSync(join(ROOT, 'out'), { recursive: true });
    writeFileSync(join(ROOT, 'out', 'bench.json'), `${JSON.stringify({ meta, figures, cold: coldDetail, warm, bundleBytes }, null, 2)}\n`);
    console.log(`Written to out/bench.json (${meta.seconds} s).`);
  } finally {
    await Promise.all(servers.map((s) => s.close()));
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
