// Cold start of the built function bundles: what a config's cloud targets cost a new
// instance. Builds every handler twice with scripts/build.ts, once with a router.yaml that
// uses no cloud target and once with one that uses all five (sns, aws-eventbridge,
// lambda-invoke, alibaba-eventbridge, fc-invoke), then times fresh `node` processes that
// load a bundle and run its first invocation, against bare `node` in the same run.
//
//   npx tsx bench/cold-start.ts [--runs 15]
//
// The first invocation creates the routed targets (their SDKs load here, not at require
// time) and makes one delivery attempt each to a closed port on 127.0.0.1, so no network or
// cloud account is involved. Rounds interleave the scenarios so that machine load hits all
// of them alike; medians are reported. Numbers, not assertions: nothing here fails on time.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { build, type Bundle } from '../scripts/build';

const ROOT = resolve(__dirname, '..');
/** Nothing listens on the discard port: every delivery attempt is refused at once. */
const CLOSED = '127.0.0.1:9';

const SAMPLE_EVENT = { aws: 'events/aws/state-change-single-metric.json', alibaba: 'events/alibaba/arms-alarm-create.json' } as const;
/** One handler per cloud is enough: all handlers of a cloud bundle the same code. */
const HANDLER = { aws: 'alarm-state-change', alibaba: 'arms-alarm-create' } as const;

const CLOUD_TYPES = ['sns', 'aws-eventbridge', 'lambda-invoke', 'alibaba-eventbridge', 'fc-invoke'];
const CLOUD_TARGETS = `
  sns:
    type: sns
    topicArn: arn:aws:sns:us-east-1:123456789012:alerts
    endpoint: http://${CLOSED}
  aws-bus:
    type: aws-eventbridge
    eventBusName: alerts
    endpoint: http://${CLOSED}
  lambda:
    type: lambda-invoke
    functionName: remediate
    endpoint: http://${CLOSED}
  alibaba-bus:
    type: alibaba-eventbridge
    eventBusName: alerts
    region: cn-hangzhou
    endpoint: ${CLOSED}
    protocol: http
  fc:
    type: fc-invoke
    accountId: '1234567890123456'
    region: cn-hangzhou
    serviceName: ops
    functionName: remediate
    endpoint: http://${CLOSED}`;

function routerYaml(out: string, cloud: boolean): string {
  const names = cloud ? ['local-file', 'sns', 'aws-bus', 'lambda', 'alibaba-bus', 'fc'] : ['local-file'];
  return `version: 1
defaults:
  timeoutMs: 2000
  retries: 0
targets:
  local-file:
    type: file
    path: ${join(out, 'alerts.jsonl')}${cloud ? CLOUD_TARGETS : ''}
route:
  targets: [${names.join(', ')}]
`;
}

/** Loads the bundle, runs one invocation, reports (on stderr) when each was done. */
const CHILD = `
const started = performance.now();
const { handler } = require(process.env.BENCH_BUNDLE);
const loaded = performance.now();
const raw = require('fs').readFileSync(process.env.BENCH_EVENT);
const fc = process.env.BENCH_CLOUD === 'alibaba';
const event = fc ? raw : JSON.parse(raw);
const context = fc
  ? { requestId: 'bench', function: { name: 'bench', timeout: 30 } }
  : { awsRequestId: 'bench', getRemainingTimeInMillis: () => 30000 };
// The cloud deliveries fail (refused), which fails the invocation: its error carries the reports.
Promise.resolve(handler(event, context))
  .then((report) => [report], (error) => error.reports || [])
  .then((reports) => {
    const invoked = performance.now();
    const types = reports.flatMap((r) => (r.deliveries || []).map((d) => d.type));
    process.stderr.write(JSON.stringify({ started, loaded, invoked, types }) + '\\n');
  });
`;

interface Sample {
  wallMs: number;
  requireMs?: number;
  invokeMs?: number;
}

interface Scenario {
  label: string;
  cloud?: 'aws' | 'alibaba';
  bundle?: Bundle;
  /** The bundle's directory: index.js and its router.yaml. */
  dir?: string;
  /** Target types the first invocation must have delivered to. */
  types?: string[];
  samples: Sample[];
}

