// What the state commands share: the store of the config's state: section, opened for one
// read and closed again, and a one-cell summary of what each target was told.
import { ConfigError } from '../model/errors';
import type { RouterConfig } from '../route/types';
import { openState, type AlertState, type RouterState } from '../state';

export async function openConfiguredState<T>(config: RouterConfig, use: (state: RouterState) => Promise<T>): Promise<T> {
  if (!config.state) throw new ConfigError(config.file, 'state', 'is not set, so the router keeps no state (docs/state.md)');
  // A store that cannot open (no region, no instance, no credentials) is the config's problem: exit 2, naming it.
  const state = await openState(config.state).catch((error: unknown) => {
    throw new ConfigError(config.file, 'state', error instanceof Error ? error.message : String(error));
  });
  try {
    return await use(state);
  } finally {
    await state.store.close?.();
  }
}

/** `hook-a:firing(OPS-7) hook-b:resolved`. */
export function toldSummary(alert: AlertState): string {
  const told = Object.entries(alert.targets).sort(([a], [b]) => a.localeCompare(b));
  return told.length === 0 ? '-' : told.map(([name, t]) => `${name}:${t.status}${t.ref ? `(${t.ref})` : ''}`).join(' ');
}
