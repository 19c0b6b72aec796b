// Types of the dispatch stage: targets ready to send, the result of delivering one alert
// to one target, and the delivery report of one event (logged as one JSON line and
// returned by the handler).
import type { Logger } from '../log';
import type { Severity, Status } from '../model/alert';
import type { RetryPolicy } from '../route/types';
import type { Target } from '../targets/contract';

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
}

export interface DeliverOptions {
  /** Epoch ms by which deliver() must have returned (the function's remaining time). */
  deadline?: number;
  log: Logger;
  /** Source of jitter in [0, 1); Math.random by default. Tests pass a fixed one. */
  random?: () => number;
  /** Time kept free before the deadline for the report and the handler's return. Default 500 ms. */
  safetyMarginMs?: number;
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
}
