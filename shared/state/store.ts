// Creates the store a router.yaml names, loading only that adapter (and its SDK).
import type { StateStore, StoreRuntime } from './contract';
import { loadStoreType } from './registry';
import type { StateSettings } from './settings';

export function storeRuntime(env: Record<string, string | undefined> = process.env): StoreRuntime {
  return { dataDir: env.ROUTER_DATA_DIR ?? '.' };
}

export async function createStore(settings: StateSettings, runtime: StoreRuntime = storeRuntime()): Promise<StateStore> {
  const type = await loadStoreType(settings.store);
  // The config schema admits only registered kinds: an unknown one here is a bug.
  if (!type) throw new Error(`unknown store kind ${JSON.stringify(settings.store)}`);
  return type.create(settings, runtime);
}
