// The one build of both clouds: an esbuild bundle per handler in functions/aws and
// functions/alibaba (node20, CommonJS, minified), each with the router.yaml it was built for
// beside it. Source maps are written outside the artifacts (dist/sourcemaps/), to map a
// production stack trace offline: a function never loads them, so they are not shipped. A target type's module and SDK are in a bundle only when that
// router.yaml defines a target of that type. Also writes what the deployment templates
// read: the Lambda role's IAM statements and secret variables (dist/aws/deploy.json), the
// Alibaba shared-resources ROS template with the FC role's policy (dist/alibaba/infra.yaml,
// from deploy/alibaba/infra.yaml) and a manifest (dist/manifest.json).
//
//   npx tsx scripts/build.ts [--config FILE (default: $ROUTER_CONFIG, else router.yaml)] [--out dist] [--cloud aws|alibaba]
//
// --cloud names the cloud being deployed (serverless.yml and s.yaml pass it): a state store
// that cannot run there (DynamoDB on FC, Tablestore on Lambda) fails the build.
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { build as esbuild, type Metafile, type Plugin } from 'esbuild';
import { loadTargetType, targetTypes } from '../shared/targets/registry';
import { loadStoreType, storeTypes } from '../shared/state/registry';
import { BuildConfigError, readRouterConfig, type RouterConfigSummary } from './router-targets';
import { alibabaRamStatements, awsIamStatements } from './permissions';
import { parseDocument } from 'yaml';
import { writeZip } from './zip';
import { compileRouterJson } from './router-json';
import { ROUTER_JSON, type RouterJson } from '../shared/route/compiled';
import { parseMatcher } from '../shared/route/matcher';
import { simpleAnchoredTest } from '../shared/route/simple-regex';

export type Cloud = 'aws' | 'alibaba';
export const CLOUDS: readonly Cloud[] = ['aws', 'alibaba'];

export const BUNDLE_FILES = ['index.js', ROUTER_JSON] as const;
/** Where the source map of `<cloud>/<function>/index.js` goes, under the output directory. */
export const SOURCEMAP_DIR = 'sourcemaps';

export interface BuildOptions {
  /** Repository root (functions/, shared/, deploy/). */
  root: string;
  /** The router.yaml to ship. */
  config: string;
  outDir: string;
  /**
   * The cloud being deployed (the deploy commands pass it): a state store that cannot run
   * there is refused. Without it both clouds' bundles are built all the same.
   */
  cloud?: Cloud;
}

export interface Bundle {
  cloud: Cloud;
  /** The handler's file name without extension: the function's name in both templates. */
  name: string;
  /** The handler source, relative to the root. */
  source: string;
  /** The directory holding index.js and router.json, relative to the output directory (its source map: under sourcemaps/). */
  dir: string;
  /** What the template deploys, relative to the output directory: the zip (AWS) or the directory (FC). */
  artifact: string;
  /** Size of index.js. */
  bytes: number;
  /** Size of the zip (AWS) or of the directory's files (FC). */
  artifactBytes: number;
  /** npm packages bundled into index.js. */
  packages: string[];
  /** The target SDKs among them. */
  sdk: string[];
}

export interface BuildResult {
  config: string;
  outDir: string;
  /** Target types the config defines: their modules (and SDKs) are bundled. */
  targetTypes: string[];
  /** Environment variables the config references (secrets, set on each function). */
  envReferences: string[];
  bundles: Bundle[];
}

const toPosix = (path: string) => path.split('\\').join('/');

/**
 * A registry of modules loaded on demand (`kind: () => import('./module')`): the target
 * types, and the state store kinds. A bundle keeps only the entries its router.yaml uses.
 */
interface Registry {
  /** What an entry is, for messages: `target type`, `state store`. */
  label: string;
  file: string;
  /** Entry -> the module it imports (`./local/file`). */
  modules: Map<string, string>;
  /** Entries the config uses. */
  used: Set<string>;
  /** Entry -> npm packages its module imports (declared on its contract as `sdk`). */
  sdk(entry: string): Promise<readonly string[]>;
}

