// Types of the dispatch stage: targets ready to send, the result of delivering one alert
// to one target, and the delivery report of one event (logged as one JSON line and
// returned by the handler).
import type { Logger } from '../log';
import type { Severity, Status } from '../model/alert';
import type { RetryPolicy } from '../route/types';
import type { Target } from '../targets/contract';
import type { Ledger } from '../state/ledger';
import type { Stale } from '../state/alert-state';

/** A target created from router.yaml, with the retry policy dispatch applies to it. */
export interface PreparedTarget {
  /** The key under `targets:` in router.yaml. */
  name: string;
  type: string;
  target: Target;
  policy: RetryPolicy;
}

export interface DeliveryResult {
  target: string;
  type: string;
  outcome: 'delivered' | 'skipped' | 'failed';
  /** Only for `failed`: whether a later retry (a redelivery of the event) could succeed. */
  retryable?: boolean;
  /** Attempts made; 0 when there was no time left to make one. */
  attempts: number;
  /** From the first attempt's start to the final outcome, backoff included. */
  latencyMs: number;
  detail?: string;
  /** Id of what the target created or updated upstream (ticket key, message id...). */
  ref?: string;
  /**
   * Why the target was not sent the event, or did nothing with it: an earlier invocation
   * delivered it (ledger), another one is delivering it right now, the event is older than
   * its alert's state, a mute window, silence or time interval held it back, or the target
   * itself had nothing to do (its `statuses:` leave the status out). `detail` says more.
   */
  reason?: DeliveryReason;
  /** With reason `already-delivered`: what the earlier invocation did, as the ledger says. */
  earlier?: 'delivered' | 'skipped';
  /** The ledger could not be used for this delivery: it went ahead at least once. */
  ledger?: 'unavailable';
}

export type DeliveryReason = 'already-delivered' | 'in-progress-elsewhere' | 'stale' | 'held-back' | 'not-applicable';

export interface DeliverOptions {
  /** Epoch ms by which deliver() must have returned (the function's remaining time). */
  deadline?: number;
  log: Logger;
  /** Source of jitter in [0, 1); Math.random by default. Tests pass a fixed one. */
  random?: () => number;
  /** Time kept free before the deadline for the report and the handler's return. Default 500 ms. */
  safetyMarginMs?: number;
  /** The delivery ledger: targets that already have the event are not sent it again. */
  ledger?: Ledger;
  /** target -> the reference it returned for this alert before (from the alert state). */
  refs?: Readonly<Record<string, string>>;
}

export interface DeliveryReport {
  /** The upstream event id (EventBridge `id`, CloudEvents `id`). */
  eventId: string;
  /** EventBridge detail-type or CloudEvents type. */
  eventType: string;
  alertId: string;
  dedupKey: string;
  name: string;
  status: Status;
  severity: Severity;
  /** Paths of the routes the alert matched (`route.routes[1]`). */
  routes: string[];
  deliveries: DeliveryResult[];
  /** No delivery failed (delivered and skipped both count as ok). */
  ok: boolean;
  /** What the state store did for this event; absent when router.yaml has no `state:` section. */
  state?: StateNote;
}

export interface StateNote {
  /** The store kind (`local`, `dynamodb`, `tablestore`). */
  store: string;
  /**
   * `used`: every target was checked against the delivery ledger. `unavailable`: the store
   * failed or was too slow for some or all of them, which were delivered at least once.
   */
  ledger: 'used' | 'unavailable';
  /** The alert's state was updated with this event. */
  recorded: boolean;
  /** The event is older than the last one applied to its alert: it changed nothing. */
  stale?: Stale;
  /** Why the store was unavailable. */
  detail?: string;
}
