// Each built artifact runs alone, as the platform runs it: the Lambda zip unpacked, or the
// FC code directory copied, into an empty directory (no repository, no node_modules above
// it), and the platform bootstrap of the bench (bench/bootstrap.cjs: requires index.js and
// calls the handler as the Lambda runtime and FC 3.0's Node runtime do, with their event
// shape and context) in a fresh process with only PATH and what the template sets. Every
// sample event of the function's type goes through it, and the alerts land in the `file`
// target of the shipped router.json (compiled from router.yaml), under a temporary ROUTER_DATA_DIR.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { BuildResult, Bundle } from '../../scripts/build';
import { DEFAULT_CONFIG, ROOT, buildService, handlerEventTypes, readZip, removeTemporaryDirectories, sampleEvents, temporaryDirectory } from './support';

const BOOTSTRAP = join(ROOT, 'bench', 'bootstrap.cjs');

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

/** One invocation in a fresh Node process; the bootstrap reports on file descriptor 3. */
function invoke(code: string, platform: 'lambda' | 'fc', eventFile: string, data: string): Promise<{ outcomes: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BOOTSTRAP], {
      cwd: code,
      env: {
        PATH: process.env.PATH ?? '',
        BENCH_HANDLER: join(code, 'index.js'),
        BENCH_PLATFORM: platform,
        BENCH_EVENT: eventFile,
        ROUTER_CONFIG: join(code, 'router.json'),
        ROUTER_DATA_DIR: data,
      },
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
      timeout: 60_000,
    });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdio[3]!.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => {
      if (status !== 0) reject(new Error(`bootstrap exited with ${String(status)}: ${stderr}`));
      else resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as { outcomes: string[] });
    });
  });
}

/** Runs the events, one invocation each, through the artifact unpacked alone. */
async function runAlone(bundle: Bundle, events: unknown[]): Promise<{ outcomes: string[][]; written: string[]; code: string }> {
  const code = unpack(bundle);
  const work = temporaryDirectory(`artifact-run-${bundle.name}`);
  const data = join(work, 'data');
  const outcomes: string[][] = [];
  for (const [i, event] of events.entries()) {
    const file = join(work, `event-${i}.json`);
    writeFileSync(file, JSON.stringify(event));
    outcomes.push((await invoke(code, bundle.cloud === 'aws' ? 'lambda' : 'fc', file, data)).outcomes);
  }
  const file = join(data, 'out', 'alerts.jsonl');
  const written = existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : [];
  return { outcomes, written, code };
}

describe.each(['aws', 'alibaba'] as const)('%s artifacts run alone', (cloud) => {
  const types = handlerEventTypes(cloud);
  /** The event type a sample is: its folder for the AWS events that come without a detail-type. */
  const typeOf = ({ label, event }: { label: string; event: Record<string, unknown> }): string => {
    if (cloud === 'alibaba') return String(event.type);
    if (label.startsWith('aws/sns/')) return 'CloudWatch Alarm SNS Notification';
    if (label.startsWith('aws/alarm-action/')) return 'CloudWatch Alarm Lambda Action';
    return String(event['detail-type']);
  };

  it.each([...types.keys()])('%s handles every sample event of its type and writes the alerts to the file target', async (name) => {
    const bundle = build.bundles.find((b) => b.cloud === cloud && b.name === name)!;
    const events = sampleEvents(cloud).filter((s) => typeOf(s) === types.get(name)).map((s) => s.event);
    expect(events.length).toBeGreaterThan(0);
    const { outcomes, written, code } = await runAlone(bundle, events);
    expect(readdirSync(code).sort()).toEqual(['index.js', 'router.json']);
    // Each invocation delivered to the file target, or skipped it (a muted alarm), and nothing failed.
    for (const outcome of outcomes) {
      expect(outcome.length).toBeGreaterThan(0);
      for (const delivery of outcome) expect(delivery).toMatch(/^(local-file|console):(delivered|skipped)$/);
    }
    const delivered = outcomes.flat().filter((d) => d === 'local-file:delivered').length;
    expect(delivered).toBeGreaterThan(0);
    expect(written).toHaveLength(delivered);
    for (const line of written) expect(JSON.parse(line)).toMatchObject({ cloud, name: expect.any(String) });
  }, 120_000);
});

describe('an artifact run alone with a broken event', () => {
  it('refuses a broken event with a typed error naming the problem, and writes nothing', async () => {
    const bundle = build.bundles.find((b) => b.cloud === 'alibaba' && b.name === 'arms-alarm-create')!;
    const { outcomes, written } = await runAlone(bundle, [{ specversion: '1.0', type: 'aliyun:arms:alarm:create', source: 'arms', id: 'x' }]);
    expect(outcomes).toEqual([[expect.stringMatching(/^refused:.*INVALID_EVENT.*subject/)]]);
    expect(written).toEqual([]);
  }, 60_000);
});
