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

/** Text JSON writes between quotes as it is: no quote, backslash, control character or surrogate. */
// eslint-disable-next-line no-control-regex -- the control characters are what JSON escapes
const PLAIN_TEXT = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/;

function quoted(text: string): string {
  return PLAIN_TEXT.test(text) ? `"${text}"` : JSON.stringify(text);
}

/** A scalar as JSON writes it; undefined for what JSON leaves out, or for an object. */
function scalarJson(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return quoted(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      return value === null ? 'null' : undefined;
  }
}

/** `"key":` of the fields a delivery result has (written without quoting them each time). */
const DELIVERY_KEYS: Readonly<Record<string, string>> = Object.fromEntries(
  ['target', 'type', 'outcome', 'retryable', 'attempts', 'latencyMs', 'detail', 'ref', 'reason', 'ledger'].map((key) => [key, `"${key}":`]),
);

/** One delivery result as JSON.stringify writes it, its fields in its own order. */
function deliveryJson(delivery: DeliveryResult): string {
  const record = delivery as unknown as Record<string, unknown>;
  let text = '';
  for (const key in record) {
    const value = record[key];
    if (value === undefined) continue;
    const prefix = Object.hasOwn(DELIVERY_KEYS, key) ? DELIVERY_KEYS[key] : undefined;
    const json = scalarJson(value);
    // A field this writer does not know, or a value that is no scalar: JSON.stringify's way.
    if (prefix === undefined || json === undefined || !Object.hasOwn(record, key)) return JSON.stringify(delivery);
    text += text === '' ? prefix + json : `,${prefix}${json}`;
  }
  return `{${text}}`;
}

/**
 * The report as JSON.stringify(report) writes it, for its log line (one per event): its
 * fields in buildReport's order, each delivery in its own, text quoted without a walk
 * where it needs no escape. A report of another shape is left to JSON.stringify.
 */
export function reportJson(report: DeliveryReport): string {
  if (Object.keys(report).length !== (report.state === undefined ? REPORT_FIELDS : REPORT_FIELDS + 1)) return JSON.stringify(report);
  const head = [report.eventId, report.eventType, report.alertId, report.dedupKey, report.name, report.status, report.severity, report.ok].map(scalarJson);
  if (head.includes(undefined) || !Array.isArray(report.routes) || !Array.isArray(report.deliveries) || !report.routes.every((route) => typeof route === 'string')) {
    return JSON.stringify(report);
  }
  const [eventId, eventType, alertId, dedupKey, name, status, severity, ok] = head as string[];
  const routes = report.routes.map(quoted).join(',');
  const deliveries = report.deliveries.map(deliveryJson).join(',');
  const state = report.state === undefined ? '' : `,"state":${JSON.stringify(report.state)}`;
  return (
    `{"eventId":${eventId},"eventType":${eventType},"alertId":${alertId},"dedupKey":${dedupKey},"name":${name},` +
    `"status":${status},"severity":${severity},"routes":[${routes}],"deliveries":[${deliveries}],"ok":${ok}${state}}`
  );
}

/** The fields buildReport always writes (state comes after them when there is one). */
const REPORT_FIELDS = 10;