/** The module each registry entry loads, read from the registry's source. */
function registryModules(registryFile: string, entries: string[]): Map<string, string> {
  const text = readFileSync(registryFile, 'utf8');
  const modules = new Map<string, string>();
  for (const [, entry, module] of text.matchAll(/['"]?([\w-]+)['"]?\s*:\s*\(\)\s*=>\s*import\(\s*['"](\.\/[\w/-]+)['"]\s*\)/g)) {
    if (entry && module) modules.set(entry, module);
  }
  const missing = entries.filter((entry) => !modules.has(entry));
  if (missing.length > 0) throw new Error(`${registryFile}: cannot find the module of ${missing.join(', ')}`);
  return modules;
}

/**
 * Replaces the registry's import of every module the config does not use with a module
 * that throws, so neither that module nor its SDK is bundled (and a module that does not
 * exist yet does not break the build).
 */
function selectModules(registry: Registry): Plugin {
  const entryOfModule = new Map([...registry.modules].map(([entry, module]) => [module, entry]));
  const namespace = `omitted-${registry.label.replace(/\W+/g, '-')}`;
  return {
    name: `router-${namespace}`,
    setup(b) {
      b.onResolve({ filter: /^\.\/[\w/-]+$/ }, (args) => {
        const entry = entryOfModule.get(args.path);
        if (resolve(args.importer) !== registry.file || entry === undefined || registry.used.has(entry)) return undefined;
        return { path: entry, namespace };
      });
      b.onLoad({ filter: /.*/, namespace }, (args) => ({
        contents: `throw new Error(${JSON.stringify(`${registry.label} ${args.path} is not in this bundle: the router.yaml it was built with does not use it`)});`,
        loader: 'js',
      }));
    },
  };
}

/**
 * zod's `z.locales` namespace re-exports its error messages in some forty languages (about
 * 250 KB minified, 40% of a bundle). The router sets none of them: zod's schemas configure
 * English themselves, from locales/en.js, which stays. The namespace keeps `en` only.
 */
function englishOnlyZod(): Plugin {
  return {
    name: 'zod-english-only',
    setup(b) {
      b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
        /[\\/]node_modules[\\/]zod[\\/]/.test(args.importer) ? { path: join(dirname(args.importer), '../locales/en.js'), namespace: 'zod-locales' } : undefined,
      );
      b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({
        contents: `export { default as en } from ${JSON.stringify(args.path)};`,
        loader: 'js',
        resolveDir: dirname(args.path),
      }));
    },
  };
}

/**
 * zod, in a deployed bundle, through scripts/lazy-zod.ts: the schemas that modules declare
 * when they load are recorded, not built, and the real zod (in the bundle all the same) is
 * evaluated only when a schema is first used (a target whose settings reference a secret is
 * validated at start). A router.json that validates nothing at start gets no zod at all.
 */
const REAL_ZOD = Symbol('real zod');

function lazyZod(root: string, withZod: boolean): Plugin {
  const stand = join(root, 'scripts', 'lazy-zod.ts');
  return {
    name: 'lazy-zod',
    setup(b) {
      b.onResolve({ filter: /^zod$/ }, (args) => {
        if (args.pluginData === REAL_ZOD) return undefined;
        if (resolve(args.importer) !== stand) return { path: stand };
        // A router.json that validates nothing at start needs no schema: zod is left out.
        if (!withZod) return { path: 'zod', namespace: 'zod-omitted' };
        // The stand-in's own require('zod'): zod's ES modules, as an import would pick them
        // (the CommonJS build that require() would pick is a second, larger copy).
        return b.resolve('zod', { kind: 'import-statement', resolveDir: args.resolveDir, pluginData: REAL_ZOD });
      });
      b.onLoad({ filter: /.*/, namespace: 'zod-omitted' }, () => ({
        contents: `throw new Error('this bundle has no schema library: the router.json it was built with validates nothing at start');`,
        loader: 'js',
      }));
    },
  };
}

/**
 * A function starts from the router.json the build compiled (shared/route/compiled.ts), so
 * its bundle leaves out the YAML loader (the YAML parser and the file schemas): the runtime
 * imports it only when ROUTER_CONFIG names a YAML file, which a deployed function refuses.
 */
