// Creates the targets an alert is routed to, once per loaded config: a function instance
// pays at cold start only for the target types (and SDKs) its routes actually reach.
import type { Logger } from '../log';
import { ConfigError } from '../model/errors';
import type { RouterConfig } from '../route/types';
import type { Target, TargetRuntime } from '../targets/contract';
import { classifyError } from '../targets/errors';
import { loadTargetType } from '../targets/registry';
import type { PreparedTarget } from './types';

export type PrepareRuntime = Omit<TargetRuntime, 'name' | 'log'> & { log: Logger };

interface Created {
  prepared: PreparedTarget;
  /** create() failed: do not keep it, the next invocation tries again. */
  broken: boolean;
}

const created = new WeakMap<RouterConfig, Map<string, Promise<PreparedTarget>>>();

/**
 * The prepared targets named (unknown names or types are config errors). Each target is
 * created once per config object and reused by later calls.
 */
export async function prepareTargets(config: RouterConfig, names: string[], runtime: PrepareRuntime): Promise<Map<string, PreparedTarget>> {
  let cache = created.get(config);
  if (!cache) {
    cache = new Map();
    created.set(config, cache);
  }
  const known = cache;
  const entries = await Promise.all(
    [...new Set(names)].map(async (name) => {
      let pending = known.get(name);
      if (!pending) {
        pending = createTarget(config, name, runtime).then(
          (result) => {
            if (result.broken) known.delete(name);
            return result.prepared;
          },
          (err: unknown) => {
            known.delete(name);
            throw err;
          },
        );
        known.set(name, pending);
      }
      return [name, await pending] as const;
    }),
  );
  return new Map(entries);
}

async function createTarget(config: RouterConfig, name: string, runtime: PrepareRuntime): Promise<Created> {
  const targetConfig = Object.hasOwn(config.targets, name) ? config.targets[name] : undefined;
  if (!targetConfig) throw new ConfigError(config.file, `targets.${name}`, 'is not defined');
  const type = await loadTargetType(targetConfig.type);
  if (!type) throw new ConfigError(config.file, `targets.${name}.type`, `unknown target type "${targetConfig.type}"`);

  const log = runtime.log.child({ target: name, type: targetConfig.type });
  const base = { name, type: targetConfig.type, policy: targetConfig.policy };
  try {
    // Settings were validated (and defaulted) by the type's schema when the config was loaded.
    const target = await type.create(targetConfig.settings, { ...runtime, name, log });
    return { prepared: { ...base, target }, broken: false };
  } catch (err) {
    // One target that cannot be created must not stop the others: it fails its deliveries.
    const { detail } = classifyError(err);
    log.error('target could not be created', { detail });
    return { prepared: { ...base, target: failingTarget(`target could not be created: ${detail}`) }, broken: true };
  }
}

function failingTarget(detail: string): Target {
  return { send: () => Promise.resolve({ outcome: 'failed', retryable: false, detail }) };
}
