// What the build needs to know of a router.yaml: the targets it defines (name, type, raw
// settings) and the ${env:NAME} references it makes. Read from the YAML as written, not
// through loadConfig(): loadConfig resolves secret references, and secrets do not exist on
// the build machine (they are set on the deployed function). `npm run router -- check-config`
// is what validates the file.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export interface RouterTarget {
  name: string;
  type: string;
  /** The target's keys as written in router.yaml, `type` removed. */
  settings: Record<string, unknown>;
}

export interface RouterConfigSummary {
  file: string;
  targets: RouterTarget[];
  /** The `state:` section as written: its store kind and settings. */
  state?: { store: string; settings: Record<string, unknown> };
  /** Names of the environment variables the file references, sorted, each once. */
  envReferences: string[];
}

export class BuildConfigError extends Error {
  constructor(file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'BuildConfigError';
  }
}

const ENV_REFERENCE = /(?<!\$)\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;

const isMap = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function readRouterConfig(file: string): RouterConfigSummary {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new BuildConfigError(file, `cannot read the routing config (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  const doc: unknown = parse(text);
  if (!isMap(doc) || !isMap(doc.targets)) throw new BuildConfigError(file, 'expected a `targets:` map');
  const targets = Object.entries(doc.targets).map(([name, entry]): RouterTarget => {
    if (!isMap(entry) || typeof entry.type !== 'string') throw new BuildConfigError(file, `targets.${name}: expected a map with a \`type\``);
    const { type, ...settings } = entry;
    return { name, type, settings };
  });
  const envReferences = [...new Set([...text.matchAll(ENV_REFERENCE)].flatMap(([, name]) => (name ? [name] : [])))].sort();
  let state: RouterConfigSummary['state'];
  if (doc.state !== undefined) {
    if (!isMap(doc.state) || typeof doc.state.store !== 'string') throw new BuildConfigError(file, 'state: expected a map with a `store`');
    const { store, ...settings } = doc.state;
    state = { store, settings };
  }
  return { file, targets, envReferences, ...(state ? { state } : {}) };
}

/**
 * A setting that names a resource: a literal string, since IAM cannot follow a reference.
 * `where` is the settings' path in router.yaml (`targets.NAME`, `state`), for the error.
 */
export function literalSetting(settings: Record<string, unknown>, key: string, where: string, file: string): string | undefined {
  const value = settings[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw new BuildConfigError(file, `${where}.${key}: expected a string`);
  if (value.includes('${')) {
    throw new BuildConfigError(file, `${where}.${key}: must be written literally, not as a reference: the function's permissions are generated from it`);
  }
  return value;
}