function compiledConfigOnly(root: string): Plugin {
  const runtimeRouter = join(root, 'shared', 'runtime', 'router.ts');
  return {
    name: 'compiled-config-only',
    setup(b) {
      b.onResolve({ filter: /^\.\.\/route\/config$/ }, (args) =>
        resolve(args.importer) === runtimeRouter ? { path: join(root, 'shared', 'route', 'config.ts'), namespace: 'yaml-loader-omitted' } : undefined,
      );
      b.onLoad({ filter: /.*/, namespace: 'yaml-loader-omitted' }, () => ({
        contents: `import { ConfigError } from ${JSON.stringify(join(root, 'shared', 'model', 'errors'))};
export async function loadConfig(file) {
  throw new ConfigError(file ?? 'router.yaml', '', 'a deployed function reads the router.json its build compiled, not YAML: leave ROUTER_CONFIG unset or point it to a router.json');
}`,
        loader: 'js',
        resolveDir: root,
      }));
    },
  };
}

/** Whether every regex matcher of the router.json has a shape that runs natively (shared/route/simple-regex.ts). */
export function regexesAllSimple(json: unknown): boolean {
  if (Array.isArray(json)) return json.every(regexesAllSimple);
  if (typeof json !== 'object' || json === null) return true;
  const text = (json as { $matcher?: unknown }).$matcher;
  if (typeof text === 'string') {
    const { op, value } = parseMatcher(text);
    return (op !== '=~' && op !== '!~') || simpleAnchoredTest(value) !== undefined;
  }
  return Object.values(json).every(regexesAllSimple);
}

/**
 * re2js (about 150 KB, two thirds of a bundle that has it, and ~4 ms of every cold start
 * just to compile its code) only for a router.json with a regex the native fast path
 * cannot take; otherwise the bundle leaves it out.
 */
function regexEngineIfNeeded(needed: boolean): Plugin {
  return {
    name: 'regex-engine-if-needed',
    setup(b) {
      if (needed) return;
      b.onResolve({ filter: /^re2js$/ }, () => ({ path: 're2js', namespace: 're2js-omitted' }));
      b.onLoad({ filter: /.*/, namespace: 're2js-omitted' }, () => ({
        contents: `throw new Error('this bundle has no regex engine: every regex of the router.json it was built with runs natively');`,
        loader: 'js',
      }));
    },
  };
}

/**
 * Packages a function may import that no bundle carries:
 * - @aws-sdk/credential-provider-node: the AWS SDK's credential chain, the AWS targets'
 *   fallback where the environment has no keys (shared/aws.ts). Lambda
 *   always sets its role's keys; the chain (with its SSO and STS clients) would only weigh
 *   on every cold start. Where a function has neither keys nor the package, the delivery
 *   fails and says so.
 */
const NEVER_BUNDLED = ['@aws-sdk/credential-provider-node'];

/**
 * Node modules that packages require at their top for features these handlers never use,
 * each replaced there by an object that loads the real module on first use:
 * - @middy/core: node:stream, node:stream/promises and node:stream/web, for response
 *   streaming (a few ms of every cold start).
 */
const LAZY_BUILTINS: { importer: RegExp; builtin: RegExp }[] = [
  { importer: /[\\/]node_modules[\\/]@middy[\\/]core[\\/]/, builtin: /^node:stream(\/promises|\/web)?$/ },
];

function lazyBuiltins(): Plugin {
  return {
    name: 'lazy-builtins',
    setup(b) {
      b.onResolve({ filter: /^node:/ }, (args) =>
        LAZY_BUILTINS.some((lazy) => lazy.builtin.test(args.path) && lazy.importer.test(args.importer)) ? { path: args.path, namespace: 'lazy-builtin' } : undefined,
      );
      b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => ({
        contents: `let real;
const load = () => (real ??= require(${JSON.stringify(args.path)}));
module.exports = new Proxy({}, { get: (_, key) => load()[key] });`,
        loader: 'js',
      }));
    },
  };
}

/** The npm package a node_modules path belongs to. */
function packageOf(path: string): string | undefined {
  const match = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(toPosix(path));
  return match?.[1];
}

/** SDKs declared by the registries' entries (`sdk` on their contracts), split by whether the config uses the entry. */
async function declaredSdks(registries: Registry[]): Promise<{ needed: Set<string>; unused: Set<string> }> {
  const needed = new Set<string>();
  const unused = new Set<string>();
  for (const registry of registries) {
    for (const entry of registry.modules.keys()) {
      let sdk: readonly string[] = [];
      try {
        sdk = await registry.sdk(entry);
      } catch (error) {
        // An unused module that cannot load is left out of the bundles anyway.
        if (registry.used.has(entry)) throw error;
      }
      for (const name of sdk) (registry.used.has(entry) ? needed : unused).add(name);
    }
  }
  for (const name of needed) unused.delete(name);
  return { needed, unused };
}

