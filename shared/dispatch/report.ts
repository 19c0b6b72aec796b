// The delivery report of one event: what came in, where it was routed, what each target did.
import type { Alert } from '../model/alert';
import type { DeliveryReport, DeliveryResult, StateNote } from './types';

/** `routes` are the matched route nodes (Route) or their paths (`route.routes[1]`). */
export function buildReport(alert: Alert, routes: ReadonlyArray<string | { path: string }>, deliveries: DeliveryResult[], state?: StateNote): DeliveryReport {
  return {
    eventId: alert.source.id,
    eventType: alert.source.type,
    alertId: alert.id,
    dedupKey: alert.dedupKey,
    name: alert.name,
    status: alert.status,
    severity: alert.severity,
    routes: routes.map((route) => (typeof route === 'string' ? route : route.path)),
    deliveries,
    ok: deliveries.every((delivery) => delivery.outcome !== 'failed'),
    ...(state ? { state } : {}),
  };
}
