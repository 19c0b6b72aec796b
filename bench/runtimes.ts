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

/** What a platform's template deploys the functions with. */
export interface RuntimeSettings {
  /** The runtime as the template names it, and its Node major. */
  runtime: string;
  major: number;
  /** The functions' memory size. */
  memoryMb: number;
}

export interface PlatformNode {
  /** The runtime as the template names it. */
  runtime: string;
  /** The functions' memory size in the template. */
  memoryMb: number;
  /** The binary the platform's processes run on. */
  bin: string;
  /** Its `--version`, and the major of that version (another than the runtime's when BENCH_*_NODE says so). */
  version: string;
  major: number;
}

function memorySize(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) throw new Error(`${where} is ${JSON.stringify(value)}, not a memory size in MB`);
  return value;
}

/** The Lambda runtime serverless.yml deploys (provider.runtime, nodejsNN.x) and its memory size (provider.memorySize). */
export function lambdaRuntime(root: string): RuntimeSettings {
  const file = join(root, 'serverless.yml');
  // CloudFormation's tags (!Ref, !GetAtt...) elsewhere in the file are not ours to resolve: no warnings for them.
  const provider = (parse(readFileSync(file, 'utf8'), { logLevel: 'error' }) as { provider?: { runtime?: unknown; memorySize?: unknown } }).provider;
  const runtime = provider?.runtime;
  const major = typeof runtime === 'string' ? /^nodejs(\d+)\.x$/.exec(runtime)?.[1] : undefined;
  if (typeof runtime !== 'string' || major === undefined) throw new Error(`${file}: provider.runtime is ${JSON.stringify(runtime)}, not nodejsNN.x`);
  return { runtime, major: Number(major), memoryMb: memorySize(provider?.memorySize, `${file}: provider.memorySize`) };
}

/** The FC runtime every fc3 function of s.yaml deploys (runtime: nodejsNN) and their memory size (memorySize). */
export function fcRuntime(root: string): RuntimeSettings {
  const file = join(root, 's.yaml');
  const functions = Object.values(readSYaml(file).resources).filter((resource) => resource.component === 'fc3');
  /** The one value of `key` every function has. */
  const shared = (key: string): unknown => {
    const values = [...new Set(functions.map((resource) => resource.props[key]))];
    if (values.length !== 1) throw new Error(`${file}: the fc3 functions' ${key} values are ${JSON.stringify(values)}, not one`);
    return values[0];
  };
  const runtime = shared('runtime');
  const major = typeof runtime === 'string' ? /^nodejs(\d+)$/.exec(runtime)?.[1] : undefined;
  if (typeof runtime !== 'string' || major === undefined) throw new Error(`${file}: the fc3 functions' runtime is ${JSON.stringify(runtime)}, not nodejsNN`);
  return { runtime, major: Number(major), memoryMb: memorySize(shared('memorySize'), `${file}: the fc3 functions' memorySize`) };
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
  const resolveNode = async ({ runtime, major, memoryMb }: RuntimeSettings, envVar: string): Promise<PlatformNode> => {
    const bin = await nodeOfMajor(root, major, envVar);
    const version = await versionOf(bin);
    const binMajor = /^v(\d+)\./.exec(version)?.[1];
    if (binMajor === undefined) throw new Error(`${bin} --version says ${JSON.stringify(version)}: not a node binary`);
    return { runtime, memoryMb, bin, version, major: Number(binMajor) };
  };
  return {
    lambda: await resolveNode(lambdaRuntime(root), 'BENCH_LAMBDA_NODE'),
    fc: await resolveNode(fcRuntime(root), 'BENCH_FC_NODE'),
  };
}
