// A fake PagerDuty Events API v2 (POST /v2/enqueue) on 127.0.0.1. It checks what PagerDuty
// checks (a JSON body, the routing key, event_action, dedup_key length, the PD-CEF payload of
// a trigger: summary <= 1024, source, severity, timestamp, links; 512 KB at most), answers
// 202 with the dedup_key, and keeps alerts the way PagerDuty does: a trigger opens an alert or
// logs on the open one with the same dedup_key, acknowledge and resolve act on the open one
// and are dropped when there is none; after resolution a trigger opens a new alert.
import type { ServiceMode } from '../../targets/conformance';
import { isRecord, jsonBody, startFakeServer, type FakeReply, type FakeRequest, type FakeServer } from './fake-service';

export type PagerDutyAlertStatus = 'triggered' | 'acknowledged' | 'resolved';

export interface PagerDutyAlert {
  dedupKey: string;
  status: PagerDutyAlertStatus;
  /** The payload of the trigger that opened the alert. */
  payload: Record<string, unknown>;
  links: unknown[];
  /** Every event applied to the alert, in order: trigger, acknowledge, resolve. */
  log: string[];
}

export interface FakePagerDuty {
  url: string;
  routingKey: string;
  server: FakeServer;
  /** Every alert ever opened, oldest first (a dedup_key may have several after resolutions). */
  alerts(): PagerDutyAlert[];
  /** Events PagerDuty accepted but dropped (acknowledge or resolve with no open alert). */
  dropped(): { action: string; dedupKey: string }[];
  /** Every accepted event body, in order. */
  events(): Record<string, unknown>[];
  respondWith(mode: ServiceMode): void;
  stop(): Promise<void>;
}

const SEVERITIES = ['critical', 'error', 'warning', 'info'];
const ACTIONS = ['trigger', 'acknowledge', 'resolve'];
const MAX_BYTES = 512 * 1024;
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/;

const invalid = (...errors: string[]): FakeReply => ({
  status: 400,
  body: { status: 'invalid event', message: 'Event object is invalid', errors },
});

function optionalString(payload: Record<string, unknown>, key: string, errors: string[]): void {
  if (payload[key] !== undefined && typeof payload[key] !== 'string') errors.push(`'payload.${key}' must be a string`);
}

/** The problems of a trigger's payload, as PagerDuty lists them. */
function payloadErrors(payload: unknown): string[] {
  if (!isRecord(payload)) return ["'payload' is missing or not an object"];
  const errors: string[] = [];
  const { summary, source, severity, timestamp } = payload;
  if (typeof summary !== 'string' || summary.length === 0) errors.push("'payload.summary' is missing or blank");
  else if (summary.length > 1024) errors.push("'payload.summary' must be at most 1024 characters");
  if (typeof source !== 'string' || source.length === 0) errors.push("'payload.source' is missing or blank");
  if (typeof severity !== 'string' || !SEVERITIES.includes(severity)) errors.push("'payload.severity' must be one of critical, error, warning, info");
  if (timestamp !== undefined && (typeof timestamp !== 'string' || !ISO_8601.test(timestamp))) errors.push("'payload.timestamp' must be ISO 8601");
  for (const key of ['component', 'group', 'class']) optionalString(payload, key, errors);
  if (payload.custom_details !== undefined && !isRecord(payload.custom_details)) errors.push("'payload.custom_details' must be an object");
  return errors;
}

function linkErrors(links: unknown): string[] {
  if (links === undefined) return [];
  if (!Array.isArray(links)) return ["'links' must be an array"];
  return links.flatMap((link, i) => (isRecord(link) && typeof link.href === 'string' && link.href !== '' ? [] : [`'links[${i}].href' is required`]));
}

export async function startFakePagerDuty(): Promise<FakePagerDuty> {
  // Integration keys are 32 characters.
  const routingKey = 'R0UT1NGKEY0000fakepagerduty00001';
  const alerts: PagerDutyAlert[] = [];
  const dropped: { action: string; dedupKey: string }[] = [];
  const events: Record<string, unknown>[] = [];
  const openAlert = (dedupKey: string) => alerts.find((alert) => alert.dedupKey === dedupKey && alert.status !== 'resolved');

  const handle = (req: FakeRequest): FakeReply => {
    if (req.method !== 'POST' || req.path !== '/v2/enqueue') return { status: 404, body: { status: 'not found' } };
    if (Buffer.byteLength(req.body) > MAX_BYTES) return { status: 413, body: { status: 'invalid event', message: 'Request too large' } };
    const event = jsonBody(req);
    if (!isRecord(event)) return invalid('Invalid JSON');
    const { routing_key: key, event_action: action, dedup_key: dedupKey } = event;
    if (typeof key !== 'string' || key.length !== 32) return invalid("'routing_key' must be a 32-character integration key");
    if (key !== routingKey) return invalid("'routing_key' is not an integration key of this account");
    if (typeof action !== 'string' || !ACTIONS.includes(action)) return invalid("'event_action' must be trigger, acknowledge or resolve");
    if (dedupKey !== undefined && (typeof dedupKey !== 'string' || dedupKey.length > 255)) return invalid("'dedup_key' must be a string of at most 255 characters");
    if (action !== 'trigger' && typeof dedupKey !== 'string') return invalid("'dedup_key' is required for acknowledge and resolve");
    const errors = action === 'trigger' ? [...payloadErrors(event.payload), ...linkErrors(event.links)] : [];
    if (errors.length > 0) return invalid(...errors);

    events.push(event);
    const keyOf = typeof dedupKey === 'string' ? dedupKey : `generated-${events.length}`;
    const current = openAlert(keyOf);
    if (action === 'trigger') {
      if (current) current.log.push('trigger');
      else alerts.push({ dedupKey: keyOf, status: 'triggered', payload: event.payload as Record<string, unknown>, links: (event.links as unknown[]) ?? [], log: ['trigger'] });
    } else if (!current) {
      dropped.push({ action, dedupKey: keyOf });
    } else {
      current.status = action === 'acknowledge' ? 'acknowledged' : 'resolved';
      current.log.push(action);
    }
    return { status: 202, body: { status: 'success', message: 'Event processed', dedup_key: keyOf } };
  };

  const server = await startFakeServer(handle, {
    throttle: { status: 429, body: { status: 'throttle event', message: 'Requests for this service are arriving too quickly.' } },
    'server-error': { status: 500, body: { status: 'error', message: 'Internal server error' } },
    'client-error': invalid('Event object is invalid'),
  });

  return {
    url: `${server.url}/v2/enqueue`,
    routingKey,
    server,
    alerts: () => alerts,
    dropped: () => dropped,
    events: () => events,
    respondWith: (mode) => server.respondWith(mode),
    stop: () => server.close(),
  };
}
