// The node binary each platform runs our functions on, for the bench: the Node major of the
// Lambda runtime in serverless.yml (nodejs24.x) and of FC's in s.yaml (nodejs20). A figure
// measured on another Node is not the platform's: Node 24's JSON is faster than Node 20's,
// its process larger.
//
//   BENCH_LAMBDA_NODE, BENCH_FC_NODE   a node binary to use instead (its version is shown)
//
// Otherwise the running node when its major is the runtime's, else the official binary of
// that major from the npm registry (the package node-<os>-<arch>, as .ci/run takes it),
// fetched once into node_modules/.cache/bench-node/.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { readSYaml } from '../scripts/s-yaml';

const run = promisify(execFile);

export type Platform = 'lambda' | 'fc';

export interface PlatformNode {
  /** The runtime as the template names it. */
  runtime: string;
  /** The binary the platform's processes run on. */
  bin: string;
  /** Its `--version`, and the major of that version (another than the runtime's when BENCH_*_NODE says so). */
  version: string;
  major: number;
}

/** The Node major of the Lambda runtime serverless.yml deploys (provider.runtime, nodejsNN.x). */
export function lambdaRuntime(root: string): { runtime: string; major: number } {
  const file = join(root, 'serverless.yml');
  // CloudFormation's tags (!Ref, !GetAtt...) elsewhere in the file are not ours to resolve: no warnings for them.
  const runtime = (parse(readFileSync(file, 'utf8'), { logLevel: 'error' }) as { provider?: { runtime?: unknown } }).provider?.runtime;
  const major = typeof runtime === 'string' ? /^nodejs(\d+)\.x$/.exec(runtime)?.[1] : undefined;
  if (typeof runtime !== 'string' || major === undefined) throw new Error(`${file}: provider.runtime is ${JSON.stringify(runtime)}, not nodejsNN.x`);
  return { runtime, major: Number(major) };
}

/** The Node major of the FC runtime every fc3 function of s.yaml deploys (runtime: nodejsNN). */
export function fcRuntime(root: string): { runtime: string; major: number } {
  const file = join(root, 's.yaml');
  const runtimes = new Set(
    Object.values(readSYaml(file).resources)
      .filter((resource) => resource.component === 'fc3')
      .map((resource) => resource.props.runtime),
  );
  const [runtime, ...others] = [...runtimes];
  const major = typeof runtime === 'string' ? /^nodejs(\d+)$/.exec(runtime)?.[1] : undefined;
  if (others.length > 0 || typeof runtime !== 'string' || major === undefined) {
    throw new Error(`${file}: the fc3 functions' runtimes are ${JSON.stringify([...runtimes])}, not one nodejsNN`);
  }
  return { runtime, major: Number(major) };
}

async function versionOf(bin: string): Promise<string> {
  const { stdout } = await run(bin, ['--version']);
  return stdout.trim();
}

/** A node binary of `major`: the given one, the running one, or the official one from npm. */
async function nodeOfMajor(root: string, major: number, envVar: string): Promise<string> {
  const given = process.env[envVar];
  if (given) return given;
  if (process.versions.node.split('.')[0] === String(major)) return process.execPath;
  const pkg = `node-${process.platform}-${process.arch}`;
  const dir = join(root, 'node_modules', '.cache', 'bench-node', String(major));
  const bin = join(dir, 'node_modules', pkg, 'bin', 'node');
  if (!existsSync(bin)) {
    console.error(`bench: fetching Node ${major} (${pkg}@${major}) from the npm registry into ${dir}...`);
    try {
      await run('npm', ['install', '--prefix', dir, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', `${pkg}@${major}`]);
    } catch (err) {
      const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
      throw new Error(`cannot fetch Node ${major} from npm (${why}): set ${envVar} to a node ${major} binary`);
    }
  }
  return bin;
}

/** Each platform's node: its runtime in the templates, and the binary to run its processes on. */
export async function platformNodes(root: string): Promise<Record<Platform, PlatformNode>> {
  const resolveNode = async ({ runtime, major }: { runtime: string; major: number }, envVar: string): Promise<PlatformNode> => {
    const bin = await nodeOfMajor(root, major, envVar);
    const version = await versionOf(bin);
    const binMajor = /^v(\d+)\./.exec(version)?.[1];
    if (binMajor === undefined) throw new Error(`${bin} --version says ${JSON.stringify(version)}: not a node binary`);
    return { runtime, bin, version, major: Number(binMajor) };
  };
  return {
    lambda: await resolveNode(lambdaRuntime(root), 'BENCH_LAMBDA_NODE'),
    fc: await resolveNode(fcRuntime(root), 'BENCH_FC_NODE'),
  };
}
