// Each built artifact runs alone, as the platform runs it: the Lambda zip unpacked, or the
// FC code directory copied, into an empty directory (no repository, no node_modules above
// it), and a bootstrap outside it that requires index.js and calls the handler the way the
// runtime does (Lambda: the event object and a Lambda context; FC 3.0: the event as a Buffer
// and an FC context), in one process per function as a warm instance would. Every sample
// event of the function's type goes through it, and the alerts land in the `file` target
// of the shipped router.yaml, under a temporary ROUTER_DATA_DIR.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { BuildResult, Bundle } from '../../scripts/build';
import { DEFAULT_CONFIG, buildService, handlerEventTypes, readZip, removeTemporaryDirectories, sampleEvents, temporaryDirectory } from './support';

const run = promisify(execFile);

/** What the bootstrap prints: one result per event, or the error the handler threw. */
type Outcome = { ok: true; result: unknown } | { ok: false; error: string };

const BOOTSTRAP = `
'use strict';
const { readFileSync } = require('node:fs');
const [codeDir, platform, eventsFile] = process.argv.slice(2);
const { handler } = require(codeDir + '/index.js');
const events = JSON.parse(readFileSync(eventsFile, 'utf8'));
const lambdaContext = (i) => ({
  awsRequestId: 'req-' + i, functionName: 'alert-router-test', functionVersion: '$LATEST', memoryLimitInMB: '256',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:alert-router-test', logGroupName: '/aws/lambda/alert-router-test',
  logStreamName: 'stream', callbackWaitsForEmptyEventLoop: true, getRemainingTimeInMillis: () => 60000,
  done() {}, fail() {}, succeed() {},
});
const fcContext = (i) => ({
  requestId: 'req-' + i, region: 'cn-hangzhou', accountId: '1234567890123456',
  credentials: { accessKeyId: '', accessKeySecret: '', securityToken: '' },
  function: { name: 'alert-router-test', handler: 'index.handler', memory: 256, timeout: 60 },
  logger: console,
});
(async () => {
  const outcomes = [];
  for (const [i, event] of events.entries()) {
    try {
      const result = platform === 'lambda'
        ? await handler(event, lambdaContext(i))
        : await handler(Buffer.from(JSON.stringify(event)), fcContext(i));
      outcomes.push({ ok: true, result });
    } catch (error) {
      outcomes.push({ ok: false, error: String(error && error.message) });
    }
  }
  process.stdout.write('\\nOUTCOMES ' + JSON.stringify(outcomes));
})();
`;

let dir: string;
let build: BuildResult;

beforeAll(async () => {
  dir = temporaryDirectory('artifact');
  build = await buildService(dir, DEFAULT_CONFIG);
}, 120_000);

afterAll(removeTemporaryDirectories);

/** The artifact's files in an empty directory, as the platform unpacks it. */
function unpack(bundle: Bundle): string {
  const code = temporaryDirectory(`artifact-${bundle.name}`);
  if (bundle.cloud === 'aws') {
    for (const [name, content] of readZip(readFileSync(join(dir, 'dist', bundle.artifact)))) {
      mkdirSync(dirname(join(code, name)), { recursive: true });
      writeFileSync(join(code, name), content);
    }
  } else {
    cpSync(join(dir, 'dist', bundle.artifact), code, { recursive: true });
  }
  return code;
}

/** Runs the events through the artifact in a fresh Node process with only PATH and what the template sets. */
async function runAlone(bundle: Bundle, events: unknown[]): Promise<{ outcomes: Outcome[]; written: string[]; code: string }> {
  const code = unpack(bundle);
  const work = temporaryDirectory(`artifact-run-${bundle.name}`);
  const data = join(work, 'data');
  writeFileSync(join(work, 'bootstrap.cjs'), BOOTSTRAP);
  writeFileSync(join(work, 'events.json'), JSON.stringify(events));
  const { stdout } = await run(process.execPath, [join(work, 'bootstrap.cjs'), code, bundle.cloud === 'aws' ? 'lambda' : 'fc', join(work, 'events.json')], {
    cwd: code,
    env: { PATH: process.env.PATH ?? '', ROUTER_CONFIG: join(code, 'router.yaml'), ROUTER_DATA_DIR: data, NODE_OPTIONS: '--enable-source-maps' },
    timeout: 60_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  const outcomes = JSON.parse(stdout.slice(stdout.lastIndexOf('\nOUTCOMES ') + 10)) as Outcome[];
  const file = join(data, 'out', 'alerts.jsonl');
  const written = existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : [];
  return { outcomes, written, code };
}

type Report = { ok: boolean; alertId: string; deliveries: { target: string; outcome: string }[] };
const reportsOf = (outcome: Outcome): Report[] => (outcome.ok ? [outcome.result as Report | Report[]].flat() : []);
const deliveredToFile = (report: Report) => report.deliveries.some((d) => d.target === 'local-file' && d.outcome === 'delivered');

describe.each(['aws', 'alibaba'] as const)('%s artifacts run alone', (cloud) => {
  const types = handlerEventTypes(cloud);
  const typeOf = (event: Record<string, unknown>) => String(cloud === 'aws' ? event['detail-type'] : event.type);

  it.each([...types.keys()])('%s handles every sample event of its type and writes the alerts to the file target', async (name) => {
    const bundle = build.bundles.find((b) => b.cloud === cloud && b.name === name)!;
    const events = sampleEvents(cloud).filter((s) => typeOf(s.event) === types.get(name)).map((s) => s.event);
    expect(events.length).toBeGreaterThan(0);
    const { outcomes, written, code } = await runAlone(bundle, events);
    expect(readdirSync(code).sort()).toEqual(['index.js', 'index.js.map', 'router.yaml']);
    expect(outcomes.filter((o) => !o.ok)).toEqual([]);
    const reports = outcomes.flatMap(reportsOf);
    expect(reports.every((r) => r.ok)).toBe(true);
    const delivered = reports.filter(deliveredToFile);
    expect(delivered.length).toBeGreaterThan(0);
    expect(written.map((line) => (JSON.parse(line) as { id: string }).id).sort()).toEqual(delivered.map((r) => r.alertId).sort());
  }, 90_000);
});

describe('an artifact run alone with a broken event', () => {
  it('fails the invocation with a clear error, so that the platform retries and dead-letters it', async () => {
    const bundle = build.bundles.find((b) => b.cloud === 'alibaba' && b.name === 'arms-alarm-create')!;
    const { outcomes, written } = await runAlone(bundle, [{ specversion: '1.0', type: 'aliyun:arms:alarm:create', source: 'arms', id: 'x' }]);
    expect(outcomes).toEqual([{ ok: false, error: expect.stringMatching(/\S/) }]);
    expect(written).toEqual([]);
  }, 90_000);
});
