// The router of one function instance: its config and the targets its routes use, built
// once per cold start. Only target types named by a route are loaded, so a function pays
// at cold start for the SDKs its config uses and no others.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROUTER_JSON, loadRouterJson } from '../route/compiled';
import { routedTargetNames } from '../route/tree';
import type { RouterConfig } from '../route/types';
import { prepareTargets, type PreparedTarget } from '../dispatch';
import { createLogger, type Logger } from '../log';
import { openState, storeRuntime, type RouterState, type StateSettings } from '../state';
import { alibabaCredentials } from './credentials';

export interface Router {
  config: RouterConfig;
  /** The state store of the config's `state:` section, when it has one and it opened. */
  state?: RouterState;
  /** Why the configured store could not be opened (deliveries then go ahead without it). */
  stateProblem?: string;
  /** The prepared targets of these names (every name comes from the config's routes). */
  targets(names: readonly string[]): PreparedTarget[];
}

export async function createRouter(config: RouterConfig, log: Logger = createLogger()): Promise<Router> {
  const [prepared, state] = await Promise.all([
    prepareTargets(config, [...routedTargetNames(config.route)], { log, alibabaCredentials }),
    config.state ? openRouterState(config.state, log) : {},
  ]);
  return {
    config,
    ...state,
    targets: (names) =>
      names.map((name) => {
        const target = prepared.get(name);
        // loadConfig refuses a route naming an undefined target, so this is a bug, not bad input.
        if (!target) throw new Error(`target ${name} was not prepared`);
        return target;
      }),
  };
}

/** A store that cannot be opened (its SDK fails to load...) never stops the router: it delivers without it. */
async function openRouterState(settings: StateSettings, log: Logger): Promise<{ state?: RouterState; stateProblem?: string }> {
  try {
    return { state: await openState(settings, { ...storeRuntime(), alibabaCredentials }) };
  } catch (err) {
    const stateProblem = `the ${settings.store} store could not be opened: ${err instanceof Error ? err.message : String(err)}`;
    log.error('state store unavailable', { detail: stateProblem });
    return { stateProblem };
  }
}

/**
 * The config of this function: ROUTER_CONFIG when set, else the router.json the build put
 * beside the bundle (a deployed function), else router.yaml in the current directory (the
 * command line, source runs). A compiled router.json needs neither the YAML parser nor the
 * schemas: the YAML loader is imported only for a YAML file, and deployed bundles leave it
 * out (scripts/build.ts).
 */
export async function loadRouterConfig(env: Record<string, string | undefined> = process.env) {
  const shipped = join(__dirname, ROUTER_JSON);
  const file = env.ROUTER_CONFIG || (existsSync(shipped) ? shipped : undefined);
  if (file?.endsWith('.json')) return loadRouterJson(file, env);
  const { loadConfig } = await import('../route/config');
  return loadConfig(file, env);
}

let instance: Promise<Router> | undefined;

/**
 * The process-wide router, loaded on first use (cold start) by loadRouterConfig(). A failed
 * load is not cached: the next invocation tries again and logs again.
 */
export function getRouter(): Promise<Router> {
  if (!instance) {
    const loading = loadRouterConfig().then((config) => createRouter(config));
    loading.catch(() => {
      if (instance === loading) instance = undefined;
    });
    instance = loading;
  }
  return instance;
}
