// The dispatch stage: prepare the routed targets, deliver an alert to them, report.
export { deliver } from './deliver';
export { prepareTargets, type PrepareRuntime } from './targets';
export { buildReport } from './report';
export { backoffDelay, BACKOFF_BASE_MS, BACKOFF_CAP_MS } from './backoff';
export type { DeliverOptions, DeliveryReport, DeliveryResult, PreparedTarget, StateNote } from './types';