function handlers(root: string, cloud: Cloud): string[] {
  const dir = join(root, 'functions', cloud);
  return readdirSync(dir)
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
    .sort()
    .map((file) => join(dir, file));
}

/**
 * Where the FC functions' own resources are, in the terms of the ROS templates under
 * deploy/alibaba (their Prefix parameter and ROS's pseudo parameters): the RAM policy's
 * resources are ROS Fn::Sub strings, resolved when the stack is created.
 */
const ALIBABA_DEPLOYMENT = {
  region: '${ALIYUN::Region}',
  accountId: '${ALIYUN::AccountId}',
  logProject: '${Prefix}-${ALIYUN::AccountId}',
  logStore: 'functions',
  deadLetterQueue: '${Prefix}-dead-letters',
};

/** A RAM policy resource as ROS takes it: a plain string, or Fn::Sub when it names a parameter. */
const rosString = (value: string): string | { 'Fn::Sub': string } => (value.includes('${') ? { 'Fn::Sub': value } : value);

/** deploy/alibaba/infra.yaml with the FC role's policy statements filled in (comments and quoting kept). */
async function alibabaInfraTemplate(root: string, config: RouterConfigSummary): Promise<string> {
  const file = join(root, 'deploy', 'alibaba', 'infra.yaml');
  const template = parseDocument(readFileSync(file, 'utf8'));
  const statements = ['Resources', 'FunctionRole', 'Properties', 'Policies', 0, 'PolicyDocument', 'Statement'];
  if (template.getIn(['Resources', 'FunctionRole', 'Type']) !== 'ALIYUN::RAM::Role' || !template.hasIn(statements)) {
    throw new Error(`${file}: expected the FunctionRole (ALIYUN::RAM::Role) with one policy`);
  }
  const policy = (await alibabaRamStatements(config.targets, config.file, ALIBABA_DEPLOYMENT)).map((statement) => ({ ...statement, Resource: statement.Resource.map(rosString) }));
  template.setIn(statements, template.createNode(policy));
  return `# Written by scripts/build.ts from deploy/alibaba/infra.yaml for ${toPosix(relative(root, config.file))}: edit those, not this.\n${template.toString({ lineWidth: 0 })}`;
}

const CLOUD_NAMES: Record<Cloud, string> = { aws: 'AWS (Lambda)', alibaba: 'Alibaba Cloud (FC 3.0)' };

/** The store kinds that run on a cloud (their `runsOn`), for the refusal below. */
async function storesRunningOn(cloud: Cloud): Promise<string[]> {
  const kinds = await Promise.all(Object.keys(storeTypes).map(async (kind) => ((await loadStoreType(kind))?.runsOn ?? CLOUDS).includes(cloud) ? [kind] : []));
  return kinds.flat();
}

/**
 * Refuses a config whose state store cannot run on the cloud being deployed: its functions
 * would have no credentials for it, and every event would go out without the ledger.
 */
async function checkStateStoreRunsOn(config: RouterConfigSummary, cloud: Cloud): Promise<void> {
  const kind = config.state?.store;
  const runsOn = kind === undefined ? undefined : (await loadStoreType(kind))?.runsOn;
  if (kind === undefined || runsOn === undefined || runsOn.includes(cloud)) return;
  const fitting = (await storesRunningOn(cloud)).map((k) => `\`${k}\``).join(' or ');
  throw new BuildConfigError(
    config.file,
    `state.store: ${kind} runs on ${runsOn.map((c) => CLOUD_NAMES[c]).join(', ')} only, not on ${CLOUD_NAMES[cloud]}, whose functions have no credentials for it ` +
      `(every event would go out without the ledger): deploy ${CLOUD_NAMES[cloud]} with a router.yaml of its own whose state.store is ${fitting} (docs/deploy.md, "The state store")`,
  );
}

