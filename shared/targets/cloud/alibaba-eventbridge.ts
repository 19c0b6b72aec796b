// alibaba-eventbridge: puts the alert on an Alibaba Cloud EventBridge bus as one CloudEvent
// (PutEvents, `POST /openapi/putEvents`), so that event rules can route it on. `data` is the
// alert JSON. The request is the one @alicloud/eventbridge sends, signed the same way, but
// sent through the shared HTTP client: keep-alive, a capped body read, no per-request
// timers (the SDK's client kept about 16 KiB per delivery for half a minute), and no 566 KB
// SDK in the bundle.
// Failures: any 5xx (gateway pages in HTML included), 408, 429 and the throttling or busy
// codes are retried; putEvents reports a rejected event in FailedEntryCount / EntryList
// instead of failing: retryable only when its error code is transient.
import { z } from 'zod';
import type { Alert } from '../../model/alert';
import { defineTarget, type Outcome } from '../contract';
import { classifyError, oneLine, retryableStatus } from '../errors';
import { allowPrivateNetworkSetting, describeResponse, parseRetryAfter } from '../http/client';
import { httpRequest, type HttpResponse } from '../../http';
import { sha256Hex } from '../../hash';
import { NO_CREDENTIALS, acsSignedHeaders, alibabaAccountId, alibabaRegion } from './alibaba-client';

/** "The maximum size of a single event that can be published is 64 KB" (PutEvents). */
export const EVENT_MAX_BYTES = 65_536;
/** CloudEvents ids we pass through as they are (printable ASCII, bounded); anything else is hashed. */
const SAFE_ID = /^[\x21-\x7e]{1,128}$/;
const settings = z
  .object({
    eventBusName: z.string().min(1).max(127),
    /** Owner of the bus; with region gives the endpoint. */
    accountId: alibabaAccountId.optional(),
    region: alibabaRegion.optional(),
    /** host[:port], no scheme. Default `<accountId>.eventbridge.<region>.aliyuncs.com`. */
    endpoint: z
      .string()
      .regex(/^[A-Za-z0-9.-]+(:\d{1,5})?$/, 'a host name with an optional port, without http:// or https://')
      .optional(),
    protocol: z.enum(['https', 'http']).default('https'),
    /** VPC endpoints resolve to 100.64/10 addresses: allow them (and loopback, for tests) explicitly. */
    allowPrivateNetwork: allowPrivateNetworkSetting,
    /** CloudEvents `source` of the published events. */
    source: z.string().min(1).max(128).default('alert-router'),
  })
  .strict()
  .refine((s) => s.endpoint !== undefined || (s.accountId !== undefined && s.region !== undefined), {
    message: 'one of endpoint, or accountId and region, must be configured',
  });

type EventBridgeSettings = z.infer<typeof settings>;

/** The public endpoint of an account's EventBridge API in a region. */
export function eventBridgeEndpoint(s: EventBridgeSettings): string {
  return s.endpoint ?? `${s.accountId}.eventbridge.${s.region}.aliyuncs.com`;
}

/**
 * The CloudEvent as it goes on the wire. Its id is the alert's notification id (hashed when
 * it has characters or a length an id should not), so a redelivery carries the same id and
 * consumers can drop duplicates on source + id, as CloudEvents intends.
 */
function cloudEvent(alert: Alert, s: EventBridgeSettings) {
  return {
    id: SAFE_ID.test(alert.id) ? alert.id : sha256Hex(alert.id),
    source: s.source,
    specversion: '1.0',
    type: `alert-router:alert:${alert.status}`,
    subject: alert.dedupKey,
    datacontenttype: 'application/json',
    time: alert.observedAt ?? alert.startsAt ?? alert.source.time ?? new Date().toISOString(),
    aliyuneventbusname: s.eventBusName,
    data: alert,
  };
}

/** The event size as Alibaba EventBridge computes it: time counts 36 bytes, the rest their UTF-8 bytes. */
export function eventSize(e: ReturnType<typeof cloudEvent>): number {
  const bytes = (text: string) => Buffer.byteLength(text, 'utf8');
  const { time: _time, data, aliyuneventbusname: _bus, ...attributes } = e;
  return 36 + Object.values(attributes).reduce((sum, value) => sum + bytes(value), 0) + bytes(JSON.stringify(data));
}