const ENV = {
  PATH: process.env.PATH ?? '',
  LOG_LEVEL: 'error',
  AWS_ACCESS_KEY_ID: 'AKIAFAKEBENCH0000000',
  AWS_SECRET_ACCESS_KEY: 'fake-bench-secret',
  AWS_REGION: 'us-east-1',
  ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAIfakeBench',
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'fake-bench-secret',
};

function run(scenario: Scenario): Sample {
  const args = scenario.bundle ? ['-e', CHILD] : ['-e', '0'];
  const env = scenario.bundle
    ? {
        ...ENV,
        BENCH_BUNDLE: join(scenario.dir!, 'index.js'),
        BENCH_EVENT: join(ROOT, SAMPLE_EVENT[scenario.cloud!]),
        BENCH_CLOUD: scenario.cloud!,
        ROUTER_CONFIG: join(scenario.dir!, 'router.yaml'),
      }
    : ENV;
  const begin = process.hrtime.bigint();
  const child = spawnSync(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const wallMs = Number(process.hrtime.bigint() - begin) / 1e6;
  if (child.status !== 0) throw new Error(`${scenario.label}: node exited with ${child.status}: ${child.stderr}`);
  if (!scenario.bundle) return { wallMs };
  const line = child.stderr.trim().split('\n').pop() ?? '';
  const times = JSON.parse(line) as { started: number; loaded: number; invoked: number; types: string[] };
  // A target that could not be created would not load its SDK: refuse to time that.
  const missing = scenario.types!.filter((type) => !times.types.includes(type));
  if (missing.length > 0) throw new Error(`${scenario.label}: no delivery to ${missing.join(', ')}`);
  return { wallMs, requireMs: times.loaded - times.started, invokeMs: times.invoked - times.loaded };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

async function main() {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '15' } } });
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new TypeError('--runs must be a positive integer');

  const work = mkdtempSync(join(tmpdir(), 'cold-start-'));
  try {
    const scenarios: Scenario[] = [{ label: 'bare node', samples: [] }];
    for (const [config, cloud] of [['no cloud target', false], ['all 5 cloud targets', true]] as const) {
      const out = join(work, cloud ? 'all' : 'none');
      const file = join(work, `${cloud ? 'all' : 'none'}.yaml`);
      writeFileSync(file, routerYaml(out, cloud));
      const result = await build({ root: ROOT, config: file, outDir: out });
      for (const c of ['aws', 'alibaba'] as const) {
        const bundle = result.bundles.find((b) => b.cloud === c && b.name === HANDLER[c]);
        if (!bundle) throw new Error(`the build wrote no ${c}/${HANDLER[c]} bundle`);
        scenarios.push({ label: `${c}/${HANDLER[c]}, ${config}`, cloud: c, bundle, dir: join(out, c, HANDLER[c]), types: cloud ? ['file', ...CLOUD_TYPES] : ['file'], samples: [] });
      }
    }

    // One warm-up round (file cache), then the measured rounds.
    for (const scenario of scenarios) run(scenario);
    for (let round = 0; round < runs; round += 1) {
      for (const scenario of scenarios) scenario.samples.push(run(scenario));
    }

    const bare = median(scenarios[0]!.samples.map((s) => s.wallMs));
    const rows = [['scenario', 'index.js', 'process (median)', 'vs bare node', 'over bare', 'require', 'first invocation']];
    for (const s of scenarios) {
      const wall = median(s.samples.map((x) => x.wallMs));
      const ms = (v: number) => `${v.toFixed(1)} ms`;
      rows.push([
        s.label,
        s.bundle ? `${(s.bundle.bytes / 1024).toFixed(0)} KB` : '-',
        ms(wall),
        `${(wall / bare).toFixed(2)}x`,
        s.bundle ? `+${ms(wall - bare)}` : '-',
        s.bundle ? ms(median(s.samples.map((x) => x.requireMs!))) : '-',
        s.bundle ? ms(median(s.samples.map((x) => x.invokeMs!))) : '-',
      ]);
    }
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    console.log(`Cold start, median of ${runs} fresh processes each (node ${process.version}):`);
    for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd());
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
