// The state of one alert (one dedupKey): its current status and since when, the last event
// applied, what each target was last told and the reference it returned (ticket key,
// incident id, chat message ts), and a short history. It decides three things:
// - staleness: an event older than the last one applied for its alert changes nothing;
// - the exception to holding back: a target told an alert is firing always hears how it
//   ended (resolve, ack, comment), whatever mutes it now;
// - the reference a lifecycle target updates instead of searching for its ticket.
// Writes are optimistic: read, apply, put-if-version; on a conflict, read again and re-apply.
import type { Alert, Status } from '../model/alert';
import type { StateStore, StoredRecord } from './contract';
import { storeKey, withTimeout, type StoreUseOptions } from './guard';
import { MIN_LIST_TIMEOUT_MS } from './settings';

/** Statuses that change what an alert IS; the others (comments, configuration changes) only add to it. */
export const STATE_STATUSES: readonly Status[] = ['firing', 'resolved', 'insufficient-data', 'acknowledged'];

/** Statuses a target told "firing" must hear even when it would be held back now. */
export const ENDING_STATUSES: readonly Status[] = ['resolved', 'insufficient-data', 'acknowledged', 'commented'];

/** Statuses after which a target is still "told it is firing". */
const OPEN_STATUSES: readonly Status[] = ['firing', 'acknowledged'];

/** History entries kept per alert (the record stays far below the store's value limit). */
export const HISTORY_LIMIT = 30;

export interface TargetState {
  /** The status the target was last told (only statuses in STATE_STATUSES). */
  status: Status;
  /** The event that told it. */
  eventId: string;
  /** ISO time it was told. */
  at: string;
  /** What the target returned the last time it returned something. */
  ref?: string;
}

export interface HistoryEntry {
  eventId: string;
  status: Status;
  /** The event's own time (observedAt, else the envelope's time). */
  eventAt: string | null;
  /** When the router applied it. */
  appliedAt: string;
  /** target -> outcome (`delivered`, `skipped`, `failed`). */
  deliveries: Record<string, string>;
}

export interface AlertState {
  dedupKey: string;
  name: string;
  cloud: string;
  provider: string;
  severity: string;
  summary: string;
  /** The last status of STATE_STATUSES applied. */
  status: Status;
  /** When that status began (the event time of the first event that set it). */
  since: string | null;
  /** When the current firing began (its startsAt), null once it ended. */
  firingSince: string | null;
  lastEvent: { id: string; status: Status; at: string | null };
  targets: Record<string, TargetState>;
  history: HistoryEntry[];
}

export interface Stale {
  lastEventId: string;
  lastEventAt: string;
}

/** The time an event speaks for, by which events of one alert are ordered. */
export function eventTime(alert: Alert): string | null {
  return alert.observedAt ?? alert.source.time;
}

/**
 * Whether the event is older than the last one applied to its alert. Only events that
 * change the status can be stale. A retry of the last event applied is not (the ledger
 * sends it to the targets that lack it); a retry of an earlier one is: a target it failed
 * may have heard the newer event since, and must not be told the older status after it.
 */
export function staleness(state: AlertState | undefined, alert: Alert): Stale | undefined {
  if (!state || !STATE_STATUSES.includes(alert.status) || !state.lastEvent.at) return undefined;
  if (state.lastEvent.id === alert.id) return undefined;
  const at = eventTime(alert);
  if (!at || Date.parse(at) >= Date.parse(state.lastEvent.at)) return undefined;
  return { lastEventId: state.lastEvent.id, lastEventAt: state.lastEvent.at };
}

/** The target was told this alert is firing and has not heard how it ended. */
export function toldFiring(state: AlertState | undefined, target: string): boolean {
  const told = state?.targets[target];
  return told !== undefined && OPEN_STATUSES.includes(told.status);
}

/** Whether a target that would be held back must hear this event all the same. */
export function mustHear(state: AlertState | undefined, target: string, alert: Alert): boolean {
  return ENDING_STATUSES.includes(alert.status) && toldFiring(state, target);
}

/** The reference a target returned for this alert, to update instead of searching. */
export function targetRef(state: AlertState | undefined, target: string): string | undefined {
  return state?.targets[target]?.ref;
}

export interface AppliedDelivery {
  target: string;
  outcome: 'delivered' | 'skipped' | 'failed';
  ref?: string;
  /**
   * The target was not sent the event now because an earlier invocation did (or skipped it),
   * as the ledger says: that invocation may have died before it recorded the state.
   */
  earlier?: 'delivered' | 'skipped';
}