export async function build(options: BuildOptions): Promise<BuildResult> {
  const root = resolve(options.root);
  const outDir = resolve(options.outDir);
  const rel = (path: string) => toPosix(relative(root, path));
  const config: RouterConfigSummary = readRouterConfig(resolve(options.config));
  if (options.cloud) await checkStateStoreRunsOn(config, options.cloud);

  const used = new Set(config.targets.map((t) => t.type));
  const targetRegistry: Registry = {
    label: 'target type',
    file: join(root, 'shared', 'targets', 'registry.ts'),
    modules: registryModules(join(root, 'shared', 'targets', 'registry.ts'), Object.keys(targetTypes)),
    used,
    sdk: async (type) => (await loadTargetType(type))?.sdk ?? [],
  };
  const stateRegistry: Registry = {
    label: 'state store',
    file: join(root, 'shared', 'state', 'registry.ts'),
    modules: registryModules(join(root, 'shared', 'state', 'registry.ts'), Object.keys(storeTypes)),
    used: new Set(config.state ? [config.state.store] : []),
    sdk: async (kind) => (await loadStoreType(kind))?.sdk ?? [],
  };
  const registries = [targetRegistry, stateRegistry];
  for (const registry of registries) {
    for (const entry of registry.used) {
      const module = registry.modules.get(entry);
      const where = relative(root, registry.file);
      if (module === undefined) throw new BuildConfigError(config.file, `${registry.label} ${JSON.stringify(entry)} is not in ${where}`);
      if (!existsSync(join(dirname(registry.file), `${module}.ts`))) {
        throw new BuildConfigError(config.file, `${registry.label} ${entry}: its module ${join(dirname(where), module.slice(2))}.ts does not exist`);
      }
    }
  }
  const sdks = await declaredSdks(registries);
  // Validated and compiled before bundling: a config error fails the build, not a cold start.
  const routerJson = await compileRouterJson(config.file, rel(config.file));
  const validatesAtStart = Object.keys(routerJson.atStart).length > 0;
  // Before bundling, so that a config the permissions cannot be derived from fails fast.
  const deployFiles = await deployFileContents(root, config);

  for (const dir of [...CLOUDS, SOURCEMAP_DIR]) rmSync(join(outDir, dir), { recursive: true, force: true });
  const entryPoints = Object.fromEntries(
    CLOUDS.flatMap((cloud) => handlers(root, cloud).map((file) => [`${cloud}/${basename(file, '.ts')}/index`, file])),
  );
  const result = await esbuild({
    absWorkingDir: root,
    entryPoints,
    outdir: outDir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    // No sourceMappingURL comment: nothing at run time looks for the map.
    sourcemap: 'external',
    sourcesContent: false,
    metafile: true,
    logLevel: 'warning',
    external: [...sdks.unused, ...NEVER_BUNDLED],
    plugins: [...registries.map(selectModules), englishOnlyZod(), lazyZod(root, validatesAtStart), compiledConfigOnly(root), lazyBuiltins(), regexEngineIfNeeded(!regexesAllSimple(routerJson))],
  });

  const bundles = Object.entries(entryPoints).map(([entry, source]) => {
    const [cloud, name] = entry.split('/') as [Cloud, string];
    const dir = join(outDir, cloud, name);
    return packageBundle(result.metafile, { root, outDir, cloud, name, dir, source: rel(source), routerJson, sdks });
  });

  for (const [file, content] of Object.entries(deployFiles)) {
    mkdirSync(dirname(join(outDir, file)), { recursive: true });
    writeFileSync(join(outDir, file), typeof content === 'string' ? content : `${JSON.stringify(content, null, 2)}\n`);
  }
  const summary: BuildResult = { config: rel(config.file), outDir: rel(outDir), targetTypes: [...used].sort(), envReferences: config.envReferences, bundles };
  writeFileSync(join(outDir, 'manifest.json'), `${JSON.stringify(summary, null, 2)}\n`);
  return summary;
}

interface BundleContext {
  root: string;
  outDir: string;
  cloud: Cloud;
  name: string;
  dir: string;
  source: string;
  routerJson: RouterJson;
  sdks: { needed: Set<string>; unused: Set<string> };
}

/** Moves a source map out of the artifact, its `sources` still pointing at the files. */
function moveSourceMap(from: string, to: string): void {
  const map = JSON.parse(readFileSync(from, 'utf8')) as { sources: string[] };
  map.sources = map.sources.map((source) => toPosix(relative(dirname(to), resolve(dirname(from), source))));
  mkdirSync(dirname(to), { recursive: true });
  writeFileSync(to, JSON.stringify(map));
  rmSync(from);
}

