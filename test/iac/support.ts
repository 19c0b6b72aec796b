// Shared by the deployment tests: builds into temporary directories, the real
// `serverless package` (v3, offline), the sample events, and the event type each handler
// is bound to.
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { inflateRawSync, crc32 } from 'node:zlib';
import { build, type BuildResult, type Cloud } from '../../scripts/build';
import { eventsOf, samples } from '../support/samples';

export const ROOT = resolve(__dirname, '..', '..');
export const FIXTURES = join(__dirname, 'fixtures');
export const DEFAULT_CONFIG = join(ROOT, 'router.yaml');

const run = promisify(execFile);

/** A fresh temporary directory, removed by `removeTemporaryDirectories`. */
const created: string[] = [];
export function temporaryDirectory(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `alert-router-${prefix}-`));
  created.push(dir);
  return dir;
}
export function removeTemporaryDirectories(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Builds the repository's handlers with `config` into `<serviceDir>/dist`. */
export function buildService(serviceDir: string, config: string): Promise<BuildResult> {
  return build({ root: ROOT, config, outDir: join(serviceDir, 'dist') });
}

export type CfnResource = { Type: string; Properties: Record<string, unknown>; Condition?: string; DependsOn?: string | string[] };
export interface Packaged {
  template: { Resources: Record<string, CfnResource>; Conditions?: Record<string, unknown>; Outputs?: Record<string, unknown>; Parameters?: Record<string, unknown> };
  /** The service as Serverless resolved it (functions with their package.artifact). */
  state: { service: { functions: Record<string, { handler: string; package?: { artifact?: string } }> } };
  /** The build that serverless ran (dist/manifest.json of the service directory). */
  build: BuildResult;
}

/** A service directory as a user has it: serverless.yml, with scripts/ and deploy/ of the repository. */
export function serviceDirectory(prefix: string): string {
  const dir = temporaryDirectory(prefix);
  copyFileSync(join(ROOT, 'serverless.yml'), join(dir, 'serverless.yml'));
  for (const linked of ['scripts', 'deploy']) symlinkSync(join(ROOT, linked), join(dir, linked));
  return dir;
}

/** Runs the real serverless CLI (v3, offline) in a service directory. */
export async function serverless(serviceDir: string, args: string[], env: Record<string, string> = {}): Promise<{ stdout: string; stderr: string }> {
  const bin = join(ROOT, 'node_modules', 'serverless', 'bin', 'serverless.js');
  try {
    return await run(process.execPath, [bin, ...args], {
      cwd: serviceDir,
      env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off', HOME: serviceDir, ...env },
      timeout: 180_000,
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`serverless ${args.join(' ')} failed:\n${stdout ?? ''}\n${stderr ?? ''}`);
  }
}

/** The real `serverless package`, which builds with `routerConfig` (ROUTER_CONFIG) and packages the build. */
export async function serverlessPackage(serviceDir: string, args: string[], routerConfig = DEFAULT_CONFIG): Promise<Packaged> {
  await serverless(serviceDir, ['package', ...args], { ROUTER_CONFIG: routerConfig });
  const read = (file: string) => JSON.parse(readFileSync(join(serviceDir, file), 'utf8'));
  return {
    template: read('.serverless/cloudformation-template-update-stack.json'),
    state: read('.serverless/serverless-state.json'),
    build: read('dist/manifest.json'),
  };
}

export function resourcesOfType(template: Packaged['template'], type: string): [string, CfnResource][] {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type);
}

export interface SampleEvent {
  /** file, or file[index] for an element of a file holding an array. */
  label: string;
  event: Record<string, unknown>;
}

/** Every sample event of a cloud, read now (others may be adding samples): arrays give each element. */
export function sampleEvents(cloud: Cloud): SampleEvent[] {
  return samples(cloud).flatMap((sample) => {
    const label = sample.file.replace(/^events\//, '');
    const events = eventsOf(sample) as Record<string, unknown>[];
    return Array.isArray(sample.value) ? events.map((event, i) => ({ label: `${label}[${i}]`, event })) : [{ label, event: events[0]! }];
  });
}

/** The event type each handler in functions/<cloud> is bound to, by the handler's file name. */
export function handlerEventTypes(cloud: Cloud): Map<string, string> {
  const dir = join(ROOT, 'functions', cloud);
  return new Map(
    readdirSync(dir)
      .filter((file) => file.endsWith('.ts'))
      .map((file) => {
        const bound = /(?:lambda|fc)Handler\(\s*'([^']+)'\s*\)/.exec(readFileSync(join(dir, file), 'utf8'));
        if (!bound) throw new Error(`functions/${cloud}/${file}: cannot tell which event type it handles`);
        return [file.replace(/\.ts$/, ''), bound[1]!];
      }),
  );
}

/** The files of a ZIP archive, read from its central directory; each entry's CRC is checked. */
export function readZip(data: Buffer): Map<string, Buffer> {
  const end = data.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0) throw new Error('not a zip: no end of central directory');
  const count = data.readUInt16LE(end + 10);
  let at = data.readUInt32LE(end + 16);
  const files = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    if (data.readUInt32LE(at) !== 0x02014b50) throw new Error('bad central directory entry');
    const method = data.readUInt16LE(at + 10);
    const crc = data.readUInt32LE(at + 16);
    const size = data.readUInt32LE(at + 20);
    const nameLength = data.readUInt16LE(at + 28);
    const extra = data.readUInt16LE(at + 30);
    const comment = data.readUInt16LE(at + 32);
    const local = data.readUInt32LE(at + 42);
    const name = data.toString('utf8', at + 46, at + 46 + nameLength);
    const start = local + 30 + data.readUInt16LE(local + 26) + data.readUInt16LE(local + 28);
    const raw = data.subarray(start, start + size);
    const content = method === 8 ? inflateRawSync(raw) : Buffer.from(raw);
    if (crc32(content) !== crc) throw new Error(`${name}: CRC mismatch`);
    files.set(name, content);
    at += 46 + nameLength + extra + comment;
  }
  return files;
}

/** A CloudFormation value with Ref and Fn::Join of pseudo parameters evaluated, as CloudFormation would. */
export function evaluateCfn(value: unknown, where: { region: string; account: string } = { region: 'eu-central-1', account: '999988887777' }): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const v = value as Record<string, unknown>;
  if (typeof v.Ref === 'string' && v.Ref.startsWith('AWS::')) {
    return { 'AWS::Partition': 'aws', 'AWS::Region': where.region, 'AWS::AccountId': where.account }[v.Ref] ?? value;
  }
  if (Array.isArray(v['Fn::Join'])) {
    const [separator, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map((part) => evaluateCfn(part, where)).join(separator);
  }
  if (typeof v['Fn::Sub'] === 'string') {
    const pseudo: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::Region': where.region, 'AWS::AccountId': where.account };
    return v['Fn::Sub'].replace(/\$\{([^}]+)\}/g, (whole, name: string) => pseudo[name] ?? whole);
  }
  return value;
}
