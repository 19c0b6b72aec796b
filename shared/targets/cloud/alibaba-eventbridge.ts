// alibaba-eventbridge: puts the alert on an Alibaba Cloud EventBridge bus as one CloudEvent
// (putEvents), so that event rules can route it on. `data` is the alert JSON.
// putEvents reports a rejected event in FailedEntryCount / EntryList instead of failing:
// that event is a failed delivery, retryable only when its error code is transient.
import { z } from 'zod';
import type { Alert } from '../../model/alert';
import { defineTarget, type Outcome } from '../contract';
import { classifyError } from '../errors';
import { sha256Hex } from '../lifecycle/kit';
import { NO_CREDENTIALS, SDK_TIMEOUT_MS, alibabaAccountId, alibabaRegion, teaCredential, untilAborted } from './alibaba-client';

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
    /** The SDK's own default is plain http; the router's is https. */
    protocol: z.enum(['https', 'http']).default('https'),
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

export default defineTarget({
  type: 'alibaba-eventbridge',
  settings,
  sdk: ['@alicloud/eventbridge'],
  render: (alert, s) => cloudEvent(alert, s),
  async create(s, runtime) {
    const { default: Client, Config, CloudEvent } = await import('@alicloud/eventbridge');
    const client = new Client(
      new Config({
        endpoint: eventBridgeEndpoint(s),
        protocol: s.protocol,
        ...(s.region ? { regionId: s.region } : {}),
        credential: teaCredential(() => runtime.alibabaCredentials()),
        readTimeout: SDK_TIMEOUT_MS,
        connectTimeout: SDK_TIMEOUT_MS,
      }),
    );
    return {
      async send(alert, ctx): Promise<Outcome> {
        if (!runtime.alibabaCredentials()) return NO_CREDENTIALS;
        const e = cloudEvent(alert, s);
        const size = eventSize(e);
        if (size > EVENT_MAX_BYTES) {
          return { outcome: 'failed', retryable: false, detail: `the event is ${size} bytes, over the EventBridge putEvents limit of ${EVENT_MAX_BYTES}` };
        }
        const { aliyuneventbusname, data, ...attributes } = e;
        const event = new CloudEvent({
          ...attributes,
          data: Buffer.from(JSON.stringify(data)),
          extensions: { aliyuneventbusname },
        });
        try {
          // putEvents leaves the Tea client's autoretry off: dispatch owns retries.
          const out = await untilAborted(client.putEvents([event]), ctx.signal);
          const result = out.entryList?.[0];
          if ((out.failedEntryCount ?? 0) > 0 || result?.errorCode) {
            const code = result?.errorCode ?? 'unknown';
            const message = result?.errorMessage ?? '';
            const classified = classifyError({ code, message });
            const retryable = classified.outcome === 'failed' && classified.retryable;
            return { outcome: 'failed', retryable, detail: `putEvents rejected the event: ${code}${message ? `: ${message}` : ''}` };
          }
          return { outcome: 'delivered', ...(result?.eventId ? { ref: result.eventId } : {}) };
        } catch (err) {
          return classifyError(err);
        }
      },
    };
  },
});
