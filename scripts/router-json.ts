// The build's compile step: router.yaml -> router.json (shared/route/compiled.ts). The file
// is validated here, with every problem named by file, line and path, so that a config
// error fails the build, not a cold start. Secrets do not exist on the build machine: a
// target whose settings reference one keeps them as written, to be resolved and validated
// when the function starts, with the lines of its settings so that errors there still
// name router.yaml's line.
import { readFileSync } from 'node:fs';
import { compileConfig } from '../shared/route/config';
import { serializeConfig, type RouterJson } from '../shared/route/compiled';
import { hasReferences } from '../shared/route/references';
import { COMMON_TARGET_KEYS } from '../shared/route/schema';
import { BuildConfigError, readRouterConfig } from './router-targets';

/** Every path inside a value, `prefix.key[0].sub`, the value's own first. */
function paths(value: unknown, prefix: string): string[] {
  if (Array.isArray(value)) return [prefix, ...value.flatMap((item, i) => paths(item, `${prefix}[${i}]`))];
  if (typeof value === 'object' && value !== null) return [prefix, ...Object.entries(value).flatMap(([key, item]) => paths(item, `${prefix}.${key}`))];
  return [prefix];
}

/** Compiles `file`; `name` is how messages (at build and at start) name it, e.g. router.yaml. */
export async function compileRouterJson(file: string, name: string): Promise<RouterJson> {
  const text = readFileSync(file, 'utf8');
  const compiled = await compileConfig(text, name, { secrets: 'check', env: {} });
  const { config, problems } = compiled;
  const errors = problems.filter((problem) => problem.level === 'error');
  if (errors.length > 0 || !config) {
    const lines = errors.map((p) => `${p.file}${p.line ? `:${p.line}` : ''}: ${p.path ? `${p.path}: ` : ''}${p.message}`);
    throw new BuildConfigError(file, `invalid routing config:\n  ${lines.join('\n  ') || 'invalid configuration'}`);
  }
  const atStart: RouterJson['atStart'] = {};
  for (const target of readRouterConfig(file).targets) {
    const settings = Object.fromEntries(Object.entries(target.settings).filter(([key]) => !(COMMON_TARGET_KEYS as readonly string[]).includes(key)));
    if (!hasReferences(settings)) continue;
    const compiledTarget = config.targets[target.name];
    if (!compiledTarget) throw new BuildConfigError(file, `targets.${target.name}: missing from the compiled config`);
    compiledTarget.settings = settings;
    const lines: Record<string, number> = {};
    for (const path of paths(settings, `targets.${target.name}`)) {
      const line = compiled.lineOf(path);
      if (line !== undefined) lines[path] = line;
    }
    atStart[target.name] = { lines };
  }
  return serializeConfig(config, atStart);
}