/** What the API answers: PutEvents' result, or an error (lower-case keys). */
interface PutEventsReply {
  RequestId?: string;
  FailedEntryCount?: number;
  EntryList?: { EventId?: string; ErrorCode?: string; ErrorMessage?: string }[];
  requestId?: string;
  code?: string;
  message?: string;
}

function parseReply(res: HttpResponse): PutEventsReply | undefined {
  try {
    const value: unknown = JSON.parse(res.text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Codes that mean "busy, try again" whatever the HTTP status (Throttling.User, ServiceUnavailable...). */
const transientCode = (code: string) => classifyError({ code, message: '' }).retryable;

/** The outcome of a putEvents answer; exported for the tests of odd replies. */
export function putEventsOutcome(res: HttpResponse): Outcome {
  const reply = parseReply(res);
  const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
  const later = retryAfterMs !== undefined ? { retryAfterMs } : {};
  if (res.status < 200 || res.status > 299) {
    // A gateway in front of the API answers 502/504 with an HTML page: no code to read.
    const code = typeof reply?.code === 'string' ? reply.code : undefined;
    const detail = code ? oneLine(`HTTP ${res.status}: ${code}${reply?.message ? `: ${reply.message}` : ''}`) : describeResponse(res);
    const retryable = retryableStatus(res.status) || (code !== undefined && transientCode(code));
    return { outcome: 'failed', retryable, detail, ...(retryable ? later : {}) };
  }
  const entry = reply?.EntryList?.[0];
  if (!reply || !Array.isArray(reply.EntryList) || !entry) {
    // A 2xx that is not PutEvents' answer (a proxy's page, a cut-off body): the event may not
    // be on the bus. Sending it again is safe: its id is the same, consumers drop duplicates.
    return { outcome: 'failed', retryable: true, detail: oneLine(`unexpected putEvents answer: ${describeResponse(res)}`) };
  }
  if ((reply.FailedEntryCount ?? 0) > 0 || entry.ErrorCode) {
    const code = entry.ErrorCode ?? 'unknown';
    const message = entry.ErrorMessage ?? '';
    return { outcome: 'failed', retryable: transientCode(code), detail: oneLine(`putEvents rejected the event: ${code}${message ? `: ${message}` : ''}`) };
  }
  return { outcome: 'delivered', ...(entry.EventId ? { ref: entry.EventId } : {}) };
}

export default defineTarget({
  type: 'alibaba-eventbridge',
  settings,
  permissions: {
    alibaba: (written) => [
      {
        action: 'eventbridge:PutEvents',
        resources: [{ service: 'eventbridge', region: written.optional('region'), account: written.optional('accountId'), resource: `eventbus/${written.required('eventBusName')}` }],
      },
    ],
  },
  render: (alert, s) => cloudEvent(alert, s),
  create(s, runtime) {
    const host = eventBridgeEndpoint(s);
    const url = `${s.protocol}://${host}/openapi/putEvents`;
    return {
      async send(alert, ctx): Promise<Outcome> {
        const credentials = runtime.alibabaCredentials();
        if (!credentials) return NO_CREDENTIALS;
        const e = cloudEvent(alert, s);
        const size = eventSize(e);
        if (size > EVENT_MAX_BYTES) {
          return { outcome: 'failed', retryable: false, detail: `the event is ${size} bytes, over the EventBridge putEvents limit of ${EVENT_MAX_BYTES}` };
        }
        const body = JSON.stringify([e]);
        const headers = acsSignedHeaders({
          method: 'POST',
          resource: '/openapi/putEvents',
          credentials,
          headers: {
            accept: 'application/json',
            'content-type': 'application/cloudevents-batch+json; charset=utf-8',
            'x-eventbridge-version': '2015-06-06',
            ...(s.region ? { 'x-eventbridge-regionId': s.region } : {}),
          },
        });
        try {
          const res = await httpRequest({ method: 'POST', url, headers, body, signal: ctx.signal, allowPrivateNetwork: s.allowPrivateNetwork });
          return putEventsOutcome(res);
        } catch (err) {
          return classifyError(err);
        }
      },
    };
  },
});
