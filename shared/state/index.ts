// The state stage: the store named in router.yaml's `state:` section, with the delivery
// ledger and the alert state built on it.
import { AlertBook } from './alert-state';
import type { StateStore, StoreRuntime } from './contract';
import { Ledger } from './ledger';
import { DEFAULT_ALERT_TTL_DAYS, DEFAULT_LEDGER_TTL_HOURS, DEFAULT_STORE_TIMEOUT_MS, type StateSettings } from './settings';
import { createStore } from './store';

export interface RouterState {
  /** The store kind (`local`, `dynamodb`, `tablestore`). */
  kind: string;
  store: StateStore;
  ledger: Ledger;
  alerts: AlertBook;
}

export async function openState(settings: StateSettings, runtime?: StoreRuntime, now?: () => number): Promise<RouterState> {
  const store = await createStore(settings, runtime);
  return stateOver(store, settings, now);
}

/** The ledger and the alert state over an open store, with the settings' timeouts and TTLs. */
export function stateOver(store: StateStore, settings: Omit<StateSettings, 'store'>, now?: () => number): RouterState {
  const timeoutMs = settings.timeoutMs ?? DEFAULT_STORE_TIMEOUT_MS;
  return {
    kind: store.kind,
    store,
    ledger: new Ledger(store, { timeoutMs, ttlSeconds: (settings.ledgerTtlHours ?? DEFAULT_LEDGER_TTL_HOURS) * 3600, ...(now ? { now } : {}) }),
    alerts: new AlertBook(store, { timeoutMs, ttlSeconds: (settings.alertTtlDays ?? DEFAULT_ALERT_TTL_DAYS) * 86400, ...(now ? { now } : {}) }),
  };
}

export type { AlertState, HistoryEntry, TargetState, Stale } from './alert-state';
export { mustHear, staleness, targetRef, toldFiring } from './alert-state';
export { storeRuntime } from './store';
export type { StateSettings } from './settings';