/** The state after applying one event and what its deliveries did. Pure. */
export function applyEvent(previous: AlertState | undefined, alert: Alert, deliveries: readonly AppliedDelivery[], now: number): AlertState {
  const at = eventTime(alert);
  const applied = new Date(now).toISOString();
  const changesStatus = STATE_STATUSES.includes(alert.status);
  const newer = !previous || !previous.lastEvent.at || !at || Date.parse(at) >= Date.parse(previous.lastEvent.at);
  const state: AlertState = previous
    ? { ...previous, targets: { ...previous.targets }, history: [...previous.history] }
    : {
        dedupKey: alert.dedupKey,
        name: alert.name,
        cloud: alert.cloud,
        provider: alert.provider,
        severity: alert.severity,
        summary: alert.summary,
        status: alert.status,
        since: at,
        firingSince: null,
        lastEvent: { id: alert.id, status: alert.status, at },
        targets: {},
        history: [],
      };

  if (changesStatus && newer) {
    if (!previous || previous.status !== alert.status) state.since = at ?? applied;
    if (alert.status === 'firing') state.firingSince = (previous?.status === 'firing' || previous?.status === 'acknowledged' ? previous.firingSince : null) ?? alert.startsAt ?? at;
    else if (alert.status !== 'acknowledged') state.firingSince = null;
    state.status = alert.status;
    state.lastEvent = { id: alert.id, status: alert.status, at };
    Object.assign(state, { name: alert.name, severity: alert.severity, summary: alert.summary });
  }

  for (const delivery of deliveries) {
    const told = state.targets[delivery.target];
    const ref = delivery.ref ?? told?.ref;
    // Delivered now, or by an earlier invocation whose own record of it may be missing.
    const delivered = delivery.outcome === 'delivered' || delivery.earlier === 'delivered';
    if (delivered && changesStatus && newer && told?.eventId !== alert.id) {
      state.targets[delivery.target] = { status: alert.status, eventId: alert.id, at: applied, ...(ref ? { ref } : {}) };
    } else if (told && ref && ref !== told.ref) {
      state.targets[delivery.target] = { ...told, ref };
    }
  }

  // A retry of the same event merges into its entry: a target delivered earlier stays delivered.
  const index = state.history.findIndex((entry) => entry.eventId === alert.id && entry.status === alert.status);
  const outcomes = Object.fromEntries(deliveries.map((d) => [d.target, d.earlier ?? d.outcome]));
  const earlier = state.history[index];
  if (earlier) {
    const merged = { ...earlier.deliveries };
    for (const [target, outcome] of Object.entries(outcomes)) if (merged[target] !== 'delivered') merged[target] = outcome;
    state.history[index] = { ...earlier, appliedAt: applied, deliveries: merged };
  } else {
    state.history.push({ eventId: alert.id, status: alert.status, eventAt: at, appliedAt: applied, deliveries: outcomes });
    state.history.sort((a, b) => Date.parse(a.eventAt ?? a.appliedAt) - Date.parse(b.eventAt ?? b.appliedAt));
    if (state.history.length > HISTORY_LIMIT) state.history.splice(0, state.history.length - HISTORY_LIMIT);
  }
  return state;
}

/** Write attempts when other invocations keep updating the same alert. */
const MAX_WRITE_ROUNDS = 5;

/** Reads and writes alert states in a store, each call bounded by the timeout. */
export class AlertBook {
  private readonly now: () => number;

  constructor(
    private readonly store: StateStore,
    private readonly options: StoreUseOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  async read(dedupKey: string): Promise<AlertState | undefined> {
    return (await this.get(dedupKey))?.value;
  }

  /** Applies the event and its deliveries; rejects when the store fails or keeps conflicting. */
  async record(alert: Alert, deliveries: readonly AppliedDelivery[]): Promise<AlertState> {
    const key = storeKey(alert.dedupKey);
    for (let round = 0; round < MAX_WRITE_ROUNDS; round += 1) {
      const current = await this.get(alert.dedupKey);
      const now = this.now();
      const next = applyEvent(current?.value, alert, deliveries, now);
      const written = await withTimeout(
        this.store.put({
          space: 'alerts',
          key,
          value: next,
          expect: current ? { version: current.version } : { absent: true },
          expiresAt: Math.ceil((now + this.options.ttlSeconds * 1000) / 1000),
          now,
        }),
        this.options.timeoutMs,
        `${this.store.kind} store`,
      );
      if (written.written) return next;
    }
    throw new Error(`the state of ${alert.dedupKey} kept changing under ${MAX_WRITE_ROUNDS} writes`);
  }

  /** Every alert the store holds. */
  async list(): Promise<AlertState[]> {
    const records = await withTimeout(this.store.list<AlertState>('alerts', this.now()), Math.max(this.options.timeoutMs, MIN_LIST_TIMEOUT_MS), `${this.store.kind} store`);
    return records.map((record) => record.value);
  }

  private get(dedupKey: string): Promise<StoredRecord<AlertState> | undefined> {
    return withTimeout(this.store.get<AlertState>('alerts', storeKey(dedupKey), this.now()), this.options.timeoutMs, `${this.store.kind} store`);
  }
}