/** Ships router.json beside the bundle, zips it for Lambda, and checks what went in. */
function packageBundle(metafile: Metafile, ctx: BundleContext): Bundle {
  const js = join(ctx.dir, 'index.js');
  const meta = Object.entries(metafile.outputs).find(([path]) => resolve(ctx.root, path) === js)?.[1];
  if (!meta) throw new Error(`esbuild wrote no ${js}`);
  const packages = [...new Set(Object.keys(meta.inputs).map(packageOf).filter((p): p is string => p !== undefined))].sort();
  const strayImports = meta.imports.filter((i) => i.external && ctx.sdks.unused.has(packageOf(`node_modules/${i.path}`) ?? i.path));
  if (strayImports.length > 0) {
    throw new Error(`${ctx.source} still imports ${strayImports.map((i) => i.path).join(', ')}: an SDK of a target type or state store the config does not use`);
  }
  moveSourceMap(`${js}.map`, join(ctx.outDir, SOURCEMAP_DIR, ctx.cloud, ctx.name, 'index.js.map'));
  writeFileSync(join(ctx.dir, ROUTER_JSON), `${JSON.stringify(ctx.routerJson)}\n`);
  const files = BUNDLE_FILES.map((file) => ({ name: file, data: readFileSync(join(ctx.dir, file)) }));
  let artifact = ctx.dir;
  let artifactBytes = files.reduce((sum, f) => sum + f.data.length, 0);
  if (ctx.cloud === 'aws') {
    artifact = `${ctx.dir}.zip`;
    artifactBytes = writeZip(artifact, files);
  }
  return {
    cloud: ctx.cloud,
    name: ctx.name,
    source: ctx.source,
    dir: toPosix(relative(ctx.outDir, ctx.dir)),
    artifact: toPosix(relative(ctx.outDir, artifact)),
    bytes: statSync(js).size,
    artifactBytes,
    packages,
    sdk: packages.filter((p) => ctx.sdks.needed.has(p)),
  };
}

/** What the templates read, by path under the output directory. */
async function deployFileContents(root: string, config: RouterConfigSummary): Promise<Record<string, unknown>> {
  return {
    'aws/deploy.json': { iamStatements: await awsIamStatements(config.targets, config.file, config.state), secretEnv: config.envReferences },
    'alibaba/infra.yaml': await alibabaInfraTemplate(root, config),
  };
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

export function sizeTable(result: BuildResult): string {
  const header = ['function', 'cloud', 'index.js', 'artifact', 'packages', 'target SDKs'];
  const rows = [header];
  for (const b of result.bundles) {
    rows.push([b.name, b.cloud, kb(b.bytes), `${kb(b.artifactBytes)} ${b.cloud === 'aws' ? 'zip' : 'dir'}`, String(b.packages.length), b.sdk.join(' ') || '-']);
  }
  const widths = header.map((_, i) => Math.max(...rows.map((r) => r[i]?.length ?? 0)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ')).join('\n');
}

async function main() {
  const { values } = parseArgs({
    options: { config: { type: 'string', default: process.env.ROUTER_CONFIG || 'router.yaml' }, out: { type: 'string', default: 'dist' }, cloud: { type: 'string' } },
  });
  const cloud = values.cloud as Cloud | undefined;
  if (cloud !== undefined && !CLOUDS.includes(cloud)) {
    console.error(`build: --cloud ${values.cloud}: expected ${CLOUDS.join(' or ')}`);
    process.exit(2);
  }
  const root = resolve(__dirname, '..');
  const result = await build({ root, config: resolve(values.config), outDir: resolve(values.out), ...(cloud ? { cloud } : {}) });
  console.log(`Built with ${result.config} (target types: ${result.targetTypes.join(', ')})`);
  console.log(sizeTable(result));
}

if (require.main === module) {
  main().catch((error: unknown) => {
    // esbuild has printed its errors already; a config error is one line.
    if (error instanceof Error && 'errors' in error) console.error('build: esbuild failed');
    else console.error(error instanceof BuildConfigError ? `build: ${error.message}` : error);
    process.exit(1);
  });
}
